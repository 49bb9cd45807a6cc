// Drives real HTTP traffic through the vigie-instrumented shop app, on a real PostgreSQL, lets the
// real Etsy StatsD daemon aggregate the metrics, and prints what an operator would see: requests,
// the exception line, and the database (queries per second and their time, the slowest queries,
// the slow-query and N+1 lines). Then a payments outage: the shop's SLO burns, alerts fire and
// are mailed through a real SMTP server, and one resolves once the errors are diluted. Exits
// non-zero if the daemon's counts, the log lines or the alerts are not what they should be.
//
// The database is Debian's PostgreSQL when it is installed, else PGlite (PostgreSQL in
// WebAssembly, over TCP): see support/postgres.mjs; VIGIE_DEMO_DB=pglite (or =postgres) forces one.
//
// With --serve (`npm run demo -- --serve [--port 3000]`) it keeps the shop and a steady traffic
// running instead, with vigie's dashboard on, and prints the dashboard's URL; Ctrl-C stops it.
import dgram from 'node:dgram'
import { once } from 'node:events'
import { parseArgs } from 'node:util'
import { ORDERS_LISTED, buildShopApp, shopObjectives } from './shop-app.mjs'
import { startMailInbox } from './support/mail-inbox.mjs'
import { startShopDatabase } from './support/postgres.mjs'
import { startStatsdDaemon } from './support/statsd-daemon.mjs'
import { startSteadyTraffic } from './support/steady-traffic.mjs'
import { startUdpTee } from './support/udp-tee.mjs'

const SECRETS = {
  password: 'hunter2',
  card: '4111 1111 1111 1111',
  'bearer token': 'demo-7f3c9a1e5b2d4f60'
}
const CHECKOUT_REQUEST_ID = 'demo-checkout-0001'
const REPORT_REQUEST_IDS = ['demo-report-0001', 'demo-report-0002', 'demo-report-0003']
const ORDERS_REQUEST_IDS = ['demo-orders-0001', 'demo-orders-0002']
// What driveTraffic's requests should get back.
const PLANNED_STATUSES = { 200: 45, 404: 15, 500: 1 }
// The queries each route sends in driveTraffic, as the daemon stores the route (controller tag).
const PLANNED_QUERIES = {
  '/products/:id': 50,
  '/orders': ORDERS_REQUEST_IDS.length * (1 + ORDERS_LISTED),
  '/reports/sales': REPORT_REQUEST_IDS.length,
  '/checkout': 1
}
const SLOW_QUERY_MS = 500 // vigie's default database.slowQueryMs
const FLUSH_TIMEOUT_MS = 10_000

async function main () {
  // The two start side by side: PGlite takes seconds.
  const [daemon, database] = await startAll([startStatsdDaemon({ flushInterval: 500 }), startShopDatabase()])
  try {
    printDatabase(database)
    let metricsOk
    try {
      metricsOk = await run(daemon, database)
    } finally {
      await daemon.stop()
    }
    const alertsOk = await outage(database)
    return metricsOk && alertsOk
  } finally {
    await database.stop()
  }
}

// Like Promise.all, but when one fails, stops those that started before rethrowing.
async function startAll (starting) {
  const settled = await Promise.allSettled(starting)
  const failed = settled.find((result) => result.status === 'rejected')
  if (failed === undefined) return settled.map((result) => result.value)
  await Promise.allSettled(settled.filter((result) => result.status === 'fulfilled').map((result) => result.value.stop()))
  throw failed.reason
}

function printDatabase (database) {
  const seconds = (database.startupMs / 1000).toFixed(1)
  console.log(`Shop database: ${database.label}, on ${database.connection.host}:${database.connection.port}, ready in ${seconds} s`)
  console.log(`  (${database.kind === 'postgres' ? 'Debian\'s PostgreSQL' : 'PGlite'}: ${database.why}; VIGIE_DEMO_DB=pglite or =postgres picks one)`)
  if (database.note) console.log(`  (${database.note})`)
  console.log('')
}

