// Outgoing propagation over real sockets: an upstream Fastify app with vigie makes calls, inside
// its requests, to a plain node:http downstream server that records every header it receives.
import { channel } from 'node:diagnostics_channel'
import { once } from 'node:events'
import http, { get as namedGet, request as namedRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import https from 'node:https'
import { connect } from 'node:net'
import t, { type Test } from 'tap'
import type { FastifyVigieOptions } from '../../lib/index.ts'
import { installOutgoingInstrumentation } from '../../lib/propagation/outgoing.ts'
import { currentRequestStore, runInRequestContext, type RequestStore } from '../../lib/context/request-context.ts'
import { closedTcpPort } from '../helpers/closed-ports.ts'
import { startApp, type TestApp } from '../helpers/fastify-app.ts'

const ORIGINAL = {
  httpRequest: http.request,
  httpGet: http.get,
  httpsRequest: https.request,
  httpsGet: https.get,
  namedRequest,
  namedGet,
}
const CHANNELS = ['undici:request:create', 'undici:request:headers', 'undici:request:error', 'http.client.response.finish']
const TIMING = /^http_client_request\.response_time:\d+(\.\d+)?\|ms\|#/

interface Downstream {
  readonly url: string
  readonly port: number
  /** Each request received: its path and its raw headers. */
  readonly received: Array<{ path: string, rawHeaders: string[] }>
  /** The values of `x-request-id` (any case) in the request received at `path`. */
  idsAt: (path: string) => string[]
}

async function startDownstream (t: Test): Promise<Downstream> {
  const received: Downstream['received'] = []
  const server = http.createServer((req, res) => {
    received.push({ path: req.url ?? '', rawHeaders: req.rawHeaders })
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/after-redirect' }).end()
    } else {
      res.end('ok')
    }
  })
  server.on('upgrade', (req, socket) => {
    received.push({ path: req.url ?? '', rawHeaders: req.rawHeaders })
    socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    server.closeAllConnections()
    server.close()
  })
  const port = (server.address() as { port: number }).port
  const idsAt = (path: string): string[] => {
    const raw = received.find((r) => r.path === path)?.rawHeaders ?? []
    return raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'x-request-id')
  }
  return { url: `http://127.0.0.1:${port}`, port, received, idsAt }
}

const actions = new Map<string, () => Promise<unknown>>()
let actionCount = 0

interface Upstream extends TestApp {
  /** Runs `action` inside a request to the upstream app carrying `x-request-id: requestId`. */
  inRequest: (action: () => Promise<unknown>, requestId?: string) => Promise<unknown>
}

async function startUpstream (t: Test, vigie: FastifyVigieOptions = {}): Promise<Upstream> {
  const app = await startApp(t, {
    vigie,
    routes: (app) => app.get('/run/:key', async (request) => {
      const action = actions.get((request.params as { key: string }).key)!
      return { result: await action() }
    }),
  })
  async function inRequest (action: () => Promise<unknown>, requestId = 'up-1'): Promise<unknown> {
    const key = String(actionCount++)
    actions.set(key, action)
    const res = await fetch(`${app.url}/run/${key}`, { headers: { 'x-request-id': requestId } })
    actions.delete(key)
    const body = await res.json() as { result: unknown }
    return body.result
  }
  return { ...app, inRequest }
}

/** Resolves with the status once the whole response has been read. */
function answered (start: (onResponse: (res: IncomingMessage) => void) => ClientRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = start((res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
  })
}

async function fetchStatus (url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, init)
  await res.arrayBuffer()
  return res.status
}

function clientLines (lines: string[]): string[] {
  return lines.filter((l) => l.startsWith('http_client_request')).sort()
}

function isInstalled (): boolean {
  return http.request !== ORIGINAL.httpRequest
}

