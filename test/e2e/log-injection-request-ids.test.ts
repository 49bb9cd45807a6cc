import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import pino from 'pino'
import t, { type Test } from 'tap'
import { genReqId, loggerOptions, observability } from '../../lib/index.ts'
import { createLogSink, type LogSink } from '../helpers/log-sink.ts'

// vigie binds the correlation ID to each request's logger with Fastify's own child-logger
// factory left in place (lib/adapters/fastify.ts, bindThroughRequestIds()).

/** A Fastify app logging to a sink, vigie registered (after `prepare`), then `routes`, listening. */
async function start (t: Test, options: Omit<FastifyServerOptions, 'logger'> & { logger?: pino.LoggerOptions }, routes: (app: FastifyInstance) => void, prepare?: (app: FastifyInstance) => void): Promise<{ url: string, logs: LogSink, app: FastifyInstance }> {
  const logs = createLogSink()
  const app = Fastify({ ...options, logger: { level: 'info', ...options.logger, stream: logs.stream } } as FastifyServerOptions)
  prepare?.(app)
  await app.register(observability, { statsd: { port: 9 }, processMetrics: false })
  routes(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, logs, app }
}

/** The raw lines that mention `id`, with how many times each carries the key `"correlationId"`. */
function keyCounts (logs: LogSink, id: string): number[] {
  return logs.text().split('\n').filter((l) => l.includes(`"${id}"`)).map((l) => l.split('"correlationId"').length - 1)
}

t.test('Fastify\'s own factory and request IDs stay; every line of the request carries the ID once', async (t) => {
  const { url, logs, app } = await start(t, {}, (app) => app.get('/', async (request) => {
    request.log.info('inside')
    return { id: request.id }
  }))
  t.equal(app.childLoggerFactory.name, 'defaultChildLoggerFactory', 'no child-logger factory of vigie\'s: Fastify validates none of its children')
  const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'plain-1' } })
  t.same(await res.json(), { id: 'req-1' }, 'the request ID is Fastify\'s')
  const lines = logs.lines.filter((l) => l.reqId === 'req-1')
  t.same(lines.map((l) => [l.msg, l.correlationId]), [['incoming request', 'plain-1'], ['inside', 'plain-1'], ['request completed', 'plain-1']])
  t.same(keyCounts(logs, 'plain-1'), [1, 1, 1], 'the key once per line')
})

t.test('the app\'s own children of its logger are not bound to a request: one made inside a request and used after it writes no ID', async (t) => {
  let made: pino.Logger | undefined
  const { url, logs, app } = await start(t, {}, (app) => app.get('/', async () => {
    made = app.log.child({ module: 'cache' }) as unknown as pino.Logger
    made.info('inside')
    return 'ok'
  }))
  const atStart = app.log.child({ module: 'startup' })
  await (await fetch(`${url}/`, { headers: { 'x-request-id': 'own-child-1' } })).text()
  made!.info('after the request')
  atStart.info('outside any request')
  t.equal(logs.lines.find((l) => l.msg === 'inside')?.correlationId, 'own-child-1', 'inside the request: the ID, written by log injection')
  t.same(logs.lines.filter((l) => l.msg === 'after the request' || l.msg === 'outside any request').map((l) => [l.module, l.correlationId]), [['cache', undefined], ['startup', undefined]],
    'outside: none, from either child')
  t.same(keyCounts(logs, 'own-child-1'), [1, 1, 1], 'the key once per line: "incoming request", "inside", "request completed"')
})

t.test('bindings and level the app gives its logger later reach the requests\' loggers, made from one bound parent', async (t) => {
  const { url, logs, app } = await start(t, {}, (app) => app.get('/', async (request) => {
    request.log.debug('detail')
    return 'ok'
  }))
  // The first request shows how pino writes the binding; the next ones are made from the bound parent.
  for (const id of ['before-1', 'before-2']) await (await fetch(`${url}/`, { headers: { 'x-request-id': id } })).text()
  ;(app.log as unknown as pino.Logger).setBindings({ deployment: 'blue' })
  app.log.level = 'debug'
  await (await fetch(`${url}/`, { headers: { 'x-request-id': 'after-1' } })).text()
  t.same(logs.lines.filter((l) => l.correlationId === 'before-2').map((l) => [l.msg, l.deployment]), [['incoming request', undefined], ['request completed', undefined]], 'before: no such binding, no debug line')
  t.same(logs.lines.filter((l) => l.correlationId === 'after-1').map((l) => [l.msg, l.deployment]),
    [['incoming request', 'blue'], ['detail', 'blue'], ['request completed', 'blue']], 'after: the new binding and the debug line')
  t.same(keyCounts(logs, 'after-1'), [1, 1, 1], 'the key once per line')
})

