import t from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.js'
import { buildDashboardData, MAX_ALERTS, MAX_SLOS } from '../../lib/dashboard/dashboard-data.js'
import type { AlertStatus, SloStatus } from '../../lib/types.js'
import { RecentExceptions } from '../../lib/dashboard/recent-exceptions.js'

const NO_STATUS = { slos: () => [], alerts: () => [] }

// 2023-11-14T22:13:20Z, on a 10-s bucket boundary.
const T0 = 1_700_000_000_000

function setUp (): { aggregator: Aggregator, recent: RecentExceptions, clock: { now: number } } {
  const clock = { now: T0 }
  const aggregator = new Aggregator({ maxSeries: 100, now: () => clock.now })
  return { aggregator, recent: new RecentExceptions(), clock }
}

function request (aggregator: Aggregator, controller: string, status: number, ms: number): void {
  const tags = [`http_status:${status}`, `http_status_class:${Math.floor(status / 100)}xx`, 'method:GET', `controller:${controller}`]
  aggregator.record('counter', 'http_request', tags, 1)
  aggregator.record('timing', 'http_request.response_time', tags, ms)
}

t.test('timelines: 30 buckets of 10 s, requests per second by class and response-time percentiles', async (t) => {
  const { aggregator, recent, clock } = setUp()
  // Bucket T0: 20 × 200 at 10 ms, 10 × 404 at 2 ms. Bucket T0+10s: 5 × 500 at 100 ms.
  for (let i = 0; i < 20; i++) request(aggregator, '/items/:id', 200, 10)
  for (let i = 0; i < 10; i++) request(aggregator, 'not_found', 404, 2)
  clock.now = T0 + 10_000
  for (let i = 0; i < 5; i++) request(aggregator, '/checkout', 500, 100)
  clock.now = T0 + 15_000
  const data = buildDashboardData({ ...NO_STATUS, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })

  t.equal(data.aggregation, true)
  t.equal(data.at, T0 + 15_000)
  const time = data.timeline.time
  t.equal(time.length, 30)
  t.equal(time[29], (T0 + 10_000) / 1000, 'the current bucket is last, in epoch seconds')
  t.equal(time[28], T0 / 1000)
  const rates = data.timeline.requestsPerSecond
  t.equal(rates.total[28], 3, '30 requests in a full 10-s bucket')
  t.equal(rates['2xx'][28], 2)
  t.equal(rates['4xx'][28], 1)
  t.equal(rates['5xx'][28], 0)
  t.equal(rates['5xx'][29], 1, '5 requests in the 5 s the current bucket has run')
  t.equal(rates['3xx'].every((rate) => rate === 0), true, 'a class with no series is all zeros')
  t.equal(rates.total[0], 0, 'an empty bucket is 0 requests per second')

  const latency = data.timeline.responseTimeMs
  t.equal(latency.p50[0], null, 'an empty bucket has no response time')
  t.ok(Math.abs(latency.p50[29]! - 100) <= 2, `p50 of the last bucket ≈ 100 ms (${latency.p50[29]})`)
  t.ok(Math.abs(latency.p99[28]! - 10) <= 0.2, `p99 of the first bucket ≈ 10 ms (${latency.p99[28]})`)
  t.ok(Math.abs(latency.p50[28]! - 10) <= 0.2, `p50 of the first bucket ≈ 10 ms (${latency.p50[28]})`)
})

t.test('status classes and controllers over the last 5 minutes', async (t) => {
  const { aggregator, recent, clock } = setUp()
  for (let i = 0; i < 12; i++) request(aggregator, '/items/:id', 200, 5)
  request(aggregator, '/items/:id', 500, 5)
  for (let i = 0; i < 4; i++) request(aggregator, '/checkout', 500, 5)
  request(aggregator, '/checkout', 201, 5)
  for (let i = 0; i < 3; i++) request(aggregator, 'not_found', 404, 1)
  request(aggregator, '/old', 301, 1)
  request(aggregator, '/gone', 499, 1)
  clock.now = T0 + 60_000
  const data = buildDashboardData({ ...NO_STATUS, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })

  t.same(data.statusClasses, { total: 23, counts: { '2xx': 13, '3xx': 1, '4xx': 4, '5xx': 5, other: 0 } })
  t.same(data.controllers.busiest.map((row) => [row.controller, row.requests, row.clientErrors, row.serverErrors]), [
    ['/items/:id', 13, 0, 1],
    ['/checkout', 5, 0, 4],
    ['not_found', 3, 3, 0],
    ['/gone', 1, 1, 0],
    ['/old', 1, 0, 0],
  ])
  t.same(data.controllers.failing.map((row) => [row.controller, row.serverErrors, row.errorRate]), [
    ['/checkout', 4, 0.8],
    ['/items/:id', 1, 0.077],
  ], 'only controllers with 5xx, most first')
  t.ok(data.controllers.busiest[0]!.perSecond > 0)
})

