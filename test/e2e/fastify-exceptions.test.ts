import t from 'tap'
import { startApp } from '../helpers/fastify-app.ts'
import { CARD, CHECKOUT_PATH, SECRETS, assertCheckoutExceptionLine, checkoutRequest, plantedUser } from '../helpers/planted-secrets.ts'

class PaymentError extends Error {
  code = 'E_PAYMENT'
  override name = 'PaymentError'
}

t.test('a thrown error writes exactly one scrubbed, structured error line', async (t) => {
  const { url, logs, statsd } = await startApp(t, {
    vigie: { getUser: (request) => plantedUser(request.headers['x-user-id']) },
    routes: (app) => app.post('/checkout/:cart', async (request) => {
      const body = request.body as { card: string }
      throw new PaymentError(`declined card ${body.card}`, { cause: new Error(`gateway said no to ${body.card}`) })
    }),
  })
  const res = await fetch(`${url}${CHECKOUT_PATH}`, checkoutRequest())
  t.equal(res.status, 500)
  await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request.exception:')) && lines.some((l) => l.startsWith('http_request:')))

  const errors = logs.lines.filter((l) => l.level >= 50)
  t.equal(errors.length, 1, 'one error line, not Fastify\'s plus vigie\'s')
  const line = errors[0]!
  assertCheckoutExceptionLine(t, line)
  t.same(line.req.params, { cart: 'c-9' })
  t.match(line.repro, /-H 'authorization: \[REDACTED\]'/)
  t.match(line.repro, /--data-raw '\{"email":"ada@example.com","password":"\[REDACTED\]"/)

  const everything = logs.text()
  for (const secret of SECRETS) {
    t.notOk(everything.includes(secret), `"${secret}" appears in no log line`)
  }
  t.ok(statsd.lines.includes('http_request.exception:1|c|#controller:/checkout/:cart,exception:PaymentError'), statsd.lines.join('\n'))
  t.ok(statsd.lines.includes('http_request:1|c|#http_status:500,http_status_class:5xx,method:POST,controller:/checkout/:cart'))
})

t.test('a 5xx answered without an error is captured too', async (t) => {
  const { url, logs, statsd } = await startApp(t, {
    routes: (app) => app.get('/down', async (_request, reply) => reply.code(503).send({ retry: true })),
  })
  t.equal((await fetch(`${url}/down`)).status, 503)
  await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request.exception:')))
  const errors = logs.lines.filter((l) => l.level >= 50)
  t.equal(errors.length, 1)
  t.equal(errors[0]!.msg, 'exception: HTTP 503')
  t.equal(errors[0]!.err, undefined)
  t.ok(statsd.lines.includes('http_request.exception:1|c|#controller:/down,exception:http_503'))
})

t.test('a rejected promise and an error in a hook are captured', async (t) => {
  const { url, logs } = await startApp(t, {
    routes: (app) => {
      app.get('/reject', () => Promise.reject(new TypeError('bad thing')))
      app.get('/hook', { preHandler: async () => { throw new RangeError('hook broke') } }, async () => 'never')
    },
  })
  await fetch(`${url}/reject`)
  await fetch(`${url}/hook`)
  const types = logs.lines.filter((l) => l.level >= 50).map((l) => l.err?.type)
  t.same(types, ['TypeError', 'RangeError'])
})

t.test('4xx answers are not exceptions unless captureClientErrors is set', async (t) => {
  const routes = (app: import('fastify').FastifyInstance): void => {
    app.post('/validated', { schema: { body: { type: 'object', required: ['name'] } } }, async () => 'ok')
    app.get('/missing', async (_request, reply) => reply.code(404).send())
  }
  const quiet = await startApp(t, { routes })
  t.equal((await fetch(`${quiet.url}/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 400)
  t.equal((await fetch(`${quiet.url}/missing`)).status, 404)
  t.equal(quiet.logs.lines.filter((l) => String(l.msg).startsWith('exception:')).length, 0)

  const opted = await startApp(t, { vigie: { captureClientErrors: true }, routes })
  await fetch(`${opted.url}/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  await fetch(`${opted.url}/missing`)
  const captured = opted.logs.lines.filter((l) => String(l.msg).startsWith('exception:'))
  t.equal(captured.length, 1, 'the validation error is captured; a plain 404 has no error to capture')
  t.equal(captured[0]!.res.statusCode, 400)
})

t.test('Fastify\'s own lines are scrubbed by loggerOptions', async (t) => {
  const { url, logs } = await startApp(t, {
    routes: (app) => app.get('/search', async () => { throw Object.assign(new Error(`not found: ${CARD}`), { statusCode: 404 }) }),
  })
  await fetch(`${url}/search?token=tok-secret-1&q=shoes`)
  const incoming = logs.lines.find((l) => l.msg === 'incoming request')
  t.equal(incoming?.req.url, '/search?token=[REDACTED]&q=shoes')
  const everything = logs.text()
  t.notOk(everything.includes('tok-secret-1'))
  t.notOk(everything.includes(CARD), 'the 4xx info line Fastify writes has its message scrubbed')
})

t.test('without loggerOptions: one warning at startup, and vigie\'s own line is still scrubbed', async (t) => {
  const { url, logs } = await startApp(t, {
    useLoggerOptions: false,
    routes: (app) => app.post('/', async () => { throw new Error(`card ${CARD}`) }),
  })
  t.equal(logs.lines.filter((l) => String(l.msg).includes('loggerOptions()')).length, 1)
  await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"password":"hunter2"}' })
  const vigieLine = logs.lines.find((l) => String(l.msg).startsWith('exception:'))
  t.ok(vigieLine)
  t.notOk(JSON.stringify(vigieLine).includes(CARD))
  t.notOk(JSON.stringify(vigieLine).includes('hunter2'))
  t.equal(vigieLine?.err.type, 'Error', 'pino\'s default err serializer did not rewrite the record')
})

t.test('bodies are bounded: size, depth and array length', async (t) => {
  const { url, logs } = await startApp(t, {
    vigie: { capture: { maxBodyBytes: 1024, maxDepth: 3, maxArrayItems: 5 } },
    routes: (app) => app.post('/', async () => { throw new Error('boom') }),
  })
  const body = { list: Array.from({ length: 100 }, (_, i) => i), deep: { a: { b: { c: { d: 1 } } } } }
  await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const line = logs.lines.find((l) => String(l.msg).startsWith('exception:'))!
  t.equal(line.req.body.list.length, 6, 'five items and a marker')
  t.type(line.req.body.deep.a.b, 'string', 'nesting below maxDepth is replaced by a marker')

  await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(50_000) }) })
  const big = logs.lines.filter((l) => String(l.msg).startsWith('exception:'))[1]!
  t.ok(Buffer.byteLength(JSON.stringify(big.req.body)) <= 1200, 'a large body is cut near maxBodyBytes')
})

