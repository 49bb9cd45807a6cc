import t from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { buildDashboardData, MAX_ALERTS, MAX_FINGERPRINT_CHARS, MAX_SLOS, MAX_SLOWEST_QUERIES } from '../../lib/dashboard/dashboard-data.ts'
import { emptyTopQueries, FingerprintTable } from '../../lib/database/fingerprint-table.ts'
import type { QueryEvent } from '../../lib/database/query-event.ts'
import type { AlertStatus, SloStatus } from '../../lib/types.ts'
import { RecentExceptions } from '../../lib/dashboard/recent-exceptions.ts'

const NO_STATUS = { slos: () => [], alerts: () => [], queries: emptyTopQueries }

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
  const data = buildDashboardData({ aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null, queries: emptyTopQueries, slos: () => [extra, slo('search-latency', null)], alerts: () => alerts })

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
  const data = buildDashboardData({ aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null, queries: emptyTopQueries, slos: () => slos, alerts: () => alerts })
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
  const data = buildDashboardData({ aggregator: null, recentExceptions: () => recent.list(), metricsDropped: () => null, queries: emptyTopQueries, slos: () => [slo('a', 0.5)], alerts: () => [alert('b', 'firing')] }, () => T0)
  t.equal(data.aggregation, false)
  t.same(data.slos.map((s) => s.name), ['a'])
  t.same(data.alerts.map((a) => a.name), ['b'])
  t.same(data.omitted, { slos: 0, alerts: 0 })
})

function query (aggregator: Aggregator, system: 'postgresql' | 'mysql', operation: string, outcome: 'ok' | 'error', ms: number, controller = '/pets/:id'): void {
  // The tags RequestMetrics#recordQuery() gives the two series.
  const tags = [`db_system:${system}`, `db_operation:${operation}`, `outcome:${outcome}`, `controller:${controller}`]
  aggregator.record('counter', 'db.query', tags, 1)
  aggregator.record('timing', 'db.query.response_time', tags, ms)
}

function statement (text: string, durationMs: number, more: Partial<QueryEvent> = {}): QueryEvent {
  return { system: 'postgresql', database: 'shop', statement: text, durationMs, rows: undefined, error: undefined, ...more }
}

t.test('database: queries per second, errors and percentiles over the charts\' 5 minutes, all series merged, per system', async (t) => {
  const { aggregator, recent, clock } = setUp()
  // Long before the window: never counted.
  for (let i = 0; i < 50; i++) query(aggregator, 'postgresql', 'SELECT', 'ok', 900)
  clock.now = T0 + 10 * 60_000
  // 90 PostgreSQL queries at 2 ms (on two routes and operations), 9 at 40 ms; 1 MariaDB one failed at 100 ms.
  for (let i = 0; i < 60; i++) query(aggregator, 'postgresql', 'SELECT', 'ok', 2)
  for (let i = 0; i < 30; i++) query(aggregator, 'postgresql', 'INSERT', 'ok', 2, '/orders')
  clock.now += 10_000
  for (let i = 0; i < 9; i++) query(aggregator, 'postgresql', 'SELECT', 'ok', 40, 'none')
  query(aggregator, 'mysql', 'OTHER', 'error', 100)
  clock.now += 5000
  const data = buildDashboardData({ ...NO_STATUS, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })

  const all = data.database.all
  t.equal(all.queries, 100, 'the 50 queries of 10 minutes ago are out of the window')
  // Since recording began (T0): the window's 30 buckets, the last 5 s into its own.
  t.equal(all.perSecond, Math.round((100 / 295) * 1000) / 1000)
  t.equal(all.errors, 1)
  t.ok(Math.abs(all.responseTimeMs.p50! - 2) <= 0.05, `p50 ≈ 2 ms (${all.responseTimeMs.p50})`)
  t.ok(Math.abs(all.responseTimeMs.p90! - 2) <= 0.05, `p90 ≈ 2 ms: 90 of 100 (${all.responseTimeMs.p90})`)
  t.ok(Math.abs(all.responseTimeMs.p99! - 40) <= 1, `p99 ≈ 40 ms (${all.responseTimeMs.p99})`)
  t.same(data.database.bySystem.map((s) => [s.system, s.queries, s.errors]), [['postgresql', 99, 0], ['mysql', 1, 1]])
  const mysql = data.database.bySystem[1]!
  t.ok(Math.abs(mysql.responseTimeMs.p50! - 100) <= 2, `MariaDB's own p50 ≈ 100 ms (${mysql.responseTimeMs.p50})`)
  t.same(JSON.parse(JSON.stringify(data)), data, 'JSON-safe')
})