// The payments provider fails: every checkout answers 500 among the catalogue's traffic. The SLO
// burns, its burn-rate rules page on-call, the threshold rule opens a ticket; all by mail, through
// a real SMTP server. Then the catalogue's traffic dilutes the errors below `clear`, and the
// ticket resolves (the SLO's pages keep firing: a budget spent stays spent for the hour).
async function outage (database) {
  console.log('\n\n== A payments outage: is it answering, are we inside our SLO, and who is told?\n')
  const inbox = await startMailInbox()
  const sink = await discardingStatsd()
  const logLines = []
  const transport = { host: '127.0.0.1', port: inbox.port, secure: false, ignoreTLS: true }
  const app = await buildShopApp({
    statsd: sink.address,
    database: database.connection,
    logStream: { write: (chunk) => { logLines.push(chunk) } },
    vigie: shopObjectives({
      page: [{ type: 'email', transport, from: 'vigie@shop.example', to: 'oncall@shop.example' }],
      ticket: [{ type: 'email', transport, from: 'vigie@shop.example', to: 'ops@shop.example' }]
    })
  })
  const checks = []
  try {
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${app.server.address().port}`
    const ready = await (await fetch(`${base}/_vigie/health/ready`)).json()
    console.log(`GET /_vigie/health/ready → ${JSON.stringify(ready)}`)
    checks.push(check(ready.status === 'pass', 'the readiness endpoint runs the catalog check and passes'))

    const get = async (path, init) => (await fetch(base + path, init)).arrayBuffer()
    for (let i = 0; i < 20; i++) await get(`/products/${(i % 3) + 1}`)
    for (let i = 0; i < 10; i++) {
      await get('/checkout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ card: '4111 1111 1111 1111' }) })
    }
    console.log('Sent 20 catalogue requests (200) and 10 checkouts (500, payments down).')
    const firing = await waitFor(() => inbox.mails.length >= 3, 15_000)
    printSlos(app.vigie.slos())
    printAlerts(app.vigie.alerts())

    for (let i = 0; i < 80; i++) await get(`/products/${(i % 3) + 1}`)
    console.log('\nSent 80 more catalogue requests (200): checkout errors are now 10 of 110 answers.')
    const resolved = await waitFor(() => inbox.mails.some((mail) => mail.subject.includes('[RESOLVED] checkout-errors')), 15_000)
    printAlerts(app.vigie.alerts())
    printMails(inbox.mails)

    const [slo] = app.vigie.slos()
    const subjects = inbox.mails.map((mail) => mail.subject)
    checks.push(
      check(slo.errorBudget.remaining < 0 && slo.burnRates['1h'] > 14.4,
        `the SLO burns: budget left ${percent(slo.errorBudget.remaining)}, 1h burn rate ${slo.burnRates['1h'].toFixed(1)} (pages above 14.4)`),
      check(firing && subjects.includes('vigie: [FIRING] checkout-errors (ticket)'), 'the checkout-errors ticket was mailed to ops when it fired',
        `mails: ${JSON.stringify(subjects)}`),
      check(subjects.some((subject) => /^vigie: \[FIRING\] slo:shop:page:/.test(subject)) &&
        inbox.mails.filter((mail) => mail.subject.endsWith('(page)')).every((mail) => mail.to.join() === 'oncall@shop.example'),
      'the SLO\'s fast burn paged on-call by mail', `mails: ${JSON.stringify(subjects)}`),
      check(resolved, 'the ticket resolved once errors fell under clear (0.1), and ops got the resolved mail'),
      check(!logLines.join('').includes('4111 1111 1111 1111') && inbox.mails.every((mail) => !mail.text.includes('4111')),
        'no card number in the log or in any mail'),
      check(app.vigie.slos()[0].total === 110, 'the health probe is not in the SLO: 110 answers counted')
    )
  } finally {
    await app.close() // also waits for the mails still under way
    await inbox.close()
    sink.close()
  }
  return verdict(checks, 'the SLO burned, alerts fired by mail, and the ticket resolved')
}

async function waitFor (predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return true
}

// A local UDP socket that takes vigie's metrics and drops them (the outage part reads vigie's
// in-process numbers, not StatsD's).
async function discardingStatsd () {
  const socket = dgram.createSocket('udp4')
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  socket.unref()
  return { address: { host: '127.0.0.1', port: socket.address().port }, close: () => socket.close() }
}

const percent = (ratio) => ratio === null ? '-' : `${(ratio * 100).toFixed(1)} %`

function printSlos (slos) {
  console.log('\napp.vigie.slos():')
  printTable(slos.map((slo) => ({
    slo: slo.name,
    objective: `${slo.objective} %`,
    good: slo.good,
    total: slo.total,
    sli: percent(slo.sli),
    'budget left': percent(slo.errorBudget.remaining),
    'burn 5m': slo.burnRates['5m']?.toFixed(1) ?? '-',
    'burn 1h': slo.burnRates['1h']?.toFixed(1) ?? '-',
    coverage: `${(slo.coverage * 100).toPrecision(2)} %`
  })), ['slo', 'objective', 'good', 'total', 'sli', 'budget left', 'burn 5m', 'burn 1h', 'coverage'])
  console.log('  (coverage: the share of the 30-day window this process has seen; slo.store keeps counts across restarts)')
}

function printAlerts (alerts) {
  console.log('\napp.vigie.alerts():')
  printTable(alerts.map((alert) => ({
    rule: alert.name,
    state: alert.state,
    severity: alert.severity,
    value: alert.value === null ? '-' : Number(alert.value.toFixed(3))
  })), ['rule', 'state', 'severity', 'value'])
}

function printMails (mails) {
  console.log(`\nMail received by the SMTP server (${mails.length}):`)
  for (const mail of mails) console.log(`  to ${mail.to.join(', ')}: ${mail.subject}`)
  const first = mails.find((mail) => mail.subject.includes('checkout-errors'))
  if (first) console.log(`\nThe first checkout-errors mail:\n${first.text.trim().replace(/^/gm, '  | ')}`)
}

async function run (daemon, database) {
  const logLines = []
  // vigie sends to the daemon through a relay that keeps each line as it went over the wire.
  const wire = await startUdpTee(daemon)
  const app = await buildShopApp({
    statsd: { host: wire.host, port: wire.port },
    database: database.connection,
    logStream: { write: (chunk) => { logLines.push(chunk) } }
  })
  let sent
  let queries
  let flushError
  try {
    try {
      await app.listen({ port: 0, host: '127.0.0.1' })
      sent = await driveTraffic(`http://127.0.0.1:${app.server.address().port}`)
      queries = app.vigie.queries()
    } finally {
      await app.close() // also flushes vigie's buffered metrics to the daemon
    }
    await daemon.waitForFlush(() => metricsArrived(daemon.counters(), daemon.flushes, sent.byStatus), FLUSH_TIMEOUT_MS)
      .catch((err) => { flushError = err })
  } finally {
    wire.close()
  }

  const counters = daemon.counters()
  const records = logLines.join('').split('\n').filter(Boolean).map(parseLogLine)
  const exceptionLines = records.filter((r) => r.level === 50 && String(r.msg).startsWith('exception:'))
  const controllers = controllerNames(wire.lines, counters)

  printCounters(counters, daemon.flushes.length)
  printTimers(daemon.flushes)
  printControllerNames(controllers)
  console.log('\nException log line (pino, level 50):')
  console.log(exceptionLines.length ? JSON.stringify(exceptionLines[0], null, 2) : '  (none captured)')
  const db = printDatabaseReport(database, daemon.flushes, counters, queries, records, sent.seconds)

  const checks = [
    check(JSON.stringify(sent.byStatus) === JSON.stringify(PLANNED_STATUSES),
      `the shop answered as planned, status → count: ${JSON.stringify(PLANNED_STATUSES)}`,
      `got ${JSON.stringify(sent.byStatus)}`),
    check(flushError === undefined, 'the daemon received every metric',
      flushError?.message),
    ...Object.entries(sent.byStatus).map(([status, count]) => {
      const got = sumCounters(counters, 'shop.http_request', { http_status: status })
      return check(got === count, `shop.http_request{http_status=${status}}: daemon ${got}, client made ${count}`)
    }),
    check(sumCounters(counters, 'shop.http_request.exception', { exception: 'PaymentDeclinedError' }) === 1,
      'shop.http_request.exception{exception=PaymentDeclinedError} counted once'),
    check(sumCounters(counters, 'shop.orders.attempted', {}) === 1, 'business metric shop.orders.attempted counted once'),
    check(counters['statsd.bad_lines_seen'] === 0, 'the daemon rejected no line as malformed'),
    check(controllers.some((c) => c.sent === 'controller:/products/:id') && controllers.every((c) => c.found),
      'vigie sent each route pattern whole (controller:/products/:id), and the daemon stored it renamed as its rule says',
      controllers.filter((c) => !c.found).map((c) => `${c.sent}: no ${c.stored} among the daemon's keys`).join('\n')),
    check(exceptionLines.length === 1, `one exception line logged (found ${exceptionLines.length})`),
    check(exceptionLines[0]?.correlationId === CHECKOUT_REQUEST_ID,
      `the exception line carries the request's correlation ID ${CHECKOUT_REQUEST_ID}`),
    check(typeof exceptionLines[0]?.repro === 'string', 'the exception line has a curl repro'),
    ...databaseChecks(db, queries),
    ...Object.entries(SECRETS).map(([what, secret]) => {
      const leaks = records.filter((r) => JSON.stringify(r).includes(secret))
      return check(leaks.length === 0, `no ${what} in the captured log`,
        leaks.map((r) => `found in: ${JSON.stringify(r).slice(0, 300)}`).join('\n'))
    })
  ]

  return verdict(checks, `${sent.total} requests, metrics, the exception line and the database's lines are as expected`)
}

