// One table of scenarios, run on Fastify and on Express 4 and 5 over real sockets: the same
// counters, the same exception metrics, the same exception lines. The frameworks only differ in
// how a route is written; what vigie makes of each request is decided once, in the core.
import type { FastifyInstance } from 'fastify'
import type { Express, NextFunction, Request, Response } from 'express'
import t, { type Test } from 'tap'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import type { LogSink } from '../helpers/log-sink.ts'
import { requestThenLeave } from '../helpers/raw-http.ts'
import type { StatsdListener } from '../helpers/statsd-listener.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** An error with an HTTP status, as http-errors makes them (both frameworks answer with it). */
function httpError (status: number, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status })
}

interface Scenario {
  readonly name: string
  /** The route pattern both apps declare, and the request sent. */
  readonly route: string
  readonly path: string
  /** Abort the request after this many ms. */
  readonly abortAfterMs?: number
  readonly headers?: Record<string, string>
  /** The `http_request` counter line expected (one request). */
  readonly counter: string | null
  /** `http_request.exception` line expected, or null for none. */
  readonly exceptionMetric: string | null
  /** The exception line expected (a subset), or null for none. */
  readonly exceptionLine: Record<string, unknown> | null
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'answered',
    route: '/users/:id',
    path: '/users/42',
    counter: 'http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/users/:id',
    exceptionMetric: null,
    exceptionLine: null,
  },
  {
    name: 'failed: a thrown error answered 500',
    route: '/fail',
    path: '/fail',
    counter: 'http_request:1|c|#http_status:500,http_status_class:5xx,method:GET,controller:/fail',
    exceptionMetric: 'http_request.exception:1|c|#controller:/fail,exception:TypeError',
    exceptionLine: { level: 50, msg: 'exception: TypeError: boom', err: { type: 'TypeError', message: 'boom' }, res: { statusCode: 500 }, req: { method: 'GET', route: '/fail' } },
  },
  {
    name: 'no route matched',
    route: '/elsewhere',
    path: '/nowhere',
    counter: 'http_request:1|c|#http_status:404,http_status_class:4xx,method:GET,controller:not_found',
    exceptionMetric: null,
    exceptionLine: null,
  },
  {
    name: 'a client error from an error with a status: counted, not an exception',
    route: '/bad',
    path: '/bad',
    counter: 'http_request:1|c|#http_status:400,http_status_class:4xx,method:GET,controller:/bad',
    exceptionMetric: null,
    exceptionLine: null,
  },
  {
    name: 'aborted after the app failed: counted 499, and the exception is captured',
    route: '/slow-fail',
    path: '/slow-fail',
    abortAfterMs: 100,
    counter: 'http_request:1|c|#http_status:499,http_status_class:4xx,method:GET,controller:/slow-fail',
    exceptionMetric: 'http_request.exception:1|c|#controller:/slow-fail,exception:Error',
    exceptionLine: { level: 50, msg: 'exception: Error: failed slowly', err: { message: 'failed slowly' }, res: { statusCode: 499 } },
  },
  {
    name: 'aborted while the app worked, without failing: counted 499, nothing captured',
    route: '/slow',
    path: '/slow',
    abortAfterMs: 100,
    counter: 'http_request:1|c|#http_status:499,http_status_class:4xx,method:GET,controller:/slow',
    exceptionMetric: null,
    exceptionLine: null,
  },
  {
    name: 'cut: the app failed after the headers were sent',
    route: '/cut',
    path: '/cut',
    counter: 'http_request:1|c|#http_status:500,http_status_class:5xx,method:GET,controller:/cut',
    exceptionMetric: 'http_request.exception:1|c|#controller:/cut,exception:Error',
    exceptionLine: { err: { message: 'stream broke' }, res: { statusCode: 500 } },
  },
  {
    name: 'ignored: not counted',
    route: '/health',
    path: '/health',
    counter: null,
    exceptionMetric: null,
    exceptionLine: null,
  },
]

/** The same routes, written for each framework. */
function fastifyRoutes (app: FastifyInstance): void {
  app.get('/users/:id', async () => ({ ok: true }))
  app.get('/fail', async () => { throw new TypeError('boom') })
  app.get('/elsewhere', async () => 'unused')
  app.get('/bad', async () => { throw httpError(400, 'bad input') })
  app.get('/slow', async () => { await sleep(400); return 'late' })
  app.get('/cut', async (_request, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/plain' })
    reply.raw.write('partial')
    throw new Error('stream broke')
  })
  app.get('/health', async () => 'ok')
  // Elsewhere Fastify's own error handler answers; here the app's, late: the client has gone by then.
  app.register(async (scope) => {
    scope.setErrorHandler(async (error: Error, _request, reply) => {
      await sleep(400)
      return reply.code(500).send({ error: error.message })
    })
    scope.get('/slow-fail', async () => { throw new Error('failed slowly') })
  })
}

