import express from 'express'
import Fastify, { type FastifyInstance } from 'fastify'
import { once } from 'node:events'
import pino from 'pino'
import pinoHttp from 'pino-http'
import t, { type Test } from 'tap'
import { expressObservability, observability } from '../../lib/index.ts'
import { createLogSink, type LogSink } from '../helpers/log-sink.ts'

/**
 * A Fastify app with its logger on, as real apps run, and vigie registered at `when`: before or
 * after the routes. `logger` is pino's options (the stream is the sink).
 */
async function start (t: Test, options: {
  logger?: pino.LoggerOptions
  vigie?: Record<string, unknown>
  when?: 'before routes' | 'after routes'
  routes: (app: FastifyInstance) => void
}): Promise<{ url: string, logs: LogSink, app: FastifyInstance }> {
  const logs = createLogSink()
  const app = Fastify({ logger: { level: 'info', ...options.logger, stream: logs.stream } })
  const register = (): PromiseLike<unknown> => app.register(observability, { statsd: { port: 9 }, processMetrics: false, ...options.vigie })
  if (options.when !== 'after routes') await register()
  options.routes(app)
  if (options.when === 'after routes') await register()
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, logs, app }
}

/** The raw lines that mention `id`: each must carry `"correlationId"` exactly once. */
function keyCounts (logs: LogSink, id: string): number[] {
  return logs.text().split('\n').filter((l) => l.includes(id)).map((l) => l.split('"correlationId"').length - 1)
}

t.test('registered before the routes: one child logger per request, bound to the ID, on "incoming request" too', async (t) => {
  let requestLog: unknown
  const { url, logs, app } = await start(t, {
    routes: (app) => app.get('/users/:id', async (request) => {
      requestLog = request.log
      request.log.info('handling')
      return { id: request.params }
    }),
  })
  await fetch(`${url}/users/1`, { headers: { 'x-request-id': 'one-child-1' } })
  t.equal(Object.getPrototypeOf(requestLog), app.log, 'the request logger is a direct child of the app logger: no second child')
  const lines = logs.lines.filter((l) => l.reqId === 'req-1')
  t.same(lines.map((l) => l.msg), ['incoming request', 'handling', 'request completed'])
  for (const line of lines) t.equal(line.correlationId, 'one-child-1', `"${line.msg}" carries the ID`)
  t.same(keyCounts(logs, 'one-child-1'), [1, 1, 1], 'the key once per line')

  const generated = await fetch(`${url}/users/2`)
  const id = generated.headers.get('x-request-id')
  t.match(id, /^[0-9a-f-]{36}$/, 'no incoming ID: one is generated')
  t.equal(logs.lines.find((l) => l.msg === 'incoming request' && l.reqId === 'req-2')?.correlationId, id, 'the line carries the generated ID, the one echoed')

  const missing = await fetch(`${url}/missing`, { headers: { 'x-request-id': 'default-404' } })
  t.equal(missing.status, 404)
  t.same(await missing.json(), { message: 'Route GET:/missing not found', error: 'Not Found', statusCode: 404 }, 'Fastify\'s own 404 answer')
  t.same(logs.lines.filter((l) => l.reqId === 'req-3').map((l) => [l.msg, l.correlationId]), [
    ['incoming request', 'default-404'], ['Route GET:/missing not found', 'default-404'], ['request completed', 'default-404'],
  ], 'the default 404 handler\'s lines, "incoming request" included')
})

t.test('an app\'s own 404 handler, set before vigie, is kept', async (t) => {
  const logs = createLogSink()
  const app = Fastify({ logger: { level: 'info', stream: logs.stream } })
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send({ own: true }))
  await app.register(observability, { statsd: { port: 9 }, processMetrics: false })
  t.teardown(() => app.close())
  const res = await app.inject({ url: '/nowhere', headers: { 'x-request-id': 'own-404' } })
  t.same(res.json(), { own: true })
  t.equal(logs.lines.find((l) => l.msg === 'request completed')?.correlationId, 'own-404')
})

t.test('routes declared before vigie and the 404 handler still get a logger bound to the ID, from the hooks on', async (t) => {
  const { url, logs } = await start(t, {
    when: 'after routes',
    routes: (app) => app.get('/early', async (request) => {
      request.log.info('early route')
      return 'ok'
    }),
  })
  await fetch(`${url}/early`, { headers: { 'x-request-id': 'early-1' } })
  await fetch(`${url}/missing`, { headers: { 'x-request-id': 'missing-1' } })
  t.equal(logs.lines.find((l) => l.msg === 'early route')?.correlationId, 'early-1')
  t.equal(logs.lines.find((l) => l.msg === 'request completed' && l.res.statusCode === 200)?.correlationId, 'early-1')
  t.equal(logs.lines.find((l) => l.msg === 'request completed' && l.res.statusCode === 404)?.correlationId, 'missing-1')
  t.same([...keyCounts(logs, 'early-1'), ...keyCounts(logs, 'missing-1')].filter((n) => n > 1), [], 'never twice on a line')
})

