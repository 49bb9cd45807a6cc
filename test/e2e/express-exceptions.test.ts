import type { ErrorRequestHandler, Express } from 'express'
import t from 'tap'
import { EXPRESS_VERSIONS, counters, exceptionLines, startExpressApp } from '../helpers/express-app.ts'
import { CHECKOUT_PATH, SECRETS, assertCheckoutExceptionLine, checkoutRequest, plantedUser } from '../helpers/planted-secrets.ts'

class PaymentError extends Error {
  code = 'E_PAYMENT'
  override name = 'PaymentError'
}

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('an error passed to next writes exactly one scrubbed, structured line', async (t) => {
      const consoleErrors = t.capture(console, 'error')
      const { url, logs, statsd } = await startExpressApp(t, express, {
        vigie: { getUser: (req) => plantedUser(req.headers['x-user-id']) },
        routes: (app) => {
          const checkout = express.Router()
          checkout.post('/:cart', (req, _res, next) => {
            const card = (req.body as { card: string }).card
            next(new PaymentError(`declined card ${card}`, { cause: new Error(`gateway said no to ${card}`) }))
          })
          app.use(express.json())
          app.use('/checkout', checkout)
        },
      })
      const res = await fetch(`${url}${CHECKOUT_PATH}`, checkoutRequest())
      t.equal(res.status, 500)
      const body = await res.text()
      t.equal(body, 'Internal Server Error', 'vigie answered: no stack, no message, even with env development')
      await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request.exception:')))

      const errors = logs.lines.filter((l) => l.level >= 50)
      t.equal(errors.length, 1, 'one error line')
      const line = errors[0]!
      assertCheckoutExceptionLine(t, line)
      t.same(line.req.query, { session: '[REDACTED]', page: '1' })

      const everything = logs.text()
      for (const secret of SECRETS) {
        t.notOk(everything.includes(secret), `"${secret}" appears in no log line`)
      }
      t.ok(statsd.lines.includes('http_request.exception:1|c|#controller:/checkout/:cart,exception:PaymentError'), statsd.lines.join('\n'))
      t.ok(statsd.lines.includes('http_request:1|c|#http_status:500,http_status_class:5xx,method:POST,controller:/checkout/:cart'))
      t.same(consoleErrors(), [], 'Express\'s final handler printed nothing')
    })

    t.test('the app\'s own error handler runs after vigie\'s, and its answer is what the client gets', async (t) => {
      const consoleErrors = t.capture(console, 'error')
      let handled: unknown
      const { url, logs, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          const api = express.Router()
          api.get('/items/:id', () => { throw new RangeError('no such shelf') })
          app.use('/api', api)
        },
        errorHandlers: (app) => app.use(((err, _req, res, _next) => {
          handled = err
          res.status(503).json({ error: 'try later' })
        }) as ErrorRequestHandler),
      })
      const res = await fetch(`${url}/api/items/5`)
      t.equal(res.status, 503)
      t.same(await res.json(), { error: 'try later' })
      t.type(handled, RangeError)
      await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request.exception:')) && lines.some((l) => l.startsWith('http_request:')))
      const lines = exceptionLines(logs)
      t.equal(lines.length, 1)
      t.equal(lines[0]!.err.type, 'RangeError')
      t.equal(lines[0]!.res.statusCode, 503, 'the line has the status really sent')
      t.equal(lines[0]!.req.route, '/api/items/:id', 'the controller survives the error leaving the router')
      t.ok(counters(statsd).includes('http_request:1|c|#http_status:503,http_status_class:5xx,method:GET,controller:/api/items/:id'))
      t.same(consoleErrors(), [])
    })

    t.test('no raw stack from Express\'s final handler in any setup vigie makes', async (t) => {
      const consoleErrors = t.capture(console, 'error')
      const boom = (): never => { throw new Error('secret-in-message token=abc') }
      const noVigieHandler = await startExpressApp(t, express, {
        vigieErrorHandler: false,
        routes: (app) => app.get('/', boom),
      })
      const passingOn = await startExpressApp(t, express, {
        routes: (app) => app.get('/', boom),
        errorHandlers: (app) => app.use(((err, _req, _res, next) => next(err)) as ErrorRequestHandler),
      })
      const production = await startExpressApp(t, express, { env: 'production', routes: (app) => app.get('/', boom) })
      for (const { url, logs } of [noVigieHandler, passingOn, production]) {
        const res = await fetch(`${url}/`)
        t.equal(res.status, 500)
        const body = await res.text()
        t.equal(body, 'Internal Server Error')
        t.equal(res.headers.get('x-content-type-options'), 'nosniff')
        await new Promise((resolve) => setTimeout(resolve, 20))
        const lines = exceptionLines(logs)
        t.equal(lines.length, 1)
        t.equal(lines[0]!.err.type, 'Error', 'the error is captured even without expressErrorHandler()')
      }
      t.same(consoleErrors(), [], 'nothing printed with console.error')
    })

    t.test('an HTTP error nothing answers keeps its status and headers; invalid headers are skipped', async (t) => {
      const { url, logs } = await startExpressApp(t, express, {
        routes: (app) => app.delete('/locked', () => {
          throw Object.assign(new Error('locked'), { status: 405, headers: { Allow: 'GET', 'Bad Header': 'x' } })
        }),
      })
      const res = await fetch(`${url}/locked`, { method: 'DELETE' })
      t.equal(res.status, 405)
      t.equal(res.headers.get('allow'), 'GET')
      t.equal(await res.text(), 'Method Not Allowed')
      await new Promise((resolve) => setTimeout(resolve, 20))
      t.equal(exceptionLines(logs).length, 0, 'a 4xx is not an exception by default')
    })

    t.test('an error after the headers were sent ends the connection, quietly, and is captured', async (t) => {
      const consoleErrors = t.capture(console, 'error')
      const { url, logs, statsd } = await startExpressApp(t, express, {
        routes: (app) => app.get('/stream', (_req, res, next) => {
          res.status(200).write('partial')
          next(new Error('stream broke'))
        }),
      })
      const outcome = await fetch(`${url}/stream`).then((res) => res.text()).catch((err: Error) => err)
      t.type(outcome, Error, 'the client sees the response cut off')
      await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request.exception:')) && lines.some((l) => l.startsWith('http_request:')))
      t.same(counters(statsd), ['http_request:1|c|#http_status:500,http_status_class:5xx,method:GET,controller:/stream'])
      t.equal(exceptionLines(logs)[0]?.err.message, 'stream broke')
      t.same(consoleErrors(), [])
    })

    t.test('errors from async code: next(err) in both majors, a rejected promise in Express 5', async (t) => {
      const { url, logs } = await startExpressApp(t, express, {
        routes: (app) => {
          app.get('/callback', (_req, _res, next) => { setTimeout(() => next(new TypeError('late failure')), 5) })
          if (name === 'express 5') app.get('/reject', async () => { throw new SyntaxError('rejected') })
        },
      })
      t.equal((await fetch(`${url}/callback`)).status, 500)
      if (name === 'express 5') t.equal((await fetch(`${url}/reject`)).status, 500)
      await new Promise((resolve) => setTimeout(resolve, 20))
      t.same(exceptionLines(logs).map((l) => l.err.type), name === 'express 5' ? ['TypeError', 'SyntaxError'] : ['TypeError'])
    })

    t.test('a 5xx answered without an error is captured too', async (t) => {
      const { url, logs, statsd } = await startExpressApp(t, express, {
        routes: (app) => app.get('/down', (_req, res) => { res.status(503).json({ retry: true }) }),
      })
      t.equal((await fetch(`${url}/down`)).status, 503)
      await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request.exception:')))
      const lines = exceptionLines(logs)
      t.equal(lines.length, 1)
      t.equal(lines[0]!.msg, 'exception: HTTP 503')
      t.equal(lines[0]!.err, undefined)
      t.ok(statsd.lines.includes('http_request.exception:1|c|#controller:/down,exception:http_503'))
    })

    t.test('4xx errors are answered with their status, and captured only with captureClientErrors', async (t) => {
      const routes = (app: Express): void => {
        app.use(express.json())
        app.post('/validated', (_req, res) => { res.send('ok') })
      }
      const quiet = await startExpressApp(t, express, { routes })
      const bad = await fetch(`${quiet.url}/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"broken' })
      t.equal(bad.status, 400, 'body-parser\'s status is kept')
      t.equal(await bad.text(), 'Bad Request')
      await new Promise((resolve) => setTimeout(resolve, 20))
      t.equal(exceptionLines(quiet.logs).length, 0)

      const opted = await startExpressApp(t, express, { vigie: { captureClientErrors: true }, routes })
      await fetch(`${opted.url}/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"broken' })
      await new Promise((resolve) => setTimeout(resolve, 20))
      const captured = exceptionLines(opted.logs)
      t.equal(captured.length, 1)
      t.equal(captured[0]!.res.statusCode, 400)
    })

    t.test('the host in the line keeps its port, and Express 4\'s deprecated req.host is not read', async (t) => {
      const stderr = t.capture(process.stderr, 'write')
      const { url, logs } = await startExpressApp(t, express, { routes: (app) => app.get('/', () => { throw new Error('boom') }) })
      await fetch(`${url}/`)
      await new Promise((resolve) => setTimeout(resolve, 20))
      t.equal(exceptionLines(logs)[0]?.req.url, `${url}/`)
      t.same(stderr().filter((call) => String(call.args[0]).includes('deprecated')), [])
    })
  })
}
