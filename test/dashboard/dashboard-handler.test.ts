// The framework-neutral handler: which paths it answers, methods, ETags, and fail-open.
import t from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { FailureReporter } from '../../lib/core/failure-reporter.ts'
import { dashboard } from '../../lib/dashboard/dashboard-feature.ts'
import { emptyTopQueries, FingerprintTable } from '../../lib/database/fingerprint-table.ts'
import type { TopQueries } from '../../lib/types.ts'
import { DashboardHandler, type DashboardHost } from '../../lib/dashboard/dashboard-handler.ts'
import { RecentExceptions } from '../../lib/dashboard/recent-exceptions.ts'
import { EndpointRouter } from '../../lib/core/endpoint-router.ts'
import type { EndpointResponse } from '../../lib/core/vigie.ts'
import type { IncomingHttpHeaders } from 'node:http'

function host (aggregator: DashboardHost['aggregator'] = new Aggregator({ maxSeries: 10 })): { host: DashboardHost, warnings: Array<{ obj: any, msg: string }> } {
  const warnings: Array<{ obj: any, msg: string }> = []
  const recent = new RecentExceptions()
  return {
    host: { aggregator, slos: () => [], alerts: () => [], queries: emptyTopQueries, recentExceptions: () => recent.list(), metricsDropped: () => null, reporter: new FailureReporter({ warn: (obj, msg) => warnings.push({ obj, msg }) }) },
    warnings,
  }
}

/** The answer through the router the Express adapter uses. */
function answer (handler: DashboardHandler, method: string, url: string, headers: IncomingHttpHeaders): EndpointResponse | null {
  // The dashboard answers at once: never a promise.
  return new EndpointRouter([handler], new FailureReporter({ warn () {} })).answer(method, url, headers) as EndpointResponse | null
}

t.test('answers its own paths only; null for any other', async (t) => {
  const handler = new DashboardHandler(host().host, { path: '/ops/vigie', token: undefined }, {})
  t.same(handler.paths, [
    '/ops/vigie', '/ops/vigie/data.json', '/ops/vigie/assets/uplot.iife.min.js', '/ops/vigie/assets/uplot.min.css',
    '/ops/vigie/assets/dashboard.js', '/ops/vigie/assets/dashboard.css', '/ops/vigie/assets/favicon.svg',
  ])
  for (const url of ['/', '/ops', '/ops/vigie/', '/ops/vigie/x', '/ops/vigie/assets/', '/ops/vigie/assets/../data.json', '/OPS/VIGIE', '/ops/vigiex']) {
    t.equal(answer(handler, 'GET', url, {}), null, url)
  }
  t.equal(answer(handler, 'GET', '/ops/vigie?x=1', {})?.status, 200, 'the query is not part of the path')
  t.match(answer(handler, 'GET', '/ops/vigie', {})?.body, 'href="vigie/assets/dashboard.css"')
  t.equal(handler.respond('/elsewhere', 'GET', '', {}).status, 404)
})

t.test('GET and HEAD only', async (t) => {
  const handler = new DashboardHandler(host().host, { path: '/_vigie', token: undefined }, {})
  t.equal(answer(handler, 'HEAD', '/_vigie/data.json', {})?.status, 200)
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const response = answer(handler, method, '/_vigie/data.json', {})!
    t.equal(response.status, 405, method)
    t.equal(response.headers.allow, 'GET, HEAD')
  }
})

t.test('assets: ETag, 304 on If-None-Match (weak and * too)', async (t) => {
  const handler = new DashboardHandler(host().host, { path: '/_vigie', token: 'secret' }, {})
  const first = answer(handler, 'GET', '/_vigie/assets/favicon.svg', {})!
  t.equal(first.status, 200)
  t.equal(first.headers['content-type'], 'image/svg+xml')
  t.match(first.body, /^<svg /)
  const etag = first.headers.etag!
  for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const again = answer(handler, 'GET', '/_vigie/assets/favicon.svg', { 'if-none-match': tag })!
    t.equal(again.status, 304, tag)
    t.equal(again.body, '')
    t.equal(again.headers.etag, etag)
  }
  t.equal(answer(handler, 'GET', '/_vigie/assets/favicon.svg', { 'if-none-match': '"other"' })?.status, 200)
})

