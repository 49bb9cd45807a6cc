// An Express API instrumented with vigie: nested routers, an error route, the app's own error
// handler. Run it from the repository root after `npm run build`:
//   node examples/express-app/server.mjs
// then try:
//   curl -i localhost:3000/api/users/42
//   curl -i localhost:3000/api/users/42/posts/7 -H 'x-request-id: my-id-1'
//   curl -i -X POST localhost:3000/api/checkout -H 'content-type: application/json' \
//        -d '{"card":"4111 1111 1111 1111","password":"hunter2"}'
// Metrics go to StatsD at STATSD_HOST:STATSD_PORT (default 127.0.0.1:8125, UDP: nothing breaks
// if no daemon listens). Ctrl-C stops it: the app handles SIGINT, vigie installs no handler.
import express from 'express'
import pino from 'pino'
import { correlationId, expressErrorHandler, expressObservability, loggerOptions } from 'vigie'

const logger = pino(loggerOptions({ level: 'info' }))

// Created before the routers below are mounted, so their mount paths are recorded and the
// controller tag is the full pattern (`/api/users/:uid/posts/:pid`).
const vigie = expressObservability({
  logger,
  statsd: { prefix: 'example.' },
  captureClientErrors: true, // the declined payment is answered 402; capture it anyway
  getUser: (req) => req.headers['x-user'] ? { id: req.headers['x-user'] } : undefined,
})

class PaymentDeclinedError extends Error {
  name = 'PaymentDeclinedError'
}

const posts = express.Router({ mergeParams: true })
posts.get('/:pid', (req, res) => {
  res.json({ user: req.params.uid, post: req.params.pid })
})

const users = express.Router()
users.get('/:uid', async (req, res) => {
  await new Promise((resolve) => setTimeout(resolve, 5))
  logger.info({ uid: req.params.uid }, 'user looked up') // carries correlationId: loggerOptions()
  res.json({ id: req.params.uid, correlationId: correlationId() })
})
users.use('/:uid/posts', posts)

const api = express.Router()
api.use('/users', users)
api.post('/checkout', (req, _res, next) => {
  next(new PaymentDeclinedError(`card ${req.body.card} declined`))
})

const app = express()
app.use(vigie)
app.use(express.json())
app.use('/api', api)
app.use(expressErrorHandler())
app.use((err, req, res, _next) => {
  res.status(err instanceof PaymentDeclinedError ? 402 : 500).json({ error: err.name, correlationId: req.correlationId })
})

const port = Number(process.env.PORT ?? 3000)
const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})

process.once('SIGINT', () => {
  server.close(async () => {
    await vigie.close() // sends the metrics still buffered
  })
})