t.test('the upstream ID reaches downstream once, whatever the call', async (t) => {
  const downstream = await startDownstream(t)
  const upstream = await startUpstream(t)
  const { url, port } = downstream
  const calls: Record<string, () => Promise<number>> = {
    fetch: () => fetchStatus(`${url}/fetch`),
    'http.request(url, options, cb)': () => answered((cb) => http.request(`${url}/request-url-options`, { method: 'GET' }, cb).end()),
    'http.request(url, cb)': () => answered((cb) => http.request(`${url}/request-url`, cb).end()),
    'http.request(URL)': () => answered((cb) => http.request(new URL(`${url}/request-URL`)).on('response', cb).end()),
    'http.request(options, cb)': () => answered((cb) => http.request({ hostname: '127.0.0.1', port, path: '/request-options' }, cb).end()),
    'http.get(url, cb)': () => answered((cb) => http.get(`${url}/get-url`, cb)),
    'http.get(options)': () => answered((cb) => http.get({ host: '127.0.0.1', port, path: '/get-options' }).on('response', cb)),
    'named import request': () => answered((cb) => namedRequest(`${url}/named-request`, cb).end()),
    'named import get': () => answered((cb) => namedGet(`${url}/named-get`, cb)),
    // No TLS server: https.request speaks plain HTTP over the socket createConnection gives it,
    // which is enough to see the headers its wrapper added.
    'https.request(options, cb)': () => answered((cb) => https.request({
      hostname: '127.0.0.1', port, path: '/https-request', createConnection: () => connect(port, '127.0.0.1'),
    }, cb).end()),
    'https.get(url, options, cb)': () => answered((cb) => https.get(`https://127.0.0.1:${port}/https-get`, {
      createConnection: () => connect(port, '127.0.0.1'),
    }, cb)),
  }
  for (const [name, call] of Object.entries(calls)) {
    t.equal(await upstream.inRequest(call), 200, `${name} is answered`)
  }
  for (const path of ['/fetch', '/request-url-options', '/request-url', '/request-URL', '/request-options', '/get-url',
    '/get-options', '/named-request', '/named-get', '/https-request', '/https-get']) {
    t.same(downstream.idsAt(path), ['up-1'], `${path}: the header arrived once, with the upstream ID`)
  }
})

t.test('the wrappers keep the names and arities of the functions they wrap', async (t) => {
  await startUpstream(t)
  t.ok(isInstalled())
  for (const [wrapped, original] of [[http.request, ORIGINAL.httpRequest], [http.get, ORIGINAL.httpGet],
    [https.request, ORIGINAL.httpsRequest], [https.get, ORIGINAL.httpsGet]] as const) {
    t.not(wrapped, original)
    t.equal(wrapped.name, original.name)
    t.equal(wrapped.length, original.length)
  }
  t.equal(namedRequest, http.request, 'the ESM named export is the wrapper too')
})

t.test('a header the caller set, in any case, is neither overwritten nor duplicated', async (t) => {
  const downstream = await startDownstream(t)
  const upstream = await startUpstream(t)
  const { url, port } = downstream
  await upstream.inRequest(async () => {
    await fetchStatus(`${url}/fetch`, { headers: { 'X-Request-ID': 'mine-1' } })
    await fetchStatus(`${url}/fetch-tuples`, { headers: [['x-request-id', 'mine-2']] })
    await answered((cb) => http.request(`${url}/object`, { headers: { 'X-REQUEST-ID': 'mine-3' } }, cb).end())
    await answered((cb) => http.get({ hostname: '127.0.0.1', port, path: '/flat-array', headers: ['Host', `127.0.0.1:${port}`, 'x-Request-Id', 'mine-4'] }, cb))
    await answered((cb) => http.get({ hostname: '127.0.0.1', port, path: '/pairs', headers: [['Host', `127.0.0.1:${port}`], ['X-Request-Id', 'mine-5']] }, cb))
    await answered((cb) => http.get({ hostname: '127.0.0.1', port, path: '/array-without', headers: ['Host', `127.0.0.1:${port}`] }, cb))
  })
  t.same(downstream.idsAt('/fetch'), ['mine-1'])
  t.same(downstream.idsAt('/fetch-tuples'), ['mine-2'])
  t.same(downstream.idsAt('/object'), ['mine-3'])
  t.same(downstream.idsAt('/flat-array'), ['mine-4'])
  t.same(downstream.idsAt('/pairs'), ['mine-5'])
  t.same(downstream.idsAt('/array-without'), ['up-1'], 'an array without the header gets it appended')
})

