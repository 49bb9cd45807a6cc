// The framework-neutral handler: which paths it answers, methods, ETags, and fail-open.
import t from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.js'
import { FailureReporter } from '../../lib/core/failure-reporter.js'
import { DashboardHandler, type DashboardHost } from '../../lib/dashboard/dashboard-handler.js'
import { RecentExceptions } from '../../lib/dashboard/recent-exceptions.js'
import { EndpointRouter } from '../../lib/core/endpoint-router.js'
import type { EndpointResponse } from '../../lib/core/vigie.js'
import type { IncomingHttpHeaders } from 'node:http'

function host (aggregator: DashboardHost['aggregator'] = new Aggregator({ maxSeries: 10 })): { host: DashboardHost, warnings: Array<{ obj: any, msg: string }> } {
  const warnings: Array<{ obj: any, msg: string }> = []
  const recent = new RecentExceptions()
  return {
    host: { aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null, reporter: new FailureReporter({ warn: (obj, msg) => warnings.push({ obj, msg }) }) },
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
  }
  const { host: h, warnings } = host(broken)
  const handler = new DashboardHandler(h, { path: '/_vigie', token: undefined }, {})
  const response = answer(handler, 'GET', '/_vigie/data.json', {})!
  t.equal(response.status, 500)
  t.equal(response.body, 'vigie dashboard: internal error')
  t.equal(response.headers['cache-control'], 'no-store')
  t.equal(warnings.length, 1)
  t.match(warnings[0], { obj: { vigie: { subsystem: 'dashboard' }, err: { message: 'aggregation broke' } }, msg: 'vigie: dashboard failed; the request was not affected' })
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
