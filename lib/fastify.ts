import type { FastifyPluginAsync } from 'fastify'
import { fastifyPlugins, type FastifyVigieOptions } from './adapters/fastify.js'
import { composeVigie } from './compose.js'

export { genReqId, type FastifyVigieOptions } from './adapters/fastify.js'

const plugins = fastifyPlugins(composeVigie)

/**
 * The Fastify plugin: correlation IDs, StatsD request metrics and scrubbed exception lines for
 * the whole app (it is wrapped with fastify-plugin, so its hooks are not encapsulated).
 *
 * @example
 * await app.register(observability, { statsd: { host: '127.0.0.1', port: 8125, prefix: 'shop.' } })
 */
export const observability: FastifyPluginAsync<FastifyVigieOptions> = plugins.observability

/** The plugin patchAll() registers on every new app; an explicit registration takes over from it. */
export const automaticObservability: FastifyPluginAsync<FastifyVigieOptions> = plugins.automatic
