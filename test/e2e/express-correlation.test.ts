import pino from 'pino'
import t from 'tap'
import { correlationId, loggerOptions } from '../../lib/index.ts'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { createLogSink } from '../helpers/log-sink.ts'
import { headerOf, rawRequest } from '../helpers/raw-http.ts'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('a valid incoming ID is kept, echoed, set on req and in the async context', async (t) => {
      const appLogs = createLogSink()
      const appLogger = pino(loggerOptions(), appLogs.stream)
      const { url } = await startExpressApp(t, express, {
        routes: (app) => app.get('/', async (req, res) => {
          await new Promise((resolve) => setTimeout(resolve, 5))
          appLogger.info('handling')
          res.json({ fromRequest: req.correlationId, fromContext: correlationId() })
        }),
      })
      const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'abc-123.DEF_456:7' } })
      t.equal(res.headers.get('x-request-id'), 'abc-123.DEF_456:7')
      t.same(await res.json(), { fromRequest: 'abc-123.DEF_456:7', fromContext: 'abc-123.DEF_456:7' })
      t.equal(appLogs.lines.find((l) => l.msg === 'handling')?.correlationId, 'abc-123.DEF_456:7', 'a loggerOptions() logger adds it')
      t.equal(correlationId(), undefined, 'outside a request there is no ID')
    })

    t.test('asyncContext: false keeps the ID in the header, on req and in metrics; not in the async context', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        vigie: { asyncContext: false },
        routes: (app) => app.get('/users/:id', async (req, res) => {
          await new Promise((resolve) => setTimeout(resolve, 5))
          res.json({ fromRequest: req.correlationId, fromContext: correlationId() ?? null })
        }),
      })
      const res = await fetch(`${url}/users/1`, { headers: { 'x-request-id': 'no-context-1' } })
      t.equal(res.headers.get('x-request-id'), 'no-context-1')
      t.same(await res.json(), { fromRequest: 'no-context-1', fromContext: null }, 'correlationId() finds no request')
      await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request:')))
      t.ok(statsd.lines.includes('http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/users/:id'), statsd.lines.join('\n'))
    })

    t.test('a missing ID is generated as a UUID v7', async (t) => {
      const { url } = await startExpressApp(t, express, { routes: (app) => app.get('/', (req, res) => { res.send(req.correlationId) }) })
      const res = await fetch(`${url}/`)
      const id = res.headers.get('x-request-id')
      t.match(id, UUID_V7)
      t.equal(await res.text(), id)
    })

    t.test('the echo is a header like any other: alone on a response with no header yet, listed by getHeaders(), replaced by a later setHeader()', async (t) => {
      const { url } = await startExpressApp(t, express, {
        beforeVigie: (app) => app.disable('x-powered-by'),
        routes: (app) => {
          app.get('/', (_req, res) => { res.json(res.getHeaders()) })
          app.get('/replaced', (_req, res) => {
            res.setHeader('X-Request-Id', 'set-by-app')
            res.send('ok')
          })
        },
      })
      const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'echo-1' } })
      t.equal(res.headers.get('x-request-id'), 'echo-1')
      t.same(await res.json(), { 'x-request-id': 'echo-1' })
      const replaced = await fetch(`${url}/replaced`, { headers: { 'x-request-id': 'echo-2' } })
      t.equal(replaced.headers.get('x-request-id'), 'set-by-app')
      const raw = await rawRequest(url, 'GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: echo-3\r\nConnection: close\r\n\r\n')
      t.equal(raw.split('\r\n').filter((line) => /^x-request-id:/i.test(line)).length, 1, 'written once')
    })

    t.test('hostile incoming IDs are replaced', async (t) => {
      const { url } = await startExpressApp(t, express, { routes: (app) => app.get('/', (req, res) => { res.send(req.correlationId) }) })
      const cases: Record<string, string> = {
        empty: 'X-Request-Id: \r\n',
        'too long': `X-Request-Id: ${'a'.repeat(129)}\r\n`,
        'non-ASCII': 'X-Request-Id: caf\u00e9\r\n',
        'space and quote': 'X-Request-Id: a b"c\r\n',
        repeated: 'X-Request-Id: one\r\nX-Request-Id: two\r\n',
        'log injection': 'X-Request-Id: abc\\n{"level":60}\r\n',
      }
      for (const [label, header] of Object.entries(cases)) {
        const response = await rawRequest(url, `GET / HTTP/1.1\r\nHost: x\r\n${header}Connection: close\r\n\r\n`)
        t.match(response, /^HTTP\/1\.1 200/, `${label}: the request succeeds`)
        t.match(headerOf(response, 'x-request-id'), UUID_V7, `${label}: a fresh ID replaces it`)
      }
    })

    t.test('the correlation header name is configurable', async (t) => {
      const { url } = await startExpressApp(t, express, {
        vigie: { correlationHeader: 'X-Correlation-ID' },
        routes: (app) => app.get('/', (req, res) => { res.send(req.correlationId) }),
      })
      const res = await fetch(`${url}/`, { headers: { 'x-correlation-id': 'corr-1' } })
      t.equal(res.headers.get('x-correlation-id'), 'corr-1')
      t.equal(await res.text(), 'corr-1')
    })

    t.test('two interleaved concurrent requests never see each other\'s ID', async (t) => {
      const gates: Record<string, () => void> = {}
      const { url } = await startExpressApp(t, express, {
        routes: (app) => app.get('/:name', async (req, res) => {
          const gateName = req.params.name!
          await new Promise<void>((resolve) => { gates[gateName] = resolve })
          res.json({ name: gateName, seen: correlationId() })
        }),
      })
      const first = fetch(`${url}/first`, { headers: { 'x-request-id': 'id-first' } })
      const second = fetch(`${url}/second`, { headers: { 'x-request-id': 'id-second' } })
      while (gates.first === undefined || gates.second === undefined) await new Promise((resolve) => setTimeout(resolve, 5))
      gates.second() // the second request finishes first
      const secondBody = await (await second).json()
      gates.first()
      const firstBody = await (await first).json()
      t.same(firstBody, { name: 'first', seen: 'id-first' })
      t.same(secondBody, { name: 'second', seen: 'id-second' })
    })

    t.test('req.correlationId reads vigie\'s state: it is no property of the request, and it can be reassigned', async (t) => {
      const { url } = await startExpressApp(t, express, {
        routes: (app) => app.get('/', (req, res) => {
          const own = Object.keys(req).filter((key) => key === 'correlationId')
          const before = req.correlationId
          req.correlationId = 'reassigned-1'
          res.json({ own, before, after: req.correlationId, fromContext: correlationId() })
        }),
      })
      const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'given-1' } })
      t.same(await res.json(), { own: [], before: 'given-1', after: 'reassigned-1', fromContext: 'reassigned-1' },
        'the ID lives in the state that is also the async-context store')
    })

    t.test('the ID survives body parsing of a body that arrives later, and nested routers', async (t) => {
      const { url } = await startExpressApp(t, express, {
        routes: (app) => {
          const api = express.Router()
          api.post('/echo', (req, res) => {
            setImmediate(() => res.json({ later: correlationId(), body: req.body }))
          })
          app.use(express.json())
          app.use('/api', api)
        },
      })
      const body = '{"a":1}'
      const response = await rawRequest(url,
        `POST /api/echo HTTP/1.1\r\nHost: x\r\nX-Request-Id: ctx-1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body)
      t.match(response, /^HTTP\/1\.1 200/)
      t.same(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)), { later: 'ctx-1', body: { a: 1 } })
    })
  })
}