function verdict (checks, summary) {
  console.log('\nVerdict:')
  for (const c of checks) {
    console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.label}`)
    if (!c.ok && c.detail) console.log(c.detail.replace(/^/gm, '        '))
  }
  const failed = checks.filter((c) => !c.ok).length
  console.log(failed ? `\n${failed} check(s) failed.` : `\nAll ${checks.length} checks passed: ${summary}.`)
  return failed === 0
}

// 40 known products (200), 10 unknown products (404), 5 unknown routes (404), 1 failing checkout
// (500), 2 order lists (200, one query per order: N+1) and 3 sales reports at once (200, slow).
async function driveTraffic (base) {
  const byStatus = {}
  let total = 0
  const startedAt = performance.now()
  const request = async (path, init) => {
    const res = await fetch(base + path, init)
    await res.arrayBuffer()
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1
    total++
  }
  for (let i = 0; i < 40; i++) await request(`/products/${(i % 3) + 1}`)
  for (let i = 0; i < 10; i++) await request(`/products/${900 + i}`)
  for (let i = 0; i < 5; i++) await request('/nope')
  await request('/checkout', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${SECRETS['bearer token']}`,
      'x-request-id': CHECKOUT_REQUEST_ID,
      'x-user': 'u-42'
    },
    body: JSON.stringify({ email: 'a@b.c', password: SECRETS.password, card: SECRETS.card })
  })
  for (const id of ORDERS_REQUEST_IDS) await request('/orders', { headers: { 'x-request-id': id } })
  await Promise.all(REPORT_REQUEST_IDS.map((id) => request('/reports/sales', { headers: { 'x-request-id': id } })))
  return { byStatus, total, seconds: (performance.now() - startedAt) / 1000 }
}