t.test('at most 10 controllers per table', async (t) => {
  const { aggregator, recent } = setUp()
  for (let c = 0; c < 15; c++) for (let i = 0; i <= c; i++) request(aggregator, `/r${c}`, 500, 1)
  const data = buildDashboardData({ ...NO_STATUS, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })
  t.equal(data.controllers.busiest.length, 10)
  t.equal(data.controllers.failing.length, 10)
  t.equal(data.controllers.busiest[0]!.controller, '/r14')
})

t.test('process gauges: latest value of every process.* gauge, heap/RSS/event-loop timelines', async (t) => {
  const { aggregator, recent, clock } = setUp()
  aggregator.record('gauge', 'process.heap_used', [], 50 * 1024 * 1024)
  aggregator.record('gauge', 'process.rss', [], 120 * 1024 * 1024)
  aggregator.record('gauge', 'process.event_loop_delay.p99', [], 12.5)
  aggregator.record('gauge', 'app.queue_depth', [], 7)
  clock.now = T0 + 10_000
  aggregator.record('gauge', 'process.heap_used', [], 60 * 1024 * 1024)
  aggregator.record('gauge', 'process.cpu_percent', [], 3.25)
  const data = buildDashboardData({ ...NO_STATUS, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })

  t.same({ ...data.process.latest }, {
    'process.heap_used': 60 * 1024 * 1024,
    'process.rss': 120 * 1024 * 1024,
    'process.event_loop_delay.p99': 12.5,
    'process.cpu_percent': 3.25,
  }, 'other gauges are not process gauges')
  const timeline = data.process.timeline
  t.same(timeline.time, data.timeline.time, 'the same time axis as the request charts')
  t.same(timeline.heapUsedBytes.slice(-2), [50 * 1024 * 1024, 60 * 1024 * 1024])
  t.same(timeline.rssBytes.slice(-2), [120 * 1024 * 1024, null], 'no sample in a bucket: null (a gap)')
  t.same(timeline.eventLoopDelayP99Ms.slice(-2), [12.5, null])
})

t.test('exceptions, newest first; series count and cap; the lines vigie could not send', async (t) => {
  const { aggregator, recent } = setUp()
  recent.add({ at: T0, correlationId: 'a', method: 'GET', controller: '/x', status: 500, name: 'Error', message: 'first' })
  recent.add({ at: T0 + 1, correlationId: 'b', method: 'POST', controller: '/y', status: 502, name: 'TypeError', message: '<script>alert(1)</script>' })
  request(aggregator, '/x', 500, 1)
  const data = buildDashboardData({ ...NO_STATUS, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => ({ dns: 0, socket: 7, queue_full: 1 }) })
  t.same(data.metricsDropped, { dns: 0, socket: 7, queue_full: 1 })
  t.same(data.exceptions.map((e) => e.correlationId), ['b', 'a'])
  t.equal(data.exceptions[0]!.message, '<script>alert(1)</script>', 'kept as data: the page renders it as text')
  t.same(data.series, { count: 2, maxSeries: 100, evictedSeries: 0 })
  t.same(JSON.parse(JSON.stringify(data)), data, 'JSON-safe')
})

t.test('aggregation off: the same shape, only exceptions and dropped lines filled', async (t) => {
  const recent = new RecentExceptions()
  recent.add({ at: T0, correlationId: 'a', method: 'GET', controller: '/x', status: 500, name: 'Error', message: 'boom' })
  const data = buildDashboardData({ ...NO_STATUS, aggregator: null, recentExceptions: () => recent.list(), metricsDropped: () => ({ dns: 3, socket: 0, queue_full: 0 }) }, () => T0 + 5)
  t.same(data.metricsDropped, { dns: 3, socket: 0, queue_full: 0 })
  t.equal(data.aggregation, false)
  t.equal(data.at, T0 + 5)
  t.equal(data.exceptions.length, 1)
  t.same(data.timeline.time, [])
  t.same(data.controllers, { busiest: [], failing: [] })
})