function expressRoutes (app: Express): void {
  app.get('/users/:id', (_req, res) => { res.json({ ok: true }) })
  app.get('/fail', () => { throw new TypeError('boom') })
  app.get('/elsewhere', (_req, res) => { res.send('unused') })
  app.get('/bad', (_req, _res, next) => { next(httpError(400, 'bad input')) })
  app.get('/slow-fail', (_req, _res, next) => { next(new Error('failed slowly')) })
  app.get('/slow', (_req, res) => { setTimeout(() => res.send('late'), 400) })
  app.get('/cut', (_req, res, next) => {
    res.status(200).write('partial')
    next(new Error('stream broke'))
  })
  app.get('/health', (_req, res) => { res.send('ok') })
}

function expressErrorHandlers (app: Express): void {
  app.use((err: Error & { status?: number }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent || req.path === '/bad') {
      next(err)
      return
    }
    setTimeout(() => { res.status(500).json({ error: err.message }) }, req.path === '/slow-fail' ? 400 : 0)
  })
}

interface Running {
  readonly url: string
  readonly statsd: StatsdListener
  readonly logs: LogSink
}

const VIGIE = { ignore: ['/health'] }

const FRAMEWORKS: ReadonlyArray<readonly [string, (t: Test) => Promise<Running>]> = [
  ['fastify', (t) => startApp(t, { vigie: VIGIE, routes: fastifyRoutes })],
  ...EXPRESS_VERSIONS.map(([name, express]) => [name, (t: Test) => startExpressApp(t, express, { vigie: VIGIE, env: 'production', routes: expressRoutes, errorHandlers: expressErrorHandlers })] as const),
]

async function send (url: string, scenario: Scenario): Promise<void> {
  if (scenario.abortAfterMs !== undefined) {
    await requestThenLeave(`${url}${scenario.path}`, scenario.abortAfterMs, scenario.headers)
    return
  }
  try {
    const res = await fetch(`${url}${scenario.path}`, { headers: scenario.headers })
    await res.text()
  } catch {
    // Cut off: what vigie makes of it is what is checked.
  }
}

for (const scenario of SCENARIOS) {
  t.test(scenario.name, async (t) => {
    for (const [framework, start] of FRAMEWORKS) {
      await t.test(framework, async (t) => {
        const { url, statsd, logs } = await start(t)
        await send(url, scenario)
        // The app may still be working (the slow routes): wait until it is done, then for the lines.
        await sleep(scenario.abortAfterMs === undefined ? 0 : 450)
        if (scenario.counter !== null) await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request:')))
        if (scenario.exceptionMetric !== null) await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request.exception:')))
        await sleep(30)
        t.same(statsd.lines.filter((l) => l.startsWith('http_request:')), scenario.counter === null ? [] : [scenario.counter], 'the counter')
        t.same(statsd.lines.filter((l) => l.startsWith('http_request.exception:')), scenario.exceptionMetric === null ? [] : [scenario.exceptionMetric], 'the exception metric')
        const exceptions = logs.lines.filter((l) => String(l.msg).startsWith('exception:'))
        if (scenario.exceptionLine === null) {
          t.same(exceptions, [], 'no exception line')
        } else {
          t.equal(exceptions.length, 1, 'one exception line')
          t.match(exceptions[0], scenario.exceptionLine)
          t.match(exceptions[0], { correlationId: /^[0-9a-f-]{36}$/, req: { url: `${url}${scenario.path}` } })
        }
      })
    }
  })
}

t.test('the correlation ID: a valid one is kept and echoed, a hostile one replaced, on both', async (t) => {
  for (const [framework, start] of FRAMEWORKS) {
    await t.test(framework, async (t) => {
      const { url } = await start(t)
      const kept = await fetch(`${url}/users/1`, { headers: { 'x-request-id': 'abc-123' } })
      t.equal(kept.headers.get('x-request-id'), 'abc-123')
      const replaced = await fetch(`${url}/users/1`, { headers: { 'x-request-id': 'a b<script>' } })
      t.match(replaced.headers.get('x-request-id'), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    })
  }
})

t.test('an error the app left unhandled with a 4xx status leaves one info line with the ID and the message, on both', async (t) => {
  for (const [framework, start] of FRAMEWORKS) {
    await t.test(framework, async (t) => {
      const { url, logs } = await start(t)
      const res = await fetch(`${url}/bad`, { headers: { 'x-request-id': 'trace-400' } })
      t.equal(res.status, 400)
      await sleep(30)
      const traces = logs.lines.filter((l) => l.level === 30 && l.correlationId === 'trace-400' && JSON.stringify(l).includes('bad input'))
      t.equal(traces.length, 1, JSON.stringify(logs.lines.filter((l) => l.correlationId === 'trace-400')))
      // Fastify's default error handler writes this line itself (with the stack, scrubbed);
      // on Express, where vigie answers such errors, vigie writes it, without a stack.
      if (framework !== 'fastify') t.notOk(JSON.stringify(traces[0]).includes('at '), 'no stack')
    })
  }
})
