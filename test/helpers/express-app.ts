import express, { type Express } from 'express'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import pino from 'pino'
import type { Test } from 'tap'
import { loggerOptions } from '../../lib/index.ts'
import { expressErrorHandler, expressObservability, type ExpressObservability, type ExpressVigieOptions } from '../../lib/express.ts'
import { createLogSink, type LogSink } from './log-sink.ts'
import { startStatsdListener, type StatsdListener } from './statsd-listener.ts'

export type ExpressModule = typeof express

// express4 is the npm alias of express@4; it has no types of its own, and the same shape.
const express4 = createRequire(import.meta.url)('express4') as ExpressModule

/** Every suite runs once per supported Express major. */
export const EXPRESS_VERSIONS: ReadonlyArray<readonly [string, ExpressModule]> = [['express 5', express], ['express 4', express4]]

export interface ExpressTestApp {
  app: Express
  vigie: ExpressObservability
  url: string
  server: Server
  statsd: StatsdListener
  logs: LogSink
}

/**
 * A real Express server on 127.0.0.1:0 (or `host`): vigie's middleware first (after `beforeVigie`, if any), its exception lines going to
 * a JSON sink through a pino logger built with loggerOptions(), its metrics to a real UDP
 * listener. `routes` runs after vigie is created (so mounts are recorded), then
 * expressErrorHandler() is mounted, then `errorHandlers` (the app's own). Torn down with the test.
 */
export async function startExpressApp (t: Test, express: ExpressModule, options: {
  vigie?: ExpressVigieOptions
  /** The app's own middleware mounted before vigie's. */
  beforeVigie?: (app: Express) => void
  routes?: (app: Express, vigie: ExpressObservability) => void
  errorHandlers?: (app: Express) => void
  /** Mount expressErrorHandler() (default true). */
  vigieErrorHandler?: boolean
  /** Express's `env` setting; `development` is the one where finalhandler sends stacks. */
  env?: string
  /** Where to listen; `url` is on 127.0.0.1 all the same. */
  host?: string
} = {}): Promise<ExpressTestApp> {
  const statsd = await startStatsdListener()
  const logs = createLogSink()
  const logger = pino(loggerOptions({ level: 'info' }), logs.stream)
  const app = express()
  app.set('env', options.env ?? 'development')
  const vigie = expressObservability({
    logger,
    // Process gauges would add lines of their own from 1 s on; the tests that want them turn them on.
    processMetrics: false,
    ...options.vigie,
    statsd: { host: '127.0.0.1', port: statsd.port, bufferFlushInterval: 10, ...options.vigie?.statsd },
  })
  options.beforeVigie?.(app)
  app.use(vigie)
  options.routes?.(app, vigie)
  if (options.vigieErrorHandler !== false) app.use(expressErrorHandler())
  options.errorHandlers?.(app)
  const server = await listen(app, options.host)
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await vigie.close()
    await statsd.close()
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { app, vigie, url: `http://127.0.0.1:${port}`, server, statsd, logs }
}

export function listen (app: Express, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, host)
    server.once('listening', () => resolve(server))
    server.once('error', reject)
  })
}

/** The `http_request` counter lines received so far. */
export function counters (statsd: StatsdListener): string[] {
  return statsd.lines.filter((line) => line.startsWith('http_request:'))
}

/** The `controller` tags of the `http_request` counter lines received so far. */
export function controllerTags (statsd: StatsdListener): string[] {
  return counters(statsd).map((line) => line.replace(/^.*controller:/, ''))
}

/** Exception lines written so far. */
export function exceptionLines (logs: LogSink): Array<Record<string, any>> {
  return logs.lines.filter((line) => String(line.msg).startsWith('exception:'))
}
