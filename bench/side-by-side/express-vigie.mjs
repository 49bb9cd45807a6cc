// Everything on, as for Fastify: correlation ID, metrics to the runner's UDP receiver, exception
// capture armed (expressErrorHandler), propagation on. Logger on (BENCH_LOGGER=1): pino-http as
// in bare Express's twin, mounted after vigie (docs/express.md: vigie first), and its logger is
// vigie's `logger`; BENCH_LOGGER_OPTIONS=1 builds its pino options with loggerOptions().
import express from 'express'
import { expressObservability, expressErrorHandler, loggerOptions } from '../../dist/esm/index.js'
import { user, listenExpress, loggerOn, withLoggerOptions, expressLogger, handlerLine } from './_common.mjs'

const app = express()
const httpLogger = expressLogger(withLoggerOptions ? loggerOptions : undefined)
const vigie = expressObservability({
  statsd: { host: '127.0.0.1', port: Number(process.env.STATSD_PORT), prefix: 'bench.' },
  // The fastify-vigie-noctx / express-vigie-noctx rows: requests run without async context.
  ...(process.env.BENCH_ASYNC_CONTEXT === 'false' ? { asyncContext: false } : {}),
  ...(loggerOn ? { logger: httpLogger.logger } : {}),
})
app.use(vigie)
if (loggerOn) app.use(httpLogger)
app.get('/users/:id', (req, res) => {
  if (loggerOn) handlerLine(req.log, req.params.id)
  res.json(user(req.params.id))
})
app.use(expressErrorHandler())
listenExpress(app, () => vigie.close())