t.test('the caller\'s options and headers are copied, never mutated', async (t) => {
  const downstream = await startDownstream(t)
  const upstream = await startUpstream(t)
  const headers = Object.freeze({ accept: 'text/plain' })
  const options = Object.freeze({ hostname: '127.0.0.1', port: downstream.port, path: '/frozen', headers })
  const urlOptions = Object.freeze({ headers })
  const statuses = await upstream.inRequest(async () => [
    await answered((cb) => http.request(options, cb).end()),
    await answered((cb) => http.get(`${downstream.url}/url-options`, urlOptions, cb)),
  ])
  t.same(statuses, [200, 200])
  t.same(options, { hostname: '127.0.0.1', port: downstream.port, path: '/frozen', headers: { accept: 'text/plain' } })
  t.equal(options.headers, headers)
  t.same(urlOptions, { headers: { accept: 'text/plain' } })
  t.same(downstream.idsAt('/frozen'), ['up-1'])
  t.same(downstream.idsAt('/url-options'), ['up-1'])
  const accepted = downstream.received.filter((r) => r.rawHeaders.includes('text/plain')).map((r) => r.path)
  t.same(accepted, ['/frozen', '/url-options'], 'the caller\'s own headers went out as well')
})

t.test('propagation.targets decides which targets get the header', async (t) => {
  const downstream = await startDownstream(t)
  const cases: Array<[string, FastifyVigieOptions['propagation'], string[]]> = [
    ['own domain only', { targets: ['.example.com'] }, []],
    ['exact hostname', { targets: ['127.0.0.1'] }, ['up-1']],
    ['RegExp', { targets: [/^127\.0\.0\.\d+$/g] }, ['up-1']],
    ['function', { targets: (target) => target.port === String(downstream.port) && target.pathname.startsWith('/') }, ['up-1']],
    ['function that throws', { targets: () => { throw new Error('boom') } }, []],
  ]
  for (const [name, propagation, expected] of cases) {
    const upstream = await startUpstream(t, { propagation })
    const statuses = await upstream.inRequest(async () => [
      await fetchStatus(`${downstream.url}/${name}/fetch`),
      await answered((cb) => http.get(`${downstream.url}/${name}/get`, cb)),
      await answered((cb) => http.request(`${downstream.url}/${name}/request`, cb).end()),
    ])
    t.same(statuses, [200, 200, 200], `${name}: every call proceeds`)
    for (const via of ['fetch', 'get', 'request']) {
      t.same(downstream.idsAt(`/${encodeURI(name)}/${via}`), expected, `${name}, ${via}`)
    }
  }
})

for (const [option, vigie] of [['propagation: false', { propagation: false }], ['asyncContext: false', { asyncContext: false }]] as const) {
  t.test(`${option} adds nothing and installs nothing`, async (t) => {
    const downstream = await startDownstream(t)
    const upstream = await startUpstream(t, vigie)
    t.equal(http.request, ORIGINAL.httpRequest)
    t.equal(http.get, ORIGINAL.httpGet)
    t.equal(https.request, ORIGINAL.httpsRequest)
    for (const name of CHANNELS) t.notOk(channel(name).hasSubscribers, `${name} has no subscriber`)
    await upstream.inRequest(async () => {
      await fetchStatus(`${downstream.url}/fetch`)
      await answered((cb) => http.get(`${downstream.url}/get`, cb))
    })
    t.same(downstream.idsAt('/fetch'), [])
    t.same(downstream.idsAt('/get'), [])
    await upstream.app.close()
    t.same(clientLines(upstream.statsd.lines), [], 'and counts no outgoing call')
  })
}

t.test('calls made outside a request are untouched and not counted', async (t) => {
  const downstream = await startDownstream(t)
  const upstream = await startUpstream(t)
  t.ok(isInstalled())
  t.equal(currentRequestStore(), undefined)
  await fetchStatus(`${downstream.url}/fetch`)
  await answered((cb) => http.get(`${downstream.url}/get`, cb))
  await answered((cb) => http.request(`${downstream.url}/request`, cb).end())
  for (const path of ['/fetch', '/get', '/request']) t.same(downstream.idsAt(path), [], path)
  await upstream.app.close()
  t.same(clientLines(upstream.statsd.lines), [])
})