function slo (name: string, remaining: number | null): SloStatus {
  return {
    name,
    objective: 99.9,
    window: '30d',
    good: 9990,
    total: 10_000,
    sli: 0.999,
    errorBudget: { remaining },
    burnRates: { '5m': 20, '30m': 7, '1h': 2.5, '2h': 1, '6h': 0.5, '1d': null, '3d': 0 },
    coverage: 0.25,
  }
}

function alert (name: string, state: AlertStatus['state'], severity: AlertStatus['severity'] = 'page'): AlertStatus {
  return { name, state, severity, since: T0 - 60_000, value: 0.12 }
}

t.test('SLOs and alerts: copied field by field, alerts firing first, then pending, then ok', async (t) => {
  const { aggregator, recent } = setUp()
  const live = slo('checkout-availability', -0.35)
  const extra = { ...live, internal: { window: 'kept out' } }
  const alerts = [
    alert('queue-depth', 'ok'),
    alert('p99-latency', 'pending', 'ticket'),
    alert('error-ratio', 'firing', 'ticket'),
    alert('disk', 'firing', 'page'),
    alert('5xx-rate', 'pending', 'page'),
    alert('a-ok', 'ok', 'info'),
  ]
  const data = buildDashboardData({ aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null, slos: () => [extra, slo('search-latency', null)], alerts: () => alerts })

  t.same(data.slos, [live, slo('search-latency', null)], 'declared order; only the public fields')
  t.equal(Object.hasOwn(data.slos[0]!, 'internal'), false)
  t.not(data.slos[0], live, 'a copy: later changes to the provider\'s object do not reach the answer')
  t.same(data.alerts.map((a) => [a.name, a.state, a.severity]), [
    ['disk', 'firing', 'page'],
    ['error-ratio', 'firing', 'ticket'],
    ['5xx-rate', 'pending', 'page'],
    ['p99-latency', 'pending', 'ticket'],
    ['queue-depth', 'ok', 'page'],
    ['a-ok', 'ok', 'info'],
  ], 'by state, then severity, then name')
  t.same(data.alerts[0], { name: 'disk', state: 'firing', severity: 'page', since: T0 - 60_000, value: 0.12 })
  t.same(alerts.map((a) => a.name), ['queue-depth', 'p99-latency', 'error-ratio', 'disk', '5xx-rate', 'a-ok'], 'the provider\'s array is not sorted in place')
  t.same(data.omitted, { slos: 0, alerts: 0 })
  t.same(JSON.parse(JSON.stringify(data)), data, 'JSON-safe')
})

t.test('SLOs and alerts: at most 50 and 200, the count left out said; non-finite numbers become null', async (t) => {
  const { aggregator, recent } = setUp()
  const slos = Array.from({ length: 57 }, (_, i) => slo(`slo-${String(i).padStart(2, '0')}`, 1 - i / 10))
  slos[0] = { ...slos[0]!, sli: Number.NaN, burnRates: { ...slos[0]!.burnRates, '5m': Number.POSITIVE_INFINITY } }
  const alerts = [
    ...Array.from({ length: 250 }, (_, i) => alert(`ok-${String(i).padStart(3, '0')}`, 'ok')),
    alert('the-one-firing', 'firing'),
  ]
  const data = buildDashboardData({ aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null, slos: () => slos, alerts: () => alerts })
  t.equal(data.slos.length, MAX_SLOS)
  t.equal(MAX_SLOS, 50)
  t.same([data.slos[0]!.name, data.slos[49]!.name], ['slo-00', 'slo-49'], 'the first 50 declared')
  t.equal(data.slos[0]!.sli, null)
  t.equal(data.slos[0]!.burnRates['5m'], null)
  t.equal(data.alerts.length, MAX_ALERTS)
  t.equal(MAX_ALERTS, 200)
  t.equal(data.alerts[0]!.name, 'the-one-firing', 'a firing alert is never the one left out')
  t.equal(data.alerts[199]!.name, 'ok-198')
  t.same(data.omitted, { slos: 7, alerts: 51 })
})

t.test('SLOs and alerts are listed with aggregation off too', async (t) => {
  const recent = new RecentExceptions()
  const data = buildDashboardData({ aggregator: null, recentExceptions: () => recent.list(), metricsDropped: () => null, slos: () => [slo('a', 0.5)], alerts: () => [alert('b', 'firing')] }, () => T0)
  t.equal(data.aggregation, false)
  t.same(data.slos.map((s) => s.name), ['a'])
  t.same(data.alerts.map((a) => a.name), ['b'])
  t.same(data.omitted, { slos: 0, alerts: 0 })
})