// "shop.http_request;env=demo;http_status=200" → { name: 'shop.http_request', tags: { env: 'demo', http_status: '200' } }
function parseKey (key) {
  const [name, ...pairs] = key.split(';')
  return { name, tags: Object.fromEntries(pairs.map((pair) => pair.split('='))) }
}

function sumCounters (counters, name, tags) {
  let sum = 0
  for (const [key, value] of Object.entries(counters)) {
    const parsed = parseKey(key)
    if (parsed.name === name && Object.entries(tags).every(([k, v]) => parsed.tags[k] === v)) sum += value
  }
  return sum
}

function metricsArrived (counters, flushes, expected) {
  return Object.entries(expected).every(([status, count]) =>
    sumCounters(counters, 'shop.http_request', { http_status: status }) === count) &&
    sumCounters(counters, 'shop.http_request.exception', {}) >= 1 &&
    sumCounters(counters, 'shop.orders.attempted', {}) >= 1 &&
    Object.entries(PLANNED_QUERIES).every(([route, count]) =>
      sumCounters(counters, 'shop.db.query', { controller: storedTagValue(route) }) >= count) &&
    (mergeTimers(flushes, 'shop.http_request.db_time').find((t) => t.tags.controller === storedTagValue('/reports/sales'))?.count ?? 0) >=
      REPORT_REQUEST_IDS.length &&
    // A counter and its timing may travel in different datagrams, and land in different flushes.
    mergeTimers(flushes, 'shop.db.query.response_time').reduce((sum, t) => sum + t.count, 0) === sumCounters(counters, 'shop.db.query', {})
}

