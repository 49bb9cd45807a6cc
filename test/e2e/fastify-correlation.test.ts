import { request as httpRequest } from 'node:http'
import Fastify, { LogController } from 'fastify'
import t from 'tap'
import { correlationId, genReqId, loggerOptions, observability } from '../../lib/index.ts'
import { createLogSink } from '../helpers/log-sink.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { headerOf, rawRequest } from '../helpers/raw-http.ts'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('a valid incoming ID is kept, echoed, exposed and logged', async (t) => {
  const { url, logs } = await startApp(t, {
    routes: (app) => app.get('/', async (request) => {
      request.log.info('handling')
      await new Promise((resolve) => setTimeout(resolve, 5))
      return { fromRequest: request.correlationId, fromContext: correlationId() }
    }),
  })
  const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'abc-123.DEF_456:7' } })
  t.equal(res.headers.get('x-request-id'), 'abc-123.DEF_456:7')
  t.same(await res.json(), { fromRequest: 'abc-123.DEF_456:7', fromContext: 'abc-123.DEF_456:7' })
  const handling = logs.lines.find((l) => l.msg === 'handling')
  t.equal(handling?.correlationId, 'abc-123.DEF_456:7')
  const completed = logs.lines.find((l) => l.msg === 'request completed')
  t.equal(completed?.correlationId, 'abc-123.DEF_456:7', 'Fastify\'s own completion line carries the ID')
})

t.test('with loggerOptions, lines of other loggers inside the request carry the ID', async (t) => {
  const { url, logs } = await startApp(t, {
    routes: (app) => app.get('/', async () => {
      app.log.info('from the app logger')
      app.log.child({ component: 'db' }).info('from a component logger')
      return 'ok'
    }),
  })
  await fetch(`${url}/`, { headers: { 'x-request-id': 'other-1' } })
  t.equal(logs.lines.find((l) => l.msg === 'from the app logger')?.correlationId, 'other-1')
  t.equal(logs.lines.find((l) => l.msg === 'from a component logger')?.correlationId, 'other-1')
  const startup = logs.lines.find((l) => String(l.msg).startsWith('Server listening'))
  t.equal(startup?.correlationId, undefined, 'lines outside a request have none')
})

t.test('asyncContext: false keeps the ID in the header, request, its logger, metrics and exception lines; not in the async context', async (t) => {
  const { url, logs, statsd } = await startApp(t, {
    vigie: { asyncContext: false },
    routes: (app) => {
      app.get('/users/:id', async (request) => {
        request.log.info('handling')
        app.log.info('from the app logger')
        await new Promise((resolve) => setTimeout(resolve, 5))
        return { fromRequest: request.correlationId, fromContext: correlationId() ?? null }
      })
      app.get('/fail', async () => { throw new Error('boom') })
    },
  })
  const res = await fetch(`${url}/users/1`, { headers: { 'x-request-id': 'no-context-1' } })
  t.equal(res.headers.get('x-request-id'), 'no-context-1')
  t.same(await res.json(), { fromRequest: 'no-context-1', fromContext: null }, 'correlationId() finds no request')
  t.equal(logs.lines.find((l) => l.msg === 'handling')?.correlationId, 'no-context-1', 'the request\'s logger has it')
  t.equal(logs.lines.find((l) => l.msg === 'from the app logger')?.correlationId, undefined, 'the loggerOptions() mixin has nothing to add')
  const failed = await fetch(`${url}/fail`)
  t.equal(failed.status, 500)
  const failedId = failed.headers.get('x-request-id')
  t.match(failedId, UUID_V7)
  await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request.exception:')) && lines.filter((l) => l.startsWith('http_request:')).length >= 2)
  t.ok(statsd.lines.includes('http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/users/:id'), statsd.lines.join('\n'))
  t.ok(statsd.lines.includes('http_request:1|c|#http_status:500,http_status_class:5xx,method:GET,controller:/fail'), statsd.lines.join('\n'))
  t.equal(logs.lines.find((l) => String(l.msg).startsWith('exception:'))?.correlationId, failedId, 'the exception line has it')
})

t.test('a missing ID is generated as a UUID v7', async (t) => {
  const { url } = await startApp(t, { routes: (app) => app.get('/', async (request) => request.correlationId) })
  const res = await fetch(`${url}/`)
  const id = res.headers.get('x-request-id')
  t.match(id, UUID_V7)
  t.equal(await res.text(), id)
})