/** `{"k0":value(0),"k1":value(1),…}`, written directly: cheaper than building the object. */
function wideJson (keys: number, value: (i: number) => string): string {
  const parts: string[] = []
  for (let i = 0; i < keys; i++) parts.push(`"k${i}":${value(i)}`)
  return `{${parts.join(',')}}`
}

t.test('a million-key user and a million-key body: a small line, built in bounded time', async (t) => {
  // The first 50 values hold 1000 keys each: maxArrayItems alone would copy 2550 keys.
  const inner = wideJson(1000, String)
  const body = wideJson(1_000_000, (i) => i < 50 ? inner : String(i))
  let userReturnedAt = 0
  const { url, logs } = await startApp(t, {
    fastify: { bodyLimit: 64 * 1024 * 1024 },
    vigie: {
      // The parsed body is the million-key user too: one such object to build, not two.
      getUser: (request) => {
        userReturnedAt = Date.now()
        return request.body
      },
    },
    routes: (app) => app.post('/import', async () => { throw new Error('import failed') }),
  })
  const res = await fetch(`${url}/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  t.equal(res.status, 500)
  t.match(await res.json(), { message: 'import failed' }, 'the app\'s answer arrives whole')

  const raw = logs.text().split('\n').filter((line) => line.includes('"msg":"exception: '))
  t.equal(raw.length, 1)
  t.ok(Buffer.byteLength(raw[0]!) < 64 * 1024, `the line is ${Buffer.byteLength(raw[0]!)} bytes`)
  const line = JSON.parse(raw[0]!)
  t.equal(line.req.body, `[body not captured: JSON of ${Buffer.byteLength(body)} bytes]`, 'a body over 1 MiB is not walked')
  t.equal(line.user['…'], '[… 999950 more keys]')
  t.equal(Object.keys(line.user.k18).length, 51, 'the 1000-key budget: 50 keys at the root, 50 in each of the first 19 values')
  t.equal(line.user.k19, '[Object]', 'then the budget is spent')
  t.equal(line.user.k49, '[Object]')
  // V8 lists the user's million keys once (docs/exception-capture.md#overhead); a generous bound.
  t.ok(line.time - userReturnedAt < 10_000, `the record was built in ${line.time - userReturnedAt} ms`)
})