function printCounters (counters, flushCount) {
  const rows = Object.entries(counters)
    .filter(([key]) => !key.startsWith('statsd.') && !isDatabaseMetric(key))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => ({ count, ...describeKey(key) }))
  console.log(`Counters, as stored by the StatsD daemon (summed over its ${flushCount} flushes; it renames tags, see below; the database's are further down):`)
  printTable(rows, ['count', 'metric', 'tags'])
}

// Timers are per flush interval, as an operator's dashboard shows them.
function printTimers (flushes) {
  const rows = []
  for (const [index, flush] of flushes.entries()) {
    for (const [key, data] of Object.entries(flush.timer_data)) {
      if (data.count === 0 || isDatabaseMetric(key)) continue
      const ms = (value) => (value === undefined ? '-' : value.toFixed(1))
      rows.push({
        flush: `#${index + 1}`,
        count: data.count,
        mean: ms(data.mean),
        median: ms(data.median),
        upper_90: ms(data.upper_90),
        upper_99: ms(data.upper_99),
        upper: ms(data.upper),
        ...describeKey(key)
      })
    }
  }
  console.log('\nTimers in ms, per daemon flush:')
  printTable(rows, ['flush', 'count', 'mean', 'median', 'upper_90', 'upper_99', 'upper', 'metric', 'tags'])
}

// What the Etsy daemon does to a tag before it stores it (statsd's stats.js: the tag loop, then
// sanitizeKeyName): the first ':' becomes '=', runs of whitespace become '_', each '/' becomes
// '-', and every character outside [A-Za-z0-9_.;=-] is deleted. docs/metrics.md says the same.
function storedByDaemon (tag) {
  return tag.replace(':', '=').replace(/\s+/g, '_').replaceAll('/', '-').replace(/[^A-Za-z0-9_.;=-]/g, '')
}

// Each controller tag vigie sent on shop.http_request, in the order first sent, with the tag the
// daemon stored for it, and whether a key of the daemon really has that tag.
function controllerNames (wireLines, counters) {
  const sent = new Set()
  for (const line of wireLines) {
    if (!line.startsWith('shop.http_request:')) continue
    const tags = line.slice(line.indexOf('|#') + 2).split(',')
    const controller = tags.find((tag) => tag.startsWith('controller:'))
    if (controller !== undefined) sent.add(controller)
  }
  const storedTags = new Set(Object.keys(counters).flatMap((key) => key.split(';').slice(1)))
  return [...sent].map((tag) => {
    const stored = storedByDaemon(tag)
    return { sent: tag, stored, found: storedTags.has(stored) }
  })
}

function printControllerNames (controllers) {
  console.log('\nThe controller tag: what vigie sent (the route pattern, as on the wire) and what the daemon stored:')
  printTable(controllers.map((c) => ({ 'vigie sent': c.sent, 'the daemon stored': c.stored })), ['vigie sent', 'the daemon stored'])
  console.log('  The Etsy StatsD daemon renames every key it stores (statsd\'s stats.js, sanitizeKeyName): the')
  console.log('  first \':\' of a tag becomes \'=\', whitespace \'_\', \'/\' \'-\', and characters outside [A-Za-z0-9_.;=-]')
  console.log('  are dropped. What it flushes to its backends, Graphite\'s among them, has the renamed key:')
  console.log('  query controller=-products-id there, not /products/:id.')
  console.log('  See docs/metrics.md, "What the Etsy StatsD daemon stores".')
}

const isDatabaseMetric = (key) => key.startsWith('shop.db.') || key.startsWith('shop.http_request.db_time;')

// The value the daemon stores for a tag value (`/orders` → `-orders`).
const storedTagValue = (value) => storedByDaemon(`x:${value}`).slice(2)