t.test('concurrent requests each propagate their own ID', async (t) => {
  const downstream = await startDownstream(t)
  const upstream = await startUpstream(t)
  let releaseFirst!: () => void
  const secondStarted = new Promise<void>((resolve) => { releaseFirst = resolve })
  await Promise.all([
    upstream.inRequest(async () => {
      await secondStarted
      await fetchStatus(`${downstream.url}/first/fetch`)
      await answered((cb) => http.get(`${downstream.url}/first/get`, cb))
    }, 'id-first'),
    upstream.inRequest(async () => {
      const call = answered((cb) => http.get(`${downstream.url}/second/get`, cb))
      releaseFirst()
      await Promise.all([call, fetchStatus(`${downstream.url}/second/fetch`)])
    }, 'id-second'),
  ])
  t.same(downstream.idsAt('/first/fetch'), ['id-first'])
  t.same(downstream.idsAt('/first/get'), ['id-first'])
  t.same(downstream.idsAt('/second/fetch'), ['id-second'])
  t.same(downstream.idsAt('/second/get'), ['id-second'])
})

t.test('outgoing calls are counted and timed: status, error, redirect hops', async (t) => {
  const downstream = await startDownstream(t)
  const upstream = await startUpstream(t)
  const closed = `http://127.0.0.1:${await closedTcpPort()}`
  const results = await upstream.inRequest(async () => {
    const outcome = (call: Promise<number>): Promise<number | string> => call.catch((err) => `failed: ${err?.cause?.code ?? err?.code}`)
    return [
      await outcome(fetchStatus(`${downstream.url}/`)),
      await outcome(fetchStatus(`${closed}/`)),
      await outcome(answered((cb) => http.request(`${downstream.url}/`, { method: 'post' }, cb).end())),
      await outcome(answered((cb) => http.get(`${closed}/`, cb))),
      await outcome(fetchStatus(`${downstream.url}/redirect`)),
    ]
  })
  t.same(results, [200, 'failed: ECONNREFUSED', 200, 'failed: ECONNREFUSED', 200])
  t.same(downstream.idsAt('/after-redirect'), ['up-1'], 'the redirected hop gets the header too')
  await upstream.statsd.waitFor((lines) => clientLines(lines).length >= 12)
  const ok = 'target_host:127.0.0.1,method:GET,http_status:200,http_status_class:2xx'
  const failed = 'target_host:127.0.0.1,method:GET,http_status:error,http_status_class:error'
  const posted = 'target_host:127.0.0.1,method:POST,http_status:200,http_status_class:2xx'
  const redirected = 'target_host:127.0.0.1,method:GET,http_status:302,http_status_class:3xx'
  const lines = clientLines(upstream.statsd.lines)
  t.same(lines.filter((l) => l.includes('|c|')), [ok, ok, failed, failed, posted, redirected].map((tags) => `http_client_request:1|c|#${tags}`).sort())
  const timings = lines.filter((l) => l.includes('|ms|'))
  t.equal(timings.length, 6)
  for (const timing of timings) t.match(timing, TIMING)
  t.same(timings.map((l) => l.slice(l.indexOf('#') + 1)).sort(), [failed, failed, ok, ok, posted, redirected].sort())
})

t.test('an upgrade answer is not counted as a failure', async (t) => {
  const downstream = await startDownstream(t)
  const upstream = await startUpstream(t)
  await upstream.inRequest(async () => {
    const req = http.request(`${downstream.url}/upgrade`, { headers: { connection: 'upgrade', upgrade: 'test' } })
    req.end()
    const [, socket] = await once(req, 'upgrade') as [IncomingMessage, import('node:net').Socket]
    socket.destroy()
    await fetchStatus(`${downstream.url}/after`)
  })
  await upstream.statsd.waitFor((lines) => clientLines(lines).length >= 2)
  await upstream.app.close()
  t.same(downstream.idsAt('/upgrade'), ['up-1'])
  t.same(clientLines(upstream.statsd.lines).filter((l) => l.includes('|c|')),
    ['http_client_request:1|c|#target_host:127.0.0.1,method:GET,http_status:200,http_status_class:2xx'])
})

