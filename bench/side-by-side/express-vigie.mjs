// Everything on, as for Fastify: correlation ID, metrics to the runner's UDP receiver, exception
// capture armed (expressErrorHandler), propagation on.
import express from 'express'
import { expressObservability, expressErrorHandler } from '../../dist/esm/index.js'
import { user, listenExpress } from './_common.mjs'

const app = express()
const vigie = expressObservability({
  statsd: { host: '127.0.0.1', port: Number(process.env.STATSD_PORT), prefix: 'bench.' },
  // The fastify-vigie-noctx / express-vigie-noctx rows: requests run without async context.
  ...(process.env.BENCH_ASYNC_CONTEXT === 'false' ? { asyncContext: false } : {}),
})
app.use(vigie)
app.get('/users/:id', (req, res) => { res.json(user(req.params.id)) })
app.use(expressErrorHandler())
listenExpress(app, () => vigie.close())
