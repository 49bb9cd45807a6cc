// fastify is an optional peer dependency: in an Express-only app, the import would fail the
// app's type check. The directive is kept in the emitted .d.ts, where the types become `any`.
/** @ts-ignore fastify may not be installed */
import type { FastifyInstance } from 'fastify'
import { fastifyPlugins, type FastifyVigieOptions } from './adapters/fastify.ts'
import { composeVigie } from './compose.ts'

export { genReqId, type FastifyVigieOptions } from './adapters/fastify.ts'

const plugins = fastifyPlugins(composeVigie)

// FastifyPluginAsync<FastifyVigieOptions>, spelled out: where fastify is not installed, the alias
// would be `any`, and so would `require('vigie')` (the plugin, with the named exports on it).
type Plugin = (instance: FastifyInstance, options: FastifyVigieOptions) => Promise<void>

/**
 * The Fastify plugin: correlation IDs, StatsD request metrics and scrubbed exception lines for
 * the whole app (it is wrapped with fastify-plugin, so its hooks are not encapsulated).
 *
 * @example
 * await app.register(observability, { statsd: { host: '127.0.0.1', port: 8125, prefix: 'shop.' } })
 */
export const observability: Plugin = plugins.observability

/** The plugin patchAll() registers on every new app; an explicit registration takes over from it. */
export const automaticObservability: Plugin = plugins.automatic