// Each key of timer `name`, merged over every flush: count, sum, mean, upper.
function mergeTimers (flushes, name) {
  const merged = new Map()
  for (const flush of flushes) {
    for (const [key, data] of Object.entries(flush.timer_data)) {
      if (data.count === 0 || parseKey(key).name !== name) continue
      const timer = merged.get(key) ?? { ...parseKey(key), count: 0, sum: 0, upper: 0 }
      timer.count += data.count
      timer.sum += data.sum
      timer.upper = Math.max(timer.upper, data.upper)
      merged.set(key, timer)
    }
  }
  return [...merged.values()].map((timer) => ({ ...timer, mean: timer.sum / timer.count }))
}

// The database as an operator sees it: queries per route and their time from the daemon, the
// share of each route's time spent in the database, the slowest statements, and the two warn
// lines of the log. Returns what databaseChecks() looks at.
function printDatabaseReport (database, flushes, counters, queries, records, trafficSeconds) {
  console.log(`\n== The database: ${database.label}`)
  const timers = mergeTimers(flushes, 'shop.db.query.response_time')
  const rows = Object.entries(counters)
    .filter(([key]) => parseKey(key).name === 'shop.db.query')
    .map(([key, count]) => {
      const { tags } = parseKey(key)
      const timer = timers.find((t) => Object.entries(tags).every(([k, v]) => t.tags[k] === v))
      return { controller: tags.controller, operation: tags.db_operation, outcome: tags.outcome, queries: count, 'mean ms': timer?.mean.toFixed(1) ?? '-', 'upper ms': timer?.upper.toFixed(1) ?? '-' }
    })
    .sort((a, b) => b.queries - a.queries)
  console.log('\nQueries, as the StatsD daemon stored them (db.query and db.query.response_time, over all its flushes):')
  printTable(rows, ['controller', 'operation', 'outcome', 'queries', 'mean ms', 'upper ms'])
  const inRequests = rows.filter((row) => row.controller !== 'none').reduce((sum, row) => sum + row.queries, 0)
  const busiest = Math.max(0, ...flushes.map((flush) => Object.entries(flush.counter_rates ?? {})
    .filter(([key]) => parseKey(key).name === 'shop.db.query')
    .reduce((sum, [, rate]) => sum + rate, 0)))
  console.log(`  ${inRequests} queries from requests in ${trafficSeconds.toFixed(1)} s of traffic: ${(inRequests / trafficSeconds).toFixed(0)} queries/s ` +
    `(busiest daemon flush: ${busiest.toFixed(0)} queries/s). controller=none: the startup migration, outside any request.`)

  const dbTime = mergeTimers(flushes, 'shop.http_request.db_time')
  const responseTime = mergeTimers(flushes, 'shop.http_request.response_time')
  const byController = (timerRows) => {
    const sums = {}
    for (const t of timerRows) {
      const sum = (sums[t.tags.controller] ??= { count: 0, sum: 0 })
      sum.count += t.count
      sum.sum += t.sum
    }
    return sums
  }
  const dbByController = byController(dbTime)
  const responseByController = byController(responseTime)
  console.log('\nTime in the database per request (http_request.db_time) beside the whole answer (http_request.response_time), mean ms:')
  printTable(Object.entries(dbByController).map(([controller, t]) => ({
    controller,
    requests: t.count,
    db_time: (t.sum / t.count).toFixed(1),
    response_time: responseByController[controller] ? (responseByController[controller].sum / responseByController[controller].count).toFixed(1) : '-'
  })), ['controller', 'requests', 'db_time', 'response_time'])

  console.log('\nThe slowest queries, app.vigie.queries() (by total time; what pg_stat_statements shows a DBA):')
  printTable(queries.queries.slice(0, 5).map((q) => ({
    count: q.count,
    'total ms': q.totalMs.toFixed(1),
    'mean ms': q.meanMs.toFixed(1),
    'p90 ms': q.p90Ms.toFixed(1),
    rows: q.rows ?? '-',
    errors: q.errors,
    fingerprint: q.fingerprint.length > 90 ? `${q.fingerprint.slice(0, 89)}…` : q.fingerprint
  })), ['count', 'total ms', 'mean ms', 'p90 ms', 'rows', 'errors', 'fingerprint'])

  const slowLines = records.filter((r) => r.level === 40 && r.msg === 'slow query')
  const nPlusOneLines = records.filter((r) => r.level === 40 && r.vigie === 'n-plus-one')
  console.log(`\nThe slow query lines in the log (pino, level 40; ${slowLines.length} of them, one per slow query), the first:`)
  console.log(slowLines.length ? `  ${JSON.stringify(slowLines[0])}` : '  (none)')
  console.log(`\nThe N+1 line in the log (pino, level 40; ${nPlusOneLines.length} of them, once per route and statement per 10 minutes):`)
  console.log(nPlusOneLines.length ? `  ${JSON.stringify(nPlusOneLines[0])}` : '  (none)')
  return { counters, timers, dbTime, slowLines, nPlusOneLines, name: database.connection.database }
}