t.test('database: no query at all gives zeros, nulls and empty lists; one system only lists that one', async (t) => {
  const { aggregator, recent } = setUp()
  request(aggregator, '/x', 200, 1)
  const none = buildDashboardData({ ...NO_STATUS, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })
  t.same(none.database, {
    all: { queries: 0, perSecond: 0, errors: 0, responseTimeMs: { p50: null, p90: null, p99: null } },
    bySystem: [],
    slowestQueries: [],
    other: { fingerprints: 0, count: 0, totalMs: 0, errors: 0 },
  })
  query(aggregator, 'mysql', 'SELECT', 'ok', 3)
  const one = buildDashboardData({ ...NO_STATUS, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })
  t.same(one.database.bySystem.map((s) => s.system), ['mysql'])
  t.same(one.database.bySystem[0], { system: 'mysql', ...one.database.all }, 'one system: its figures are all\'s')
  t.equal(one.database.all.errors, 0)
})

t.test('slowest queries: the top 20 fingerprints by total time, copied field by field, no literal value; the rest in other', async (t) => {
  const { aggregator, recent } = setUp()
  const table = new FingerprintTable()
  table.record(statement("SELECT * FROM users WHERE name = 'secret-value'", 50, { rows: 1 }))
  table.record(statement("select *  from users where name = 'another-secret'", 30, { rows: 0 }))
  table.record(statement('SELECT * FROM users WHERE id IN (1, 2, 3)', 500, { rows: 3 }))
  table.record(statement("UPDATE users SET token = 'tok-123' WHERE id = 7", 20, { error: new Error('deadlock') }))
  table.record(statement('SELECT `a` FROM t WHERE b = 42', 10, { system: 'mysql' }))
  const hostile = "SELECT '<script>x</script>' AS \"<script>window.__pwned=1</script>\""
  table.record(statement(hostile, 5))
  const columns = Array.from({ length: 60 }, (_, i) => `column_number_${i}`).join(', ')
  table.record(statement(`SELECT ${columns} FROM wide_table`, 1))
  // 20 more, lighter: 2 of them and the rest are past the cap.
  for (let k = 0; k < 20; k++) table.record(statement(`SELECT * FROM light_${String(k).padStart(2, '0')} WHERE id = ${k}`, 0.5 - k / 100))
  const top = table.top()
  const live = top.queries[0]!
  const data = buildDashboardData({ ...NO_STATUS, queries: () => top, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })

  const rows = data.database.slowestQueries
  t.equal(MAX_SLOWEST_QUERIES, 20)
  t.equal(rows.length, 20)
  t.same(rows.slice(0, 3), [
    { fingerprint: 'SELECT * FROM users WHERE id IN (?)', system: 'postgresql', count: 1, totalMs: 500, meanMs: 500, maxMs: 500, p90Ms: live.p90Ms, errors: 0, rows: 3 },
    { fingerprint: 'SELECT * FROM users WHERE name = ?', system: 'postgresql', count: 2, totalMs: 80, meanMs: 40, maxMs: 50, p90Ms: rows[1]!.p90Ms, errors: 0, rows: 1 },
    { fingerprint: 'UPDATE users SET token = ? WHERE id = ?', system: 'postgresql', count: 1, totalMs: 20, meanMs: 20, maxMs: 20, p90Ms: rows[2]!.p90Ms, errors: 1, rows: null },
  ], 'by total time; rows null when the driver never said')
  t.equal(rows[1]!.p90Ms, Math.round(top.queries[1]!.p90Ms * 1000) / 1000, 'p90 from the table\'s sketch, rounded to the µs')
  t.ok(rows[1]!.p90Ms >= 29 && rows[1]!.p90Ms <= 51, `between the two (${rows[1]!.p90Ms})`)
  t.same(rows[3], { fingerprint: 'SELECT `a` FROM t WHERE b = ?', system: 'mysql', count: 1, totalMs: 10, meanMs: 10, maxMs: 10, p90Ms: rows[3]!.p90Ms, errors: 0, rows: null })
  t.equal(rows[4]!.fingerprint, 'SELECT ? AS "<script>window.__pwned=1</script>"', 'kept as data: the page renders it as text')
  t.not(rows[0], live, 'a copy: the provider\'s object is not sent as it is')
  t.equal(Object.keys(rows[0]!).join(), 'fingerprint,system,count,totalMs,meanMs,maxMs,p90Ms,errors,rows')

  const wide = rows[5]!.fingerprint
  t.equal(wide.length, MAX_FINGERPRINT_CHARS, 'a long fingerprint is cut')
  t.equal(MAX_FINGERPRINT_CHARS, 300)
  t.ok(wide.startsWith('SELECT column_number_0, column_number_1, ') && wide.endsWith('…'), wide)

  t.same(rows.slice(6).map((row) => row.fingerprint), Array.from({ length: 14 }, (_, k) => `SELECT * FROM light_${String(k).padStart(2, '0')} WHERE id = ?`))
  const left = top.queries.slice(20)
  t.same(data.database.other, {
    fingerprints: 6,
    count: 6,
    totalMs: Math.round(left.reduce((sum, q) => sum + q.totalMs, 0) * 1000) / 1000,
    errors: 0,
  }, 'the 6 lightest, summed')

  const json = JSON.stringify(data)
  for (const value of ['secret-value', 'another-secret', 'tok-123', 'b = 42', '<script>x']) t.notOk(json.includes(value), `${value} is nowhere in data.json`)
  t.same(JSON.parse(json), data, 'JSON-safe')
})

