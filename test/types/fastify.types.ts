// Compiled by `npm run test:types` (tsc, no emit): what a TypeScript user of vigie sees.
import Fastify, { type FastifyRequest } from 'fastify'
import type { StatsD } from 'hot-shots'
import observability, { correlationId, genReqId, loggerOptions, scrub, type VigieOptions } from 'vigie'

const app = Fastify({ logger: loggerOptions({ level: 'info' }), genReqId: genReqId() })

await app.register(observability, {
  statsd: { host: '127.0.0.1', port: 8125, prefix: 'shop.', globalTags: { env: 'production' }, tagFormat: 'datadog' },
  getUser: (request) => request.headers['x-user'],
  capture: { maxBodyBytes: 4096 },
  ignore: ['/health'],
})

app.get('/users/:id', { config: { vigie: { controller: 'users.show' } } }, async (request: FastifyRequest) => {
  const id: string = request.correlationId
  const client: StatsD = app.statsd
  client.increment('users.viewed')
  const current: string | undefined = correlationId()
  return { id, current, clean: scrub({ password: 'x' }) }
})
app.get('/internal', { config: { vigie: false } }, async () => 'ok')

const options: VigieOptions = { captureClientErrors: true }
void options

// @ts-expect-error: port is a number
await app.register(observability, { statsd: { port: '8125' } })
// @ts-expect-error: tagFormat is 'datadog' or 'telegraf'
await app.register(observability, { statsd: { tagFormat: 'influx' } })
// @ts-expect-error: correlationId is a string, not a number
const wrong: number = ({} as FastifyRequest).correlationId
void wrong
app.get('/typed', async (request) => {
  const config = request.routeOptions.config.vigie
  // @ts-expect-error: a route's vigie config is false or { controller }, never true
  const flag: true | undefined = config
  return flag
})