t.test('fail-open: an error while building the data answers 500 and is reported', async (t) => {
  const failing = new Aggregator({ maxSeries: 10 })
  const broken: DashboardHost['aggregator'] = {
    snapshot: () => { throw new Error('aggregation broke') },
    history: (...args) => failing.history(...args),
    readWindow: (...args) => failing.readWindow(...args),
  }
  const { host: h, warnings } = host(broken)
  const handler = new DashboardHandler(h, { path: '/_vigie', token: undefined }, {})
  const response = answer(handler, 'GET', '/_vigie/data.json', {})!
  t.equal(response.status, 500)
  t.equal(response.body, 'vigie dashboard: internal error')
  t.equal(response.headers['cache-control'], 'no-store')
  t.equal(warnings.length, 1)
  t.match(warnings[0], { obj: { vigie: { subsystem: 'dashboard' }, err: { message: 'aggregation broke' } }, msg: 'vigie: dashboard failed; the app was not affected' })
  t.equal(answer(handler, 'GET', '/_vigie', {})?.status, 200, 'the page itself still loads')
})

t.test('warnings at construction: production without a token; aggregation off', async (t) => {
  const production = host()
  new DashboardHandler(production.host, { path: '/_vigie', token: undefined }, { NODE_ENV: 'production' })
  t.equal(production.warnings.length, 1)
  t.match(production.warnings[0]!.msg, /^vigie: the dashboard is on in production with no token/)
  t.same(production.warnings[0]!.obj, { vigie: { dashboardPath: '/_vigie' } })

  const development = host()
  new DashboardHandler(development.host, { path: '/_vigie', token: undefined }, { NODE_ENV: 'development' })
  new DashboardHandler(development.host, { path: '/_vigie', token: 'x' }, { NODE_ENV: 'production' })
  t.same(development.warnings, [], 'no warning outside production, nor with a token')

  const off = host(null)
  new DashboardHandler(off.host, { path: '/_vigie', token: undefined }, {})
  t.match(off.warnings, [{ msg: /aggregation is off/ }])
})

