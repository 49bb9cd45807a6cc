// Everything on: correlation ID (UUID v7 per request, echoed), metrics to the runner's UDP
// receiver (default buffering), exception capture armed (defaults), propagation on (default).
// Logger on (BENCH_LOGGER=1): the same logger as bare Fastify's twin, its pino options built by
// loggerOptions() with BENCH_LOGGER_OPTIONS=1 (the fastify-vigie-lopts-log row).
import Fastify from 'fastify'
import observability, { loggerOptions } from '../../dist/esm/index.js'
import { port, host, user, ready, loggerOn, withLoggerOptions, fastifyLogger, handlerLine } from './_common.mjs'

const app = Fastify({ logger: fastifyLogger(withLoggerOptions ? loggerOptions : undefined) })
await app.register(observability, {
  statsd: { host: '127.0.0.1', port: Number(process.env.STATSD_PORT), prefix: 'bench.' },
  // The fastify-vigie-noctx / express-vigie-noctx rows: requests run without async context.
  ...(process.env.BENCH_ASYNC_CONTEXT === 'false' ? { asyncContext: false } : {}),
})
app.get('/users/:id', async (request) => {
  if (loggerOn) handlerLine(request.log, request.params.id)
  return user(request.params.id)
})
await app.listen({ port, host })
ready(() => app.close())
