import diagnostics from 'node:diagnostics_channel'
import type { FastifyInstance } from 'fastify'
import { takeLoggerOption } from '../adapters/express.ts'
import type { ExpressVigieLogger } from '../express.ts'
import { bindRequestLoggers } from '../adapters/fastify.ts'
import { automaticObservability, type FastifyVigieOptions } from '../fastify.ts'
import { clusterPrimary } from '../cluster/cluster-hub.ts'
import { flushStatsdClient } from '../metrics/statsd-client.ts'
import { resolveOptions } from '../options/resolve-options.ts'
import { processWide } from '../process-state.ts'
import type { VigieOptions } from '../types.ts'
import { patchExpress } from './patch-express.ts'
import { patchPino } from './patch-pino.ts'

/** patchAll()'s options: the plugin's, plus the pino logger Express apps write to. */
export interface PatchAllOptions extends VigieOptions {
  /** Where Express apps' exception lines go (Fastify apps use their own logger). Default: JSON on stdout. */
  logger?: ExpressVigieLogger
}

/** Undoes patchAll(): new apps are no longer instrumented, and metrics of patched apps are flushed. */
export type Unpatch = () => Promise<void>

const FASTIFY_INIT_CHANNEL = 'fastify.initialization'

/** What patchAll() returns with `VIGIE_DISABLED` set: it installed nothing. */
const unpatchNothing: Unpatch = async function unpatch () {}

/** The unpatch function of the active patchAll(), so that a second call, from either copy of vigie, returns it. */
const active = processWide('patchAll', () => ({ unpatch: null as Unpatch | null }))

/**
 * Instruments every Fastify app (through Fastify's `fastify.initialization` diagnostics channel)
 * and every Express app (see patch-express.ts) created from now on, with `options`. Call it once,
 * before the apps are created; calling it again returns the same unpatch function and changes
 * nothing. An app that also sets vigie up itself keeps its own options. No signal handlers are
 * installed. In the primary of a `node:cluster` app it also starts clusterPrimary() (unless
 * `cluster: false`). Options, and the environment variables under them, are checked now: a bad one
 * throws a VigieError here. With `VIGIE_DISABLED` set, the options are checked and nothing is
 * installed: no hook, no subscription.
 *
 * @example
 * import { patchAll } from 'vigie'
 * const unpatch = patchAll({ statsd: { host: '127.0.0.1', port: 8125 } })
 */
export function patchAll (options: PatchAllOptions = {}): Unpatch {
  if (active.unpatch !== null) return active.unpatch
  const { rest: fastifyOptions } = takeLoggerOption(options)
  const resolved = resolveOptions(fastifyOptions as VigieOptions)
  if (resolved.disabled) return unpatchNothing
  const unpatchExpress = patchExpress(options)
  const unpatchPino = !resolved.logInjection || !resolved.asyncContext ? null : patchPino()
  // In a cluster's primary, the relay between the workers' apps (a no-op elsewhere).
  const stopClusterPrimary = resolved.cluster ? clusterPrimary() : null

  const apps = new Set<FastifyInstance>()
  function onFastifyInitialization (message: unknown): void {
    const fastify = (message as { fastify?: FastifyInstance }).fastify
    if (fastify === undefined) return
    apps.add(fastify)
    // Now, before the app declares its routes: each route keeps the factory it was declared with.
    bindRequestLoggers(fastify, resolved.correlationHeader)
    fastify.addHook('onClose', async () => { apps.delete(fastify) })
    fastify.register(automaticObservability, fastifyOptions as FastifyVigieOptions)
  }
  diagnostics.subscribe(FASTIFY_INIT_CHANNEL, onFastifyInitialization)

  let unpatched = false
  const unpatch: Unpatch = async function unpatch () {
    if (unpatched) return
    unpatched = true
    diagnostics.unsubscribe(FASTIFY_INIT_CHANNEL, onFastifyInitialization)
    active.unpatch = null
    unpatchPino?.()
    stopClusterPrimary?.()
    await Promise.all([unpatchExpress(), ...[...apps].map((app) => flushStatsdClient(app.statsd))])
  }
  active.unpatch = unpatch
  return unpatch
}
