import { expressMiddlewareFactory, type ExpressObservability, type ExpressVigieOptions } from './adapters/express.ts'
import { composeVigie } from './compose.ts'

export { expressErrorHandler, type ExpressObservability, type ExpressVigieOptions, type ExpressVigieLogger } from './adapters/express.ts'

/**
 * The Express middleware: correlation IDs, StatsD request metrics and scrubbed exception lines.
 * Mount it first, before your routers; put expressErrorHandler() after your routes. Options are
 * validated now: a bad one throws a VigieError.
 *
 * @example
 * const vigie = expressObservability({ statsd: { host: '127.0.0.1', port: 8125 } })
 * app.use(vigie)
 * // ...routes...
 * app.use(expressErrorHandler())
 * process.once('SIGTERM', () => server.close(() => vigie.close()))
 */
export const expressObservability: (options?: ExpressVigieOptions) => ExpressObservability = expressMiddlewareFactory(composeVigie)
