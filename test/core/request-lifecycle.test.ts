// The request lifecycle on its own, under the smallest adapter there is: plain node:http, with
// routes from a table. Real sockets, a real UDP listener and real pino lines; no framework.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import pino from 'pino'
import t, { type Test } from 'tap'
import { composeVigie } from '../../lib/compose.ts'
import { correlationId } from '../../lib/context/request-context.ts'
import type { FrameworkFacts, RequestState } from '../../lib/core/framework-facts.ts'
import { RequestLifecycle } from '../../lib/core/request-lifecycle.ts'
import { NOT_FOUND_CONTROLLER } from '../../lib/metrics/request-metrics.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import type { VigieOptions } from '../../lib/types.ts'
import { createLogSink, type LogSink } from '../helpers/log-sink.ts'
import { requestThenLeave } from '../helpers/raw-http.ts'
import { startStatsdListener, type StatsdListener } from '../helpers/statsd-listener.ts'

type PlainState = RequestState & { readonly path: string }
type Handler = (req: IncomingMessage, res: ServerResponse, state: PlainState | null) => void

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const ROUTES: Record<string, Handler> = {
  '/ok': (_req, res) => { res.end(correlationId() ?? 'none') },
  '/fail': (_req, res, state) => {
    if (state !== null) state.error = new RangeError('out of range')
    res.statusCode = 500
    res.end('failed')
  },
  '/teapot': (_req, res) => { res.statusCode = 418; res.end() },
  '/hang': () => {},
  '/cut': (_req, res) => {
    res.writeHead(200)
    res.write('partial')
    setTimeout(() => res.destroy(new Error('cut short')), 10)
  },
}

/** An adapter of a dozen lines: what FrameworkFacts asks of one. */
const plainFacts: FrameworkFacts<IncomingMessage, ServerResponse, PlainState> = {
  presetCorrelationId: null,
  header: (req, name) => req.headers[name],
  echo: (res, name, id) => { res.setHeader(name, id) },
  createState: (req, _res, correlationId, start, outgoing) =>
    ({ correlationId, outgoing, start, error: undefined, unhandled: false, ended: false, path: (req.url ?? '/').split('?')[0]! }),
  method: (req) => req.method ?? 'GET',
  controller: (_req, state) => state.path in ROUTES ? state.path : NOT_FOUND_CONTROLLER,
  url: (req) => req.url ?? '/',
  statusCode: (res) => res.statusCode,
  details: (req, state) => ({
    protocol: 'http',
    host: req.headers.host,
    url: req.url ?? '/',
    route: state.path in ROUTES ? state.path : undefined,
    headers: req.headers,
    query: undefined,
    params: undefined,
    body: undefined,
    remoteAddress: req.socket.remoteAddress,
  }),
  isEndpoint: () => false,
}

interface Plain {
  readonly url: string
  readonly statsd: StatsdListener
  readonly logs: LogSink
}