t.test('installed while an app needs it, removed with the last one', async (t) => {
  const first = await startUpstream(t)
  const second = await startUpstream(t)
  t.ok(isInstalled())
  await first.app.close()
  t.ok(isInstalled(), 'closing one app keeps it for the other')
  for (const name of CHANNELS) t.ok(channel(name).hasSubscribers, `${name} still subscribed`)
  await second.app.close()
  t.equal(http.request, ORIGINAL.httpRequest)
  t.equal(http.get, ORIGINAL.httpGet)
  t.equal(https.request, ORIGINAL.httpsRequest)
  t.equal(https.get, ORIGINAL.httpsGet)
  t.equal(namedRequest, ORIGINAL.namedRequest, 'the ESM named exports are restored too')
  t.equal(namedGet, ORIGINAL.namedGet)
  for (const name of CHANNELS) t.notOk(channel(name).hasSubscribers, `${name} has no subscriber left`)
})

t.test('installing twice wraps once; uninstalling respects a later wrapper', async (t) => {
  const uninstall = installOutgoingInstrumentation()
  const wrapped = http.request
  const uninstallAgain = installOutgoingInstrumentation()
  t.equal(http.request, wrapped, 'a wrapper is never wrapped again')
  uninstallAgain()
  t.equal(http.request, wrapped)

  const later = function laterWrapper (this: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(wrapped, this, args)
  } as typeof http.request
  http.request = later
  t.teardown(() => { http.request = ORIGINAL.httpRequest })
  uninstall()
  t.equal(http.request, later, 'a wrapper added after vigie\'s is left in place')
  t.equal(http.get, ORIGINAL.httpGet)

  const downstream = await startDownstream(t)
  const store: RequestStore = { correlationId: 'stale', outgoing: { header: 'x-request-id', allows: () => true, record: () => {} } }
  await runInRequestContext(store, () => answered((cb) => http.request(`${downstream.url}/chained`, cb).end()))
  t.same(downstream.idsAt('/chained'), [], 'vigie\'s wrapper left in that chain only calls through')
})

t.test('fail-open: a policy that throws never reaches the caller', async (t) => {
  const downstream = await startDownstream(t)
  const uninstall = installOutgoingInstrumentation()
  t.teardown(uninstall)
  const throwing: RequestStore = {
    correlationId: 'x-1',
    outgoing: {
      header: 'x-request-id',
      allows: () => { throw new Error('allows') },
      record: () => { throw new Error('record') },
    },
  }
  const uncaught: unknown[] = []
  const onUncaught = (err: unknown): void => { uncaught.push(err) }
  process.on('uncaughtException', onUncaught)
  t.teardown(() => process.off('uncaughtException', onUncaught))
  const closed = `http://127.0.0.1:${await closedTcpPort()}`
  const statuses = await runInRequestContext(throwing, async () => [
    await fetchStatus(`${downstream.url}/fetch`),
    await answered((cb) => http.get(`${downstream.url}/get`, cb)),
    await fetchStatus(`${closed}/`).catch(() => 'failed'),
    await answered((cb) => http.get(`${closed}/`, cb)).catch(() => 'failed'),
  ])
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.same(statuses, [200, 200, 'failed', 'failed'])
  t.same(downstream.idsAt('/fetch'), [])
  t.same(downstream.idsAt('/get'), [])
  t.same(uncaught, [])

  const odd: RequestStore = { correlationId: 'x-2', outgoing: { header: 'x-request-id', allows: () => true, record: () => {} } }
  const weird = await runInRequestContext(odd, async () => [
    await answered((cb) => http.get({ hostname: '127.0.0.1', port: downstream.port, path: '/map-headers', headers: new Map() as never }, cb)),
    await answered((cb) => http.get({ hostname: '127.0.0.1', port: downstream.port, path: '/odd-host', host: 'ignored host' } as never, cb)),
  ])
  t.same(weird, [200, 200])
  t.same(downstream.idsAt('/map-headers'), [], 'headers in a form vigie does not know are left alone')
  t.same(downstream.idsAt('/odd-host'), ['x-2'], 'hostname wins over host, as in Node')
})