t.test('hostile incoming IDs are replaced', async (t) => {
  const { url } = await startApp(t, { routes: (app) => app.get('/', async (request) => request.correlationId) })
  const cases: Record<string, string> = {
    empty: 'X-Request-Id: \r\n',
    'too long': `X-Request-Id: ${'a'.repeat(129)}\r\n`,
    'non-ASCII': 'X-Request-Id: caf\u00e9\r\n',
    tab: 'X-Request-Id: a\tb\r\n',
    'space and quote': 'X-Request-Id: a b"c\r\n',
    repeated: 'X-Request-Id: one\r\nX-Request-Id: two\r\n',
    'log injection': 'X-Request-Id: abc\\n{"level":60}\r\n',
  }
  for (const [name, header] of Object.entries(cases)) {
    const response = await rawRequest(url, `GET / HTTP/1.1\r\nHost: x\r\n${header}Connection: close\r\n\r\n`)
    t.match(response, /^HTTP\/1\.1 200/, `${name}: the request succeeds`)
    t.match(headerOf(response, 'x-request-id'), UUID_V7, `${name}: a fresh ID replaces it`)
  }
  const longest = await fetch(`${url}/`, { headers: { 'x-request-id': 'a'.repeat(128) } })
  t.equal(longest.headers.get('x-request-id'), 'a'.repeat(128), '128 characters are still accepted')
})

t.test('the correlation header name is configurable', async (t) => {
  const { url } = await startApp(t, {
    vigie: { correlationHeader: 'X-Correlation-ID' },
    routes: (app) => app.get('/', async (request) => request.correlationId),
  })
  const res = await fetch(`${url}/`, { headers: { 'x-correlation-id': 'corr-1' } })
  t.equal(res.headers.get('x-correlation-id'), 'corr-1')
  t.equal(await res.text(), 'corr-1')
})

t.test('two interleaved concurrent requests never see each other\'s ID', async (t) => {
  const gates: Record<string, () => void> = {}
  const { url, logs } = await startApp(t, {
    routes: (app) => app.get('/:name', async (request) => {
      const { name } = request.params as { name: string }
      await new Promise<void>((resolve) => { gates[name] = resolve })
      request.log.info({ name }, 'resumed')
      return { name, seen: correlationId() }
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
  for (const line of logs.lines.filter((l) => l.msg === 'resumed')) {
    t.equal(line.correlationId, `id-${line.name}`)
  }
})

t.test('the ID is in the context for async work started by the handler', async (t) => {
  const { url } = await startApp(t, {
    routes: (app) => app.post('/', async () => {
      const later = await new Promise<string | undefined>((resolve) => setImmediate(() => resolve(correlationId())))
      return { later }
    }),
  })
  const res = await fetch(`${url}/`, { method: 'POST', headers: { 'x-request-id': 'ctx-1', 'content-type': 'application/json' }, body: '{"a":1}' })
  t.same(await res.json(), { later: 'ctx-1' }, 'the context survives body parsing')
  t.equal(correlationId(), undefined, 'outside a request there is no ID')
})

t.test('request.correlationId can be reassigned; an app\'s own correlationId decoration is kept and assigned', async (t) => {
  const { url } = await startApp(t, {
    routes: (app) => app.get('/', async (request) => {
      const before = request.correlationId
      request.correlationId = 'reassigned-1'
      return { before, after: request.correlationId, fromContext: correlationId() }
    }),
  })
  const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'given-1' } })
  t.same(await res.json(), { before: 'given-1', after: 'reassigned-1', fromContext: 'reassigned-1' })

  const app = Fastify()
  app.decorateRequest('correlationId', 'app-default')
  await app.register(observability, { statsd: { host: '127.0.0.1', port: 9 }, processMetrics: false })
  app.get('/', async (request) => ({ id: request.correlationId }))
  t.teardown(() => app.close())
  const injected = await app.inject({ url: '/', headers: { 'x-request-id': 'given-2' } })
  t.same(injected.json(), { id: 'given-2' }, 'vigie assigns the app\'s own decoration')
})

t.test('a body streamed in slow chunks keeps the context for later hooks and the handler; a GET needs no re-entry', async (t) => {
  const { url } = await startApp(t, {
    routes: (app) => {
      app.addHook('preHandler', async (request) => {
        (request as unknown as { seenInHook: string | undefined }).seenInHook = correlationId()
      })
      app.post('/upload', async (request) => ({
        hook: (request as unknown as { seenInHook?: string }).seenInHook,
        handler: correlationId(),
        size: JSON.stringify(request.body).length,
      }))
      app.get('/plain', async () => ({ handler: correlationId() }))
    },
  })
  const { port } = new URL(url)
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpRequest({ port: Number(port), host: '127.0.0.1', path: '/upload', method: 'POST', headers: { 'x-request-id': 'slow-1', 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve(text))
    })
    req.on('error', reject)
    req.write('{"items":[')
    setTimeout(() => {
      req.write('1,2,3')
      setTimeout(() => req.end(']}'), 30)
    }, 30)
  })
  t.same(JSON.parse(body), { hook: 'slow-1', handler: 'slow-1', size: 17 })
  const plain = await fetch(`${url}/plain`, { headers: { 'x-request-id': 'get-1' } })
  t.same(await plain.json(), { handler: 'get-1' })
})

