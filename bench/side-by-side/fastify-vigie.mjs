// Everything on: correlation ID (UUID v7 per request, echoed), metrics to the runner's UDP
// receiver (default buffering), exception capture armed (defaults), propagation on (default).
import Fastify from 'fastify'
import observability from '../../dist/esm/index.js'
import { port, host, user, ready } from './_common.mjs'

const app = Fastify()
await app.register(observability, {
  statsd: { host: '127.0.0.1', port: Number(process.env.STATSD_PORT), prefix: 'bench.' },
  // The fastify-vigie-noctx / express-vigie-noctx rows: requests run without async context.
  ...(process.env.BENCH_ASYNC_CONTEXT === 'false' ? { asyncContext: false } : {}),
})
app.get('/users/:id', async (request) => user(request.params.id))
await app.listen({ port, host })
ready(() => app.close())