t.test('log injection: the app-wide logger and its children write the ID inside a request, nothing outside', async (t) => {
  const { url, logs, app } = await start(t, {
    routes: (app) => {
      const db = app.log.child({ component: 'db' })
      app.setErrorHandler(function onError (error, _request, reply) {
        app.log.error({ failure: error.message }, 'error handler')
        reply.code(500).send({ failed: true })
      })
      app.get('/orders/:id', async () => {
        app.log.info('app-wide')
        db.info('component')
        await new Promise((resolve) => setTimeout(resolve, 2))
        app.log.child({ correlationId: 'own-binding' }).info('bound by the app')
        return 'ok'
      })
      app.get('/fail', async () => { throw new Error('nope') })
    },
  })
  await fetch(`${url}/orders/1`, { headers: { 'x-request-id': 'inject-1' } })
  await fetch(`${url}/fail`, { headers: { 'x-request-id': 'inject-2' } })
  app.log.info('outside')
  t.equal(logs.lines.find((l) => l.msg === 'app-wide')?.correlationId, 'inject-1')
  t.equal(logs.lines.find((l) => l.msg === 'component')?.correlationId, 'inject-1')
  t.equal(logs.lines.find((l) => l.msg === 'error handler')?.correlationId, 'inject-2', 'an error handler logging through the app logger')
  const own = logs.text().split('\n').find((l) => l.includes('bound by the app')) ?? ''
  t.equal(own.split('"correlationId"').length - 1, 1, 'a logger bound to the key by the app keeps its own, once')
  t.equal(JSON.parse(own).correlationId, 'own-binding')
  t.equal(logs.lines.find((l) => l.msg === 'outside')?.correlationId, undefined)
  t.equal(logs.lines.find((l) => String(l.msg).startsWith('Server listening'))?.correlationId, undefined)
})

t.test('log injection chains a mixin the app has, and logInjection: false turns it off', async (t) => {
  const chained = await start(t, {
    logger: { mixin: () => ({ service: 'orders' }) },
    routes: (app) => app.get('/', async () => {
      app.log.info('with a mixin')
      return 'ok'
    }),
  })
  await fetch(`${chained.url}/`, { headers: { 'x-request-id': 'mixin-1' } })
  const line = chained.logs.lines.find((l) => l.msg === 'with a mixin')
  t.equal(line?.correlationId, 'mixin-1')
  t.equal(line?.service, 'orders', 'the app\'s mixin still runs')
  t.equal(chained.logs.lines.find((l) => l.msg === 'request completed')?.service, 'orders')

  const off = await start(t, {
    vigie: { logInjection: false },
    routes: (app) => app.get('/', async (request) => {
      app.log.info('app-wide, injection off')
      request.log.info('request logger, injection off')
      return 'ok'
    }),
  })
  await fetch(`${off.url}/`, { headers: { 'x-request-id': 'off-1' } })
  t.equal(off.logs.lines.find((l) => l.msg === 'app-wide, injection off')?.correlationId, undefined)
  t.equal(off.logs.lines.find((l) => l.msg === 'request logger, injection off')?.correlationId, 'off-1', 'the request\'s own logger is bound all the same')
})

t.test('two interleaved requests: each line carries its own request\'s ID', async (t) => {
  let release: () => void = () => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  const { url, logs } = await start(t, {
    routes: (app) => {
      app.get('/slow', async () => {
        await gate
        app.log.info('slow done')
        return 'ok'
      })
      app.get('/fast', async () => {
        app.log.info('fast done')
        return 'ok'
      })
    },
  })
  const slow = fetch(`${url}/slow`, { headers: { 'x-request-id': 'slow-1' } })
  await fetch(`${url}/fast`, { headers: { 'x-request-id': 'fast-1' } })
  release()
  await slow
  t.equal(logs.lines.find((l) => l.msg === 'fast done')?.correlationId, 'fast-1')
  t.equal(logs.lines.find((l) => l.msg === 'slow done')?.correlationId, 'slow-1')
})