/** The shop's schema and seed (shop-app.mjs), sent once as the app starts, outside any request. */
function ranAtStart (query) {
  return query.fingerprint.startsWith('CREATE TABLE') || query.fingerprint.startsWith('INSERT INTO products')
}

function databaseChecks (db, queries) {
  const counted = Object.entries(PLANNED_QUERIES).map(([route, planned]) =>
    ({ route, planned, got: sumCounters(db.counters, 'shop.db.query', { controller: storedTagValue(route) }) }))
  const reportTimer = db.timers.filter((t) => t.tags.controller === storedTagValue('/reports/sales'))
  const reportDbTime = db.dbTime.filter((t) => t.tags.controller === storedTagValue('/reports/sales'))
  const slowIds = db.slowLines.map((line) => line.correlationId)
  const [nPlusOne] = db.nPlusOneLines
  const report = queries.queries.find((q) => q.fingerprint.includes('pg_sleep(?)'))
  const itemsQuery = queries.queries.find((q) => q.fingerprint === nPlusOne?.db?.statement)
  return [
    check(counted.every((c) => c.got === c.planned),
      `db.query counted under the route that sent it: ${counted.map((c) => `${c.route} ${c.got}`).join(', ')}`,
      counted.filter((c) => c.got !== c.planned).map((c) => `${c.route}: daemon ${c.got}, planned ${c.planned}`).join('\n')),
    check(reportTimer.length > 0 && reportTimer.every((t) => t.count === REPORT_REQUEST_IDS.length && t.upper >= 600),
      'db.query.response_time of the sales report: 3 queries of at least 600 ms at the daemon', JSON.stringify(reportTimer)),
    check(reportDbTime.reduce((sum, t) => sum + t.count, 0) === REPORT_REQUEST_IDS.length && reportDbTime.every((t) => t.mean >= 600),
      'http_request.db_time: each of the 3 reports spent at least 600 ms in the database', JSON.stringify(reportDbTime)),
    check(db.slowLines.length === REPORT_REQUEST_IDS.length && REPORT_REQUEST_IDS.every((id) => slowIds.includes(id)) &&
      db.slowLines.every((line) => line.route === '/reports/sales' && line.vigie === 'slow-query' && line.db?.durationMs >= SLOW_QUERY_MS &&
        line.db.name === db.name && line.db.statement.includes('pg_sleep(?)')),
    `each slow query line carries the correlation ID of the request that sent it (${REPORT_REQUEST_IDS.join(', ')}, sent at once) and its route`,
    db.slowLines.map((line) => JSON.stringify(line)).join('\n')),
    check(db.nPlusOneLines.length === 1 && nPlusOne.correlationId === ORDERS_REQUEST_IDS[0] && nPlusOne.route === '/orders' &&
      nPlusOne.msg === `possible N+1: ${ORDERS_LISTED} × ${nPlusOne.db.statement}` && nPlusOne.db.statement.endsWith('WHERE i.order_id = ?'),
    `N+1 spotted: one "possible N+1: ${ORDERS_LISTED} × …" line, for ${ORDERS_REQUEST_IDS[0]} on /orders (not again for the second list)`,
    db.nPlusOneLines.map((line) => JSON.stringify(line)).join('\n')),
    // By mean, not by total: on a busy machine, 50 quick queries may add up to more than 3 slow ones.
    // Among the statements the routes send: the schema and the seed, run once at start, can take
    // PGlite longer than a report on a busy machine.
    check(report?.count === REPORT_REQUEST_IDS.length && report.meanMs >= 600 && queries.queries.filter((q) => !ranAtStart(q)).every((q) => q.meanMs <= report.meanMs) &&
      itemsQuery?.count === ORDERS_REQUEST_IDS.length * ORDERS_LISTED,
    `app.vigie.queries(): of the routes' statements, the sales report has the highest mean (3 × ≥ 600 ms); the N+1 statement is counted ${ORDERS_REQUEST_IDS.length * ORDERS_LISTED} times`,
    JSON.stringify(queries.queries.slice(0, 3)))
  ]
}