async function startPlain (t: Test, options: VigieOptions = {}): Promise<Plain> {
  const statsd = await startStatsdListener()
  const logs = createLogSink()
  const vigie = composeVigie(resolveOptions({
    processMetrics: false,
    ...options,
    statsd: { host: '127.0.0.1', port: statsd.port, bufferFlushInterval: 10 },
  }, {}), pino({ level: 'info' }, logs.stream))
  const lifecycle = new RequestLifecycle(vigie, plainFacts)
  const server: Server = createServer((req, res) => {
    const state = lifecycle.start(req, res)
    if (state !== null) res.on('close', () => lifecycle.end(req, res, state, res))
    lifecycle.enter(state, () => {
      const handler = ROUTES[(req.url ?? '/').split('?')[0]!]
      if (handler === undefined) {
        res.statusCode = 404
        res.end()
      } else {
        handler(req, res, state)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await vigie.close()
    await statsd.close()
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, statsd, logs }
}

function counters (statsd: StatsdListener): string[] {
  return statsd.lines.filter((line) => line.startsWith('http_request:'))
}

t.test('start reads or makes the ID and echoes it; enter runs the request in its async context', async (t) => {
  const { url } = await startPlain(t)
  const kept = await fetch(`${url}/ok`, { headers: { 'x-request-id': 'plain-1' } })
  t.equal(kept.headers.get('x-request-id'), 'plain-1')
  t.equal(await kept.text(), 'plain-1', 'correlationId() inside the request')
  const made = await fetch(`${url}/ok`, { headers: { 'x-request-id': 'no spaces allowed' } })
  const id = made.headers.get('x-request-id')
  t.match(id, /^[0-9a-f-]{36}$/)
  t.equal(await made.text(), id)
})

t.test('asyncContext: false keeps the ID in the header, out of the async context', async (t) => {
  const { url } = await startPlain(t, { asyncContext: false })
  const res = await fetch(`${url}/ok`, { headers: { 'x-request-id': 'plain-2' } })
  t.equal(res.headers.get('x-request-id'), 'plain-2')
  t.equal(await res.text(), 'none')
})

t.test('end: answered, failed, not found, cut and aborted, each counted once', async (t) => {
  const { url, statsd, logs } = await startPlain(t)
  await (await fetch(`${url}/ok`)).text()
  await (await fetch(`${url}/fail`)).text()
  await (await fetch(`${url}/nowhere`)).text()
  await (await fetch(`${url}/teapot`)).text()
  await fetch(`${url}/cut`).then((res) => res.text()).catch(() => 'cut')
  await requestThenLeave(`${url}/hang`, 50)
  await statsd.waitFor(() => counters(statsd).length >= 6)
  await sleep(30)
  t.same(counters(statsd).sort(), [
    'http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/ok',
    'http_request:1|c|#http_status:404,http_status_class:4xx,method:GET,controller:not_found',
    'http_request:1|c|#http_status:418,http_status_class:4xx,method:GET,controller:/teapot',
    'http_request:1|c|#http_status:499,http_status_class:4xx,method:GET,controller:/hang',
    'http_request:1|c|#http_status:500,http_status_class:5xx,method:GET,controller:/cut',
    'http_request:1|c|#http_status:500,http_status_class:5xx,method:GET,controller:/fail',
  ])
  const exceptions = logs.lines.filter((line) => String(line.msg).startsWith('exception:'))
  t.same(exceptions.map((line) => [line.msg, line.res.statusCode]).sort(), [
    ['exception: Error: cut short', 500],
    ['exception: RangeError: out of range', 500],
  ], 'the response the server destroyed carries its error into the line')
})

t.test('ignore: by path or predicate, not counted; a predicate that throws is reported and ignored', async (t) => {
  const { url, statsd, logs } = await startPlain(t, {
    ignore: (req) => {
      if ((req as IncomingMessage).url === '/teapot') throw new Error('predicate broke')
      return (req as IncomingMessage).url === '/ok'
    },
  })
  await (await fetch(`${url}/ok`)).text()
  await (await fetch(`${url}/teapot`)).text()
  await statsd.waitFor(() => counters(statsd).length >= 1)
  await sleep(30)
  t.same(counters(statsd), ['http_request:1|c|#http_status:418,http_status_class:4xx,method:GET,controller:/teapot'])
  t.match(logs.lines.filter((line) => line.level === 40), [{ vigie: { subsystem: 'ignore callback' }, err: { message: 'predicate broke' } }])
})

t.test('end acts once per request, whatever calls it again', async (t) => {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const vigie = composeVigie(resolveOptions({ processMetrics: false, statsd: { host: '127.0.0.1', port: statsd.port, bufferFlushInterval: 10 } }, {}), pino({ level: 'silent' }))
  t.teardown(() => vigie.close())
  const lifecycle = new RequestLifecycle(vigie, plainFacts)
  const server = createServer((req, res) => {
    const state = lifecycle.start(req, res)!
    res.end('ok', () => {
      lifecycle.end(req, res, state, res)
      lifecycle.end(req, res, state, res)
    })
    res.on('close', () => lifecycle.end(req, res, state, res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  const address = server.address() as { port: number }
  await (await fetch(`http://127.0.0.1:${address.port}/ok`)).text()
  await statsd.waitFor(() => counters(statsd).length >= 1)
  await sleep(50)
  t.equal(counters(statsd).length, 1)
})

t.test('facts that throw are reported, never thrown into the request', async (t) => {
  const warnings: string[] = []
  const vigie = composeVigie(resolveOptions({ processMetrics: false, statsd: { port: 9 } }, {}),
    { info () {}, error () {}, warn (obj: object) { warnings.push(JSON.stringify(obj)) } })
  t.teardown(() => vigie.close())
  const broken = new RequestLifecycle(vigie, { ...plainFacts, header: () => { throw new Error('no headers') } })
  let ran = false
  const state = broken.start({} as IncomingMessage, {} as ServerResponse)
  t.equal(state, null)
  broken.enter(state, () => { ran = true })
  t.ok(ran, 'the request went on')
  const failing = new RequestLifecycle(vigie, { ...plainFacts, controller: () => { throw new Error('no route') } })
  const started = failing.start({ headers: {}, url: '/ok' } as unknown as IncomingMessage, { setHeader () {} } as unknown as ServerResponse)!
  failing.end({} as IncomingMessage, {} as ServerResponse, started, { writableEnded: true, errored: null } as ServerResponse)
  t.match(warnings.join('\n'), /request start[\s\S]*request end/)
})