t.test('Express: the pino logger given to the middleware, and its children, write the ID inside a request', async (t) => {
  const logs = createLogSink()
  const logger = pino({ level: 'info' }, logs.stream)
  const component = logger.child({ component: 'db' })
  const vigie = expressObservability({ logger, statsd: { port: 9 }, processMetrics: false })
  const app = express()
  app.use(vigie)
  app.get('/orders/:id', (_req, res) => {
    logger.info('app-wide')
    component.info('component')
    res.json({ bound: req.log.bindings().correlationId ?? null })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    await vigie.close()
    server.closeAllConnections()
    server.close()
  })
  await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/orders/1`, { headers: { 'x-request-id': 'express-inject-1' } })
  logger.info('outside')
  t.equal(logs.lines.find((l) => l.msg === 'app-wide')?.correlationId, 'express-inject-1')
  t.equal(logs.lines.find((l) => l.msg === 'component')?.correlationId, 'express-inject-1')
  t.equal(logs.lines.find((l) => l.msg === 'outside')?.correlationId, undefined)
})

t.test('Express: a per-request child logger writes the ID once per line, whether the app bound it or not', async (t) => {
  const logs = createLogSink()
  const logger = pino({ level: 'info' }, logs.stream)
  const vigie = expressObservability({ logger, statsd: { port: 9 }, processMetrics: false })
  const app = express()
  app.use(vigie)
  app.get('/orders/:id', (req, res) => {
    // As pino-http does: a child per request holding the request, writing several lines.
    const plain = logger.child({ req: { url: req.url, headers: req.headers } })
    plain.info('plain first')
    plain.info('plain second')
    // The same bindings string read again by a child that binds the ID itself.
    const bound = plain.child({ correlationId: req.get('x-request-id') })
    bound.info('bound first')
    bound.info('bound second')
    plain.info('plain third')
    bound.child({ step: 2 }).info('grandchild')
    res.send('ok')
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    await vigie.close()
    server.closeAllConnections()
    server.close()
  })
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/orders/1`
  for (const id of ['express-child-1', 'express-child-2']) await fetch(base, { headers: { 'x-request-id': id } })
  for (const id of ['express-child-1', 'express-child-2']) {
    const lines = logs.lines.filter((l) => l.correlationId === id).map((l) => l.msg)
    t.same(lines, ['plain first', 'plain second', 'bound first', 'bound second', 'plain third', 'grandchild'], id)
    t.same(keyCounts(logs, id).filter((n) => n !== 1), [], `${id}: the key once on every line`)
  }
})

t.test('Express with pino-http after vigie: its per-request child is bound to the ID (key once per line, its children too); a child bound to no request is not', async (t) => {
  const logs = createLogSink()
  const httpLogger = pinoHttp({ level: 'info' }, logs.stream)
  const vigie = expressObservability({ logger: httpLogger.logger, statsd: { port: 9 }, processMetrics: false })
  const app = express()
  app.use(vigie)
  app.use(httpLogger)
  let component: pino.Logger | undefined
  app.get('/orders/:id', (req, res) => {
    req.log.info('handling')
    // Its own binding of the key is left out: the bound child writes it already.
    req.log.child({ correlationId: req.correlationId, step: 2 }).info('step')
    // A child made inside a request, bound to no request object, may outlive it.
    component ??= httpLogger.logger.child({ component: 'db' })
    component.info('component')
    res.json({ bound: req.log.bindings().correlationId ?? null })
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    await vigie.close()
    server.closeAllConnections()
    server.close()
  })
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/orders/1`
  const ids = ['pino-http-1', 'pino-http-2', 'pino-http-3']
  for (const id of ids) {
    const res = await fetch(base, { headers: { 'x-request-id': id } })
    t.same(await res.json(), { bound: id }, `${id}: bound in the request's logger, not added line by line`)
  }
  component!.info('outside')
  for (const id of ids) {
    t.same(logs.lines.filter((l) => l.correlationId === id).map((l) => l.msg), ['handling', 'step', 'component', 'request completed'], id)
    t.same(keyCounts(logs, id).filter((n) => n !== 1), [], `${id}: the key once on every line`)
  }
  t.equal(logs.lines.find((l) => l.msg === 'step')?.step, 2)
  t.equal(logs.lines.find((l) => l.msg === 'outside')?.correlationId, undefined)
})

t.test('Express with pino-http: a level or bindings set later on its logger still reach the requests\' child loggers', async (t) => {
  const logs = createLogSink()
  const httpLogger = pinoHttp({ level: 'info' }, logs.stream)
  const vigie = expressObservability({ logger: httpLogger.logger, statsd: { port: 9 }, processMetrics: false })
  const app = express()
  app.use(vigie)
  app.use(httpLogger)
  app.get('/', (req, res) => {
    req.log.info('info line')
    req.log.warn('warn line')
    res.send('ok')
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    await vigie.close()
    server.closeAllConnections()
    server.close()
  })
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`
  for (const id of ['later-1', 'later-2']) await fetch(url, { headers: { 'x-request-id': id } })
  httpLogger.logger.level = 'warn'
  httpLogger.logger.setBindings({ service: 'orders' })
  await fetch(url, { headers: { 'x-request-id': 'later-3' } })
  t.same(logs.lines.filter((l) => l.correlationId === 'later-2').map((l) => l.msg), ['info line', 'warn line', 'request completed'])
  t.same(logs.lines.filter((l) => l.correlationId === 'later-3').map((l) => [l.msg, l.service]), [['warn line', 'orders']])
  t.same(keyCounts(logs, 'later-3'), [1])
})