t.test('slowest queries: the provider\'s own other is added; non-finite figures become 0', async (t) => {
  const { aggregator, recent } = setUp()
  const table = new FingerprintTable({ capacity: 2 })
  table.record(statement('SELECT 1', 5))
  table.record(statement('SELECT * FROM a', 3))
  table.record(statement('SELECT * FROM b', 4, { error: new Error('x') }))
  const top = table.top()
  t.equal(top.other.fingerprints, 1, 'the table pushed one out')
  const odd = { ...top, queries: [{ ...top.queries[0]!, totalMs: Number.NaN, meanMs: Number.POSITIVE_INFINITY, rows: Number.NaN }, ...top.queries.slice(1)] }
  const data = buildDashboardData({ ...NO_STATUS, queries: () => odd, aggregator, recentExceptions: () => recent.list(), metricsDropped: () => null })
  t.same(data.database.other, { fingerprints: 1, count: 1, totalMs: 3, errors: 0 })
  t.match(data.database.slowestQueries[0], { totalMs: 0, meanMs: 0, rows: null })
  t.same(JSON.parse(JSON.stringify(data)), data, 'JSON-safe')
})

t.test('slowest queries are listed with aggregation off too', async (t) => {
  const recent = new RecentExceptions()
  const table = new FingerprintTable()
  table.record(statement("SELECT * FROM users WHERE name = 'secret-value'", 7))
  const data = buildDashboardData({ ...NO_STATUS, queries: () => table.top(), aggregator: null, recentExceptions: () => recent.list(), metricsDropped: () => null }, () => T0)
  t.equal(data.aggregation, false)
  t.same(data.database.all, { queries: 0, perSecond: 0, errors: 0, responseTimeMs: { p50: null, p90: null, p99: null } })
  t.same(data.database.bySystem, [])
  t.same(data.database.slowestQueries.map((q) => [q.fingerprint, q.count, q.totalMs]), [['SELECT * FROM users WHERE name = ?', 1, 7]])
})