function describeKey (key) {
  const { name, tags } = parseKey(key)
  return { metric: name, tags: Object.entries(tags).map(([k, v]) => `${k}=${v}`).join(' ') }
}

function printTable (rows, columns) {
  if (rows.length === 0) {
    console.log('  (none)')
    return
  }
  const widths = columns.map((col) => Math.max(col.length, ...rows.map((row) => String(row[col]).length)))
  const line = (cells) => '  ' + cells.map((cell, i) => {
    const text = String(cell)
    const numeric = typeof cell === 'number' || /^[\d.#]/.test(text) || /^-(\d|$)/.test(text) // not a tag value like -orders
    return numeric ? text.padStart(widths[i]) : text.padEnd(widths[i])
  }).join('  ').trimEnd()
  console.log(line(columns))
  for (const row of rows) console.log(line(columns.map((col) => row[col])))
}

function parseLogLine (line) {
  try {
    return JSON.parse(line)
  } catch {
    return { unparsed: line }
  }
}

function check (ok, label, detail) {
  return { ok, label, detail }
}

// --serve: the shop, its dashboard and ~20 requests per second until SIGINT or SIGTERM.
async function serve (port, signalled) {
  const database = await startShopDatabase()
  try {
    printDatabase(database)
    await serveShop(port, database, signalled)
  } finally {
    await database.stop()
  }
}

async function serveShop (port, database, signalled) {
  // StatsD goes to STATSD_HOST/STATSD_PORT when set; otherwise to a local socket that discards
  // it (the dashboard reads vigie's in-process aggregation, not StatsD).
  let sink
  let statsd
  if (process.env.STATSD_PORT) {
    statsd = { host: process.env.STATSD_HOST || '127.0.0.1', port: Number(process.env.STATSD_PORT) }
  } else {
    sink = await discardingStatsd()
    statsd = sink.address
  }
  const app = await buildShopApp({ statsd, database: database.connection, logStream: { write () {} }, dashboard: true, latency: true, vigie: shopObjectives({}, '10s') })
  await app.listen({ port, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${app.server.address().port}`
  const traffic = startSteadyTraffic(base)
  console.log(`Shop app on ${base}, with steady traffic (about 20 requests per second).`)
  console.log(`Dashboard: ${base}/_vigie`)
  console.log(`Health: ${base}/_vigie/health/live and ${base}/_vigie/health/ready`)
  console.log('Ctrl-C stops it.')

  const signal = await signalled()
  console.log(`\n${signal}: stopping…`)
  await traffic.stop()
  await app.close()
  sink?.close()
  const sent = Object.entries(traffic.counts).map(([status, count]) => `${count} × ${status}`).join(', ')
  console.log(`Stopped after ${sent || 'no requests'}.`)
}

const { values: args } = parseArgs({ options: { serve: { type: 'boolean', default: false }, port: { type: 'string', default: '3000' } } })
// Ctrl-C (or SIGTERM) exits at once, and the exit hooks of the StatsD daemon and the database
// stop them (even while PGlite starts); once --serve is up, it stops in order instead.
let onSignal = (signal) => {
  console.log(`\n${signal}: stopping…`)
  process.exit(130)
}
process.once('SIGINT', () => onSignal('SIGINT'))
process.once('SIGTERM', () => onSignal('SIGTERM'))
const signalled = () => new Promise((resolve) => { onSignal = resolve })
try {
  if (args.serve) await serve(Number(args.port), signalled)
  else if (!await main()) process.exitCode = 1
} catch (err) {
  console.error(`demo failed: ${err.stack ?? err}`)
  process.exitCode = 1
}