t.test('no token, served on an address other machines reach: one warning, at the first such request', async (t) => {
  const open = host()
  const handler = new DashboardHandler(open.host, { path: '/_vigie', token: undefined }, { NODE_ENV: 'development' })
  for (const address of [undefined, '127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
    t.equal(handler.respond('/_vigie', 'GET', '', {}, address).status, 200)
  }
  t.equal(handler.respond('/_vigie/assets/dashboard.js', 'GET', '', {}, '192.0.2.2').status, 200)
  t.same(open.warnings, [], 'none on loopback, with no address (inject(), a Unix socket), nor for the assets, which hold no data')
  t.equal(answer(handler, 'GET', '/_vigie/data.json', {})?.status, 200)
  t.equal((new EndpointRouter([handler], new FailureReporter({ warn () {} })).answer('GET', '/_vigie/data.json', {}, '192.0.2.2') as EndpointResponse | null)?.status, 200, 'the page and its data stay served')
  handler.respond('/_vigie', 'GET', '', {}, 'fd00::2')
  t.equal(open.warnings.length, 1, 'once')
  t.match(open.warnings[0]!.msg, /^vigie: the dashboard at \/_vigie is served with no token on 192\.0\.2\.2, an address other machines can reach: .*Set dashboard\.token/)
  t.same(open.warnings[0]!.obj, { vigie: { dashboardPath: '/_vigie', localAddress: '192.0.2.2' } })

  const guarded = host()
  const withToken = new DashboardHandler(guarded.host, { path: '/_vigie', token: 'x' }, {})
  t.equal(withToken.respond('/_vigie', 'GET', 'token=x', {}, '192.0.2.2').status, 200)
  t.equal(withToken.respond('/_vigie', 'GET', '', {}, '192.0.2.2').status, 401)
  t.same(guarded.warnings, [], 'none with a token')
})

t.test('data.json lists the SLOs and alerts; a provider that throws gives an empty list, warned once', async (t) => {
  const { host: h, warnings } = host()
  const alert = { name: 'error-ratio', state: 'firing' as const, since: 1_700_000_000_000, value: 0.2, severity: 'page' as const }
  let slosCalls = 0
  const failing: DashboardHost = {
    ...h,
    slos: () => {
      slosCalls++
      throw new TypeError('the tracker broke: token=abc')
    },
    alerts: () => [alert],
  }
  const handler = new DashboardHandler(failing, { path: '/_vigie', token: undefined }, {})
  for (let i = 0; i < 3; i++) {
    const response = answer(handler, 'GET', '/_vigie/data.json', {})!
    t.equal(response.status, 200, `poll ${i}: the data still answers`)
    const data = JSON.parse(response.body)
    t.same(data.slos, [])
    t.same(data.alerts, [alert], 'the other provider is read as usual')
    t.same(data.omitted, { slos: 0, alerts: 0 })
    t.equal(data.aggregation, true)
  }
  t.equal(slosCalls, 3, 'asked again at each poll: it may recover')
  t.equal(warnings.length, 1, 'one warning for the life of the app')
  t.equal(warnings[0]!.msg, 'vigie: the dashboard could not read the SLOs; it shows none while that fails (the rest of the page is not affected)')
  t.same(warnings[0]!.obj, { vigie: { provider: 'slos', err: { type: 'TypeError', message: 'the tracker broke: token=[REDACTED]' } } }, 'the message scrubbed and bounded, as reporter.report does')
  t.equal(answer(handler, 'GET', '/_vigie', {})?.status, 200, 'the page loads')

  const odd = host()
  const notAList = new DashboardHandler({ ...odd.host, alerts: () => null as unknown as [] }, { path: '/_vigie', token: undefined }, {})
  const response = answer(notAList, 'GET', '/_vigie/data.json', {})!
  t.equal(response.status, 200)
  t.same(JSON.parse(response.body).alerts, [])
  t.match(odd.warnings, [{ msg: /could not read the alerts/, obj: { vigie: { provider: 'alerts', err: { type: 'TypeError', message: 'expected an array, got null' } } } }])
})

t.test('data.json lists the slowest queries; a queries provider that throws or gives no table shows none, warned once', async (t) => {
  const table = new FingerprintTable()
  table.record({ system: 'postgresql', database: 'shop', statement: "SELECT * FROM users WHERE name = 'secret-value'", durationMs: 12, rows: 1, error: undefined })
  const { host: h, warnings } = host()
  let fail = true
  const handler = new DashboardHandler({ ...h, queries: () => { if (fail) throw new Error('table broke: password=hunter2'); return table.top() } }, { path: '/_vigie', token: undefined }, {})
  for (let i = 0; i < 2; i++) {
    const response = answer(handler, 'GET', '/_vigie/data.json', {})!
    t.equal(response.status, 200, `poll ${i}: the data still answers`)
    t.same(JSON.parse(response.body).database.slowestQueries, [])
    t.same(JSON.parse(response.body).database.other, { fingerprints: 0, count: 0, totalMs: 0, errors: 0 })
  }
  t.equal(warnings.length, 1, 'one warning for the life of the app')
  t.equal(warnings[0]!.msg, 'vigie: the dashboard could not read the query fingerprints; it shows none while that fails (the rest of the page is not affected)')
  t.same(warnings[0]!.obj, { vigie: { provider: 'queries', err: { type: 'Error', message: 'table broke: password=[REDACTED]' } } })
  fail = false
  const body = answer(handler, 'GET', '/_vigie/data.json', {})!.body
  t.same(JSON.parse(body).database.slowestQueries.map((q: { fingerprint: string }) => q.fingerprint), ['SELECT * FROM users WHERE name = ?'], 'read again at each poll: it recovered')
  t.notOk(body.includes('secret-value'))

  for (const odd of [null, [], { queries: 'x', other: {} }, { queries: [] }]) {
    const oddHost = host()
    const response = answer(new DashboardHandler({ ...oddHost.host, queries: () => odd as unknown as TopQueries }, { path: '/_vigie', token: undefined }, {}), 'GET', '/_vigie/data.json', {})!
    t.equal(response.status, 200)
    t.same(JSON.parse(response.body).database.slowestQueries, [])
    t.match(oddHost.warnings, [{ obj: { vigie: { provider: 'queries', err: { type: 'TypeError', message: /^expected a table of queries, got (null|object)$/ } } } }], JSON.stringify(odd))
  }
})

t.test('dashboard(): the providers reach data.json', async (t) => {
  const warnings: unknown[] = []
  const reporter = new FailureReporter({ warn: (obj) => warnings.push(obj) })
  const slo = {
    name: 'checkout',
    objective: 99.5,
    window: '7d' as const,
    good: 95,
    total: 100,
    sli: 0.95,
    errorBudget: { remaining: -9 },
    burnRates: { '5m': 10, '30m': 10, '1h': 10, '2h': 10, '6h': 10, '1d': 10, '3d': 10 },
    coverage: 1,
  }
  const page = dashboard({ path: '/_vigie', token: undefined }, null, () => null, reporter, { slos: () => [slo], alerts: () => [], queries: emptyTopQueries })
  const data = JSON.parse(page.endpoint.respond('/_vigie/data.json', 'GET', '', {}).body)
  t.same(data.slos, [slo])
  t.same(data.alerts, [])
})