t.test('a route\'s own log level and serializers: its child is made with options, and carries the ID once', async (t) => {
  const { url, logs } = await start(t, {}, (app) => app.get('/debug', {
    logLevel: 'debug',
    logSerializers: { user: (user: { name: string }) => user.name },
  }, async (request) => {
    request.log.debug({ user: { name: 'ada' } }, 'debugging')
    return 'ok'
  }))
  await (await fetch(`${url}/debug`, { headers: { 'x-request-id': 'level-1' } })).text()
  const line = logs.lines.find((l) => l.msg === 'debugging')
  t.same([line?.correlationId, line?.user], ['level-1', 'ada'], 'the route\'s level and serializer apply')
  t.equal(logs.lines.find((l) => l.msg === 'incoming request')?.correlationId, 'level-1')
  t.same(keyCounts(logs, 'level-1'), [1, 1, 1])
})

t.test('requestIdHeader set: Fastify\'s request ID is the header as it arrives, the correlation ID is still vigie\'s, on every line', async (t) => {
  const { url, logs } = await start(t, { requestIdHeader: 'x-request-id' }, (app) => app.get('/', async (request) => {
    request.log.info('inside')
    return { id: request.id, correlationId: request.correlationId }
  }))
  const res = await fetch(`${url}/`, { headers: { 'x-request-id': 'not valid!' } })
  const body = await res.json() as { id: string, correlationId: string }
  t.equal(body.id, 'not valid!', 'Fastify kept the header as the request ID')
  t.match(body.correlationId, /^[0-9a-f-]{36}$/, 'vigie replaced the invalid ID')
  t.same(logs.lines.filter((l) => l.reqId === 'not valid!').map((l) => [l.msg, l.correlationId]), [
    ['incoming request', body.correlationId], ['inside', body.correlationId], ['request completed', body.correlationId],
  ])
  t.same(keyCounts(logs, body.correlationId), [1, 1, 1])
})

t.test('genReqId() with the label correlationId: one correlationId per line, the request ID is the correlation ID, no factory set', async (t) => {
  const { url, logs, app } = await start(t, {
    logger: loggerOptions({ level: 'info' }),
    genReqId: genReqId(),
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
  }, (app) => {
    app.get('/', async (request) => {
      request.log.info('inside')
      return { id: request.id, correlationId: request.correlationId }
    })
  })
  t.equal(app.childLoggerFactory.name, 'defaultChildLoggerFactory')
  for (const id of ['label-1', 'label-2']) {
    const res = await fetch(`${url}/`, { headers: { 'x-request-id': id } })
    t.same(await res.json(), { id, correlationId: id })
    t.same(logs.lines.filter((l) => l.correlationId === id).map((l) => l.msg), ['incoming request', 'inside', 'request completed'], `${id}: its lines`)
    t.same(keyCounts(logs, id), [1, 1, 1], `${id}: the key once per line`)
  }
  const missing = await fetch(`${url}/missing`, { headers: { 'x-request-id': 'label-404' } })
  t.equal(missing.status, 404)
  t.same(keyCounts(logs, 'label-404'), [1, 1, 1], 'the default 404 handler\'s lines too')
})

t.test('a logger whose child() cannot be wrapped: vigie\'s child-logger factory binds the ID instead, once per line', async (t) => {
  const { url, logs, app } = await start(t, {}, (app) => app.get('/', async (request) => {
    request.log.info('inside')
    return 'ok'
  }), (app) => {
    // The app's logger's child() fixed in place: vigie cannot wrap it, so it falls back to a factory of its own.
    Object.defineProperty(app.log, 'child', { value: app.log.child, writable: false, configurable: false })
  })
  t.equal(app.childLoggerFactory.name, 'vigieChildLoggerFactory', 'the fallback factory is set')
  for (const id of ['fallback-1', 'fallback-2']) {
    await (await fetch(`${url}/`, { headers: { 'x-request-id': id } })).text()
    t.same(logs.lines.filter((l) => l.correlationId === id).map((l) => l.msg), ['incoming request', 'inside', 'request completed'], `${id}: every line of the request, "incoming request" too`)
    t.same(keyCounts(logs, id), [1, 1, 1], `${id}: the key once per line (the second is appended to the written bindings)`)
  }
})