t.test('with genReqId and the correlationId label, "incoming request" has the ID, written once per line', async (t) => {
  const logs = createLogSink()
  const app = Fastify({
    logger: { ...loggerOptions(), stream: logs.stream },
    genReqId: genReqId(),
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
  })
  await app.register(observability, { statsd: { port: 9 } })
  app.get('/', async (request) => {
    request.log.info('inside')
    return 'ok'
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const address = app.server.address() as { port: number }
  await new Promise<void>((resolve, reject) => {
    httpRequest({ port: address.port, host: '127.0.0.1', path: '/', headers: { 'x-request-id': 'gen-1' } }, (res) => {
      res.resume()
      res.on('end', resolve)
    }).on('error', reject).end()
  })
  const incoming = logs.lines.find((l) => l.msg === 'incoming request')
  t.equal(incoming?.correlationId, 'gen-1')
  for (const raw of logs.text().split('\n').filter((l) => l.includes('gen-1'))) {
    t.equal(raw.split('"correlationId"').length - 1, 1, `one correlationId key in ${raw}`)
  }
  t.equal(logs.lines.find((l) => l.msg === 'inside')?.correlationId, 'gen-1')
})

t.test('every request of an app has its own ID once on each of its lines, "incoming request" included, and in request.log.bindings()', async (t) => {
  const { url, logs } = await startApp(t, {
    useLoggerOptions: false,
    routes: (app) => app.get('/', async (request) => {
      request.log.info('inside')
      return { bound: (request.log as unknown as { bindings: () => Record<string, unknown> }).bindings().correlationId }
    }),
  })
  for (const id of ['first-1', 'second-2', 'third-3']) {
    const res = await fetch(`${url}/`, { headers: { 'x-request-id': id } })
    t.same(await res.json(), { bound: id }, `${id}: the request's logger is bound to it`)
  }
  for (const id of ['first-1', 'second-2', 'third-3']) {
    const lines = logs.text().split('\n').filter((l) => l.includes(`"${id}"`))
    t.same(lines.map((l) => JSON.parse(l).msg), ['incoming request', 'inside', 'request completed'], `${id}: its three lines`)
    for (const raw of lines) t.equal(raw.split('"correlationId"').length - 1, 1, `one correlationId key in ${raw}`)
  }
})

t.test('an app that redacts correlationId keeps it redacted on every request\'s lines', async (t) => {
  const logs = createLogSink()
  const app = Fastify({ logger: { level: 'info', redact: ['correlationId'], stream: logs.stream } })
  await app.register(observability, { statsd: { port: 9 }, processMetrics: false })
  app.get('/', async (request) => {
    request.log.info('inside')
    return 'ok'
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const address = app.server.address() as { port: number }
  for (let i = 0; i < 3; i++) await (await fetch(`http://127.0.0.1:${address.port}/`, { headers: { 'x-request-id': `redacted-${i}` } })).text()
  const requestLines = logs.lines.filter((l) => l.reqId !== undefined)
  t.equal(requestLines.length, 9, 'three lines per request')
  t.ok(requestLines.every((l) => l.correlationId === '[Redacted]'), 'the ID is redacted on all of them')
  t.notOk(logs.text().includes('redacted-'), 'no ID is written')
})
