// The Prometheus endpoint on a real Fastify server (logger on): its output passes promtool, its
// counts are exact, OpenMetrics when asked, the token, its own port, scrapes never counted (in
// metrics nor SLOs), the app's own metrics under sanitised names, and the series cap.
import Fastify, { type FastifyInstance } from 'fastify'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { observability, patchAll } from '../../lib/index.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { PROMTOOL, promtoolCheck, samples, sumOf } from '../helpers/prometheus.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { needs } from '../helpers/system-packages.ts'
import { until } from '../helpers/until.ts'

const TOKEN = 'scrape-token-5b1e0c77'
const OK = 7
const FAILED = 3
const MISSING = 2
const SENT = OK + FAILED + MISSING

function routes (app: FastifyInstance): void {
  app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }))
  app.get('/fail', async () => {
    throw new TypeError('items table locked')
  })
}

async function traffic (url: string): Promise<void> {
  for (let i = 0; i < OK; i++) await (await fetch(`${url}/items/${i}`)).arrayBuffer()
  for (let i = 0; i < FAILED; i++) await (await fetch(`${url}/fail`)).arrayBuffer()
  for (let i = 0; i < MISSING; i++) await (await fetch(`${url}/missing/${i}`)).arrayBuffer()
}

async function scrape (url: string, init?: RequestInit): Promise<string> {
  const response = await fetch(url, init)
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`)
  return await response.text()
}

/** Every histogram series of `name`: its buckets cumulative and never decreasing, `+Inf` equal to `_count`. */
function checkHistogram (t: Test, all: Map<string, number>, name: string): void {
  const bySeries = new Map<string, number[]>()
  for (const [key, value] of all) {
    if (!key.startsWith(`${name}_bucket{`)) continue
    const labels = key.slice(key.indexOf('{') + 1, -1).replace(/,?le="[^"]*"/, '')
    bySeries.set(labels, [...(bySeries.get(labels) ?? []), value])
  }
  t.ok(bySeries.size > 0, `${name} has series`)
  for (const [labels, counts] of bySeries) {
    t.equal(counts.length, 12, `${name}{${labels}}: 11 bounds and +Inf`)
    t.ok(counts.every((count, i) => i === 0 || count >= counts[i - 1]!), `${name}{${labels}}: cumulative`)
    t.equal(counts.at(-1), all.get(`${name}_count${labels === '' ? '' : `{${labels}}`}`), `${name}{${labels}}: +Inf is the count`)
  }
}

t.test('the exposition passes promtool and counts exactly what was sent', needs(PROMTOOL), async (t) => {
  const { app, url, logs } = await startApp(t, {
    vigie: { prometheus: true, processMetrics: { intervalMs: 1000 }, slos: [{ name: 'api', objective: 99, window: '30d', sli: 'availability' }] },
    routes,
  })
  await traffic(url)
  app.statsd.increment('orders.placed', 2, ['shop:eu'])
  app.statsd.timing('checkout-time', 120, ['shop:eu'])
  app.statsd.gauge('queue.depth', 7)
  // The process gauges come from 1 s on.
  await until(() => (app.vigie.snapshot()?.series ?? []).some((s) => s.name.startsWith('process.')), 5000)

  const response = await fetch(`${url}/metrics`)
  t.equal(response.status, 200)
  t.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
  const text = await response.text()
  const check = await promtoolCheck(text)
  t.equal(check.code, 0, `promtool check metrics passes${check.output === '' ? '' : `: ${check.output}`}`)

  const all = samples(text)
  t.equal(sumOf(all, 'http_requests_total'), SENT, 'http_requests_total is the requests sent')
  t.equal(sumOf(all, 'http_requests_total', 'controller="/items/:id"', 'method="GET"', 'status="200"', 'status_class="2xx"'), OK)
  t.equal(sumOf(all, 'http_requests_total', 'controller="/fail"', 'status="500"', 'status_class="5xx"'), FAILED)
  t.equal(sumOf(all, 'http_requests_total', 'controller="not_found"', 'status="404"'), MISSING)
  t.equal(sumOf(all, 'http_request_duration_seconds_count'), SENT, 'the histogram counts them all')
  t.ok(sumOf(all, 'http_request_duration_seconds_sum') > 0)
  checkHistogram(t, all, 'http_request_duration_seconds')
  t.match(text, /^# HELP http_requests_total .+\n# TYPE http_requests_total counter$/m)
  t.match(text, /^# TYPE http_request_duration_seconds histogram$/m)
  t.equal(sumOf(all, 'http_request_exceptions_total', 'controller="/fail"', 'exception="TypeError"'), FAILED)
  t.notMatch(text, /http_status/, 'the http tags are renamed')

  t.equal(all.get('orders_placed_total{shop="eu"}'), 2, "the app's counter")
  t.equal(all.get('checkout_time_seconds_bucket{shop="eu",le="0.1"}'), 0, "the app's timing, in seconds")
  t.equal(all.get('checkout_time_seconds_bucket{shop="eu",le="0.25"}'), 1)
  t.equal(all.get('checkout_time_seconds_sum{shop="eu"}'), 0.12)
  t.equal(all.get('queue_depth'), 7, "the app's gauge")
  t.ok(sumOf(all, 'process_heap_used') > 0, 'the process gauges')
  t.equal(sumOf(all, 'vigie_prometheus_dropped_total'), 0, 'nothing dropped')

  // Scrapes, in both formats, with and without a token's worth of query: never traffic.
  for (let i = 0; i < 5; i++) await scrape(`${url}/metrics`)
  await scrape(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } })
  const after = samples(await scrape(`${url}/metrics`))
  t.equal(sumOf(after, 'http_requests_total'), SENT, 'scrapes are not counted')
  t.equal(sumOf(after, 'http_request_duration_seconds_count'), SENT)
  t.match(app.vigie.slos()[0], { total: SENT }, 'nor are they in the SLO')
  t.notOk(app.vigie.snapshot()?.series.some((s) => JSON.stringify(s.tags).includes('metrics')), 'nor in the aggregation')
  t.notOk(logs.lines.some((line) => line.msg === 'vigie: warning' || /failed/.test(String(line.msg))), 'no failure logged')
})

t.test('OpenMetrics when Accept asks for it', async (t) => {
  const { url } = await startApp(t, { vigie: { prometheus: true }, routes })
  await traffic(url)
  const response = await fetch(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' } })
  t.equal(response.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8')
  const text = await response.text()
  t.ok(text.endsWith('\n# EOF\n'), 'ends with # EOF')
  t.match(text, /^# TYPE http_requests counter$/m, "a counter's family is named without _total")
  t.match(text, /^# HELP http_requests /m)
  t.notMatch(text, /^# TYPE http_requests_total/m)
  t.equal(sumOf(samples(text.replace('# EOF\n', '')), 'http_requests_total'), SENT, 'its samples keep _total')
  t.match(text, /^http_request_duration_seconds_bucket\{[^}]*le="1\.0"\} \d+$/m, 'le values as floats')
  const refused = await fetch(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text; q=0, text/plain' } })
  t.equal(refused.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8', 'not when its weight is 0')
  await refused.arrayBuffer()
})

t.test('with a token: 401 without it, the metrics with it', async (t) => {
  const { url } = await startApp(t, { vigie: { prometheus: { token: TOKEN, path: '/ops/metrics' } }, routes })
  await traffic(url)
  const denied = await fetch(`${url}/ops/metrics`)
  t.equal(denied.status, 401)
  t.equal(denied.headers.get('www-authenticate'), 'Bearer realm="vigie"')
  t.notMatch(await denied.text(), /http_requests/, 'nothing leaks')
  t.equal((await fetch(`${url}/ops/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401)
  const allowed = await scrape(`${url}/ops/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(sumOf(samples(allowed), 'http_requests_total'), SENT)
  t.equal(sumOf(samples(await scrape(`${url}/ops/metrics?token=${TOKEN}`)), 'http_requests_total'), SENT, 'or as ?token=')
  t.equal((await fetch(`${url}/metrics`)).status, 404, 'the default path is not served')
  t.equal(sumOf(samples(await scrape(`${url}/ops/metrics?token=${TOKEN}`)), 'http_requests_total'), SENT + 1, 'only the app\'s own 404 counted, no scrape')
})

t.test('on its own port: served there, not on the app, closed with it', async (t) => {
  const { app, url, logs } = await startApp(t, { vigie: { prometheus: { port: 0 } }, routes })
  await until(() => logs.lines.some((line) => line.prometheus !== undefined))
  const listening = logs.lines.find((line) => line.prometheus !== undefined)!
  t.equal(listening.msg, 'vigie: Prometheus metrics served on their own port')
  t.match(listening.prometheus.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/, 'on loopback by default')
  await traffic(url)
  const text = await scrape(listening.prometheus.url)
  t.equal(sumOf(samples(text), 'http_requests_total'), SENT)
  t.equal((await fetch(`${listening.prometheus.url}/other`)).status, 404, 'nothing else there')
  const onApp = await fetch(`${url}/metrics`)
  t.equal(onApp.status, 404, 'not on the app')
  await onApp.arrayBuffer()
  // Keep a connection open, as Prometheus does: closing the app still settles.
  await scrape(listening.prometheus.url, { keepalive: true })
  await app.close()
  await t.rejects(fetch(listening.prometheus.url), 'closed with the app')
})

t.test("bounded: a flood of the app's metric names stays within the cap, dropped values counted, one warning", async (t) => {
  const { app, url, logs } = await startApp(t, { vigie: { prometheus: true, aggregation: { maxSeries: 50 } }, routes })
  await traffic(url)
  for (let i = 0; i < 2000; i++) app.statsd.increment(`flood.name_${i}`)
  const text = await scrape(`${url}/metrics`)
  const all = samples(text)
  const series = new Set([...all.keys()].filter((key) => !key.startsWith('vigie_prometheus_dropped_total'))
    .map((key) => key.replace(/_(bucket|sum|count)(\{|$)/, '$2').replace(/,?le="[^"]*"/, '').replace('{}', '')))
  t.ok(series.size <= 50, `at most 50 series (${series.size})`)
  t.equal(sumOf(all, 'http_requests_total'), SENT, 'the series made before the flood keep counting')
  t.ok(all.get('vigie_prometheus_dropped_total{reason="series_cap"}')! >= 2000 - 50, 'the dropped values are counted')
  const warnings = logs.lines.filter((line) => /Prometheus series reached/.test(String(line.msg)))
  t.equal(warnings.length, 1, 'one warning')
  await traffic(url)
  t.equal(sumOf(samples(await scrape(`${url}/metrics`)), 'http_requests_total'), 2 * SENT, 'and go on counting after it')
})

t.test('patchAll(): an app registered automatically serves it', async (t) => {
  const statsd = await startStatsdListener()
  const unpatch = patchAll({ prometheus: true, processMetrics: false, statsd: { host: '127.0.0.1', port: statsd.port } })
  const app = Fastify()
  t.teardown(async () => {
    await app.close()
    unpatch()
    await statsd.close()
  })
  routes(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  await traffic(url)
  t.equal(sumOf(samples(await scrape(`${url}/metrics`)), 'http_requests_total'), SENT)
})

t.test('off by default', async (t) => {
  const { url } = await startApp(t, { routes })
  t.equal((await fetch(`${url}/metrics`)).status, 404)
  t.ok(observability, 'the plugin')
})

t.test('its own port in use: reported once, the app goes on', async (t) => {
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { taken.close() })
  const port = (taken.address() as AddressInfo).port
  const { app, url, logs } = await startApp(t, { vigie: { prometheus: { port } }, routes })
  await until(() => logs.lines.some((line) => line.vigie?.subsystem === 'prometheus'))
  const report = logs.lines.find((line) => line.vigie?.subsystem === 'prometheus')!
  t.equal(report.msg, 'vigie: prometheus failed; the app was not affected')
  t.equal(report.err.type, 'Error')
  t.match(report.err.message, /EADDRINUSE/)
  await traffic(url)
  t.equal((await fetch(`${url}/items/1`)).status, 200, 'the app serves')
  await app.close()
  t.pass('and closes')
})
