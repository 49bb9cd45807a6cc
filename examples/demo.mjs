// Drives real HTTP traffic through the vigie-instrumented shop app, lets the real Etsy StatsD
// daemon aggregate the metrics, and prints what an operator would see. Exits non-zero if the
// daemon's counts or the exception log line are not what they should be.
//
// With --serve (`npm run demo -- --serve [--port 3000]`) it keeps the shop and a steady traffic
// running instead, with vigie's dashboard on, and prints the dashboard's URL; Ctrl-C stops it.
import dgram from 'node:dgram'
import { once } from 'node:events'
import { parseArgs } from 'node:util'
import { buildShopApp } from './shop-app.mjs'
import { startStatsdDaemon } from './support/statsd-daemon.mjs'
import { startSteadyTraffic } from './support/steady-traffic.mjs'
import { startUdpTee } from './support/udp-tee.mjs'

const SECRETS = {
  password: 'hunter2',
  card: '4111 1111 1111 1111',
  'bearer token': 'demo-7f3c9a1e5b2d4f60'
}
const CHECKOUT_REQUEST_ID = 'demo-checkout-0001'
// What driveTraffic's requests should get back.
const PLANNED_STATUSES = { 200: 40, 404: 15, 500: 1 }
const FLUSH_TIMEOUT_MS = 10_000

async function main () {
  const daemon = await startStatsdDaemon({ flushInterval: 500 })
  try {
    return await run(daemon)
  } finally {
    await daemon.stop()
  }
}

async function run (daemon) {
  const logLines = []
  // vigie sends to the daemon through a relay that keeps each line as it went over the wire.
  const wire = await startUdpTee(daemon)
  const app = await buildShopApp({
    statsd: { host: wire.host, port: wire.port },
    logStream: { write: (chunk) => { logLines.push(chunk) } }
  })
  let sent
  let flushError
  try {
    try {
      await app.listen({ port: 0, host: '127.0.0.1' })
      sent = await driveTraffic(`http://127.0.0.1:${app.server.address().port}`)
    } finally {
      await app.close() // also flushes vigie's buffered metrics to the daemon
    }
    await daemon.waitForFlush(() => metricsArrived(daemon.counters(), sent.byStatus), FLUSH_TIMEOUT_MS)
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
    ...Object.entries(SECRETS).map(([what, secret]) => {
      const leaks = records.filter((r) => JSON.stringify(r).includes(secret))
      return check(leaks.length === 0, `no ${what} in the captured log`,
        leaks.map((r) => `found in: ${JSON.stringify(r).slice(0, 300)}`).join('\n'))
    })
  ]

  console.log('\nVerdict:')
  for (const c of checks) {
    console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.label}`)
    if (!c.ok && c.detail) console.log(c.detail.replace(/^/gm, '        '))
  }
  const failed = checks.filter((c) => !c.ok).length
  console.log(failed
    ? `\n${failed} check(s) failed.`
    : `\nAll ${checks.length} checks passed: ${sent.total} requests, metrics and the exception line are as expected.`)
  return failed === 0
}

// 40 known products (200), 10 unknown products (404), 5 unknown routes (404), 1 failing checkout (500).
async function driveTraffic (base) {
  const byStatus = {}
  let total = 0
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
  return { byStatus, total }
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

function metricsArrived (counters, expected) {
  return Object.entries(expected).every(([status, count]) =>
    sumCounters(counters, 'shop.http_request', { http_status: status }) === count) &&
    sumCounters(counters, 'shop.http_request.exception', {}) >= 1 &&
    sumCounters(counters, 'shop.orders.attempted', {}) >= 1
}

function printCounters (counters, flushCount) {
  const rows = Object.entries(counters)
    .filter(([key]) => !key.startsWith('statsd.'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => ({ count, ...describeKey(key) }))
  console.log(`Counters, as stored by the StatsD daemon (summed over its ${flushCount} flushes; it renames tags, see below):`)
  printTable(rows, ['count', 'metric', 'tags'])
}

// Timers are per flush interval, as an operator's dashboard shows them.
function printTimers (flushes) {
  const rows = []
  for (const [index, flush] of flushes.entries()) {
    for (const [key, data] of Object.entries(flush.timer_data)) {
      if (data.count === 0) continue
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
    return typeof cell === 'number' || /^[\d.#-]/.test(text) ? text.padStart(widths[i]) : text.padEnd(widths[i])
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
async function serve (port) {
  // StatsD goes to STATSD_HOST/STATSD_PORT when set; otherwise to a local socket that discards
  // it (the dashboard reads vigie's in-process aggregation, not StatsD).
  let sink
  let statsd
  if (process.env.STATSD_PORT) {
    statsd = { host: process.env.STATSD_HOST || '127.0.0.1', port: Number(process.env.STATSD_PORT) }
  } else {
    sink = dgram.createSocket('udp4')
    sink.bind(0, '127.0.0.1')
    await once(sink, 'listening')
    sink.unref() // the server keeps the process alive, not this socket
    statsd = { host: '127.0.0.1', port: sink.address().port }
  }
  const app = await buildShopApp({ statsd, logStream: { write () {} }, dashboard: true, latency: true })
  await app.listen({ port, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${app.server.address().port}`
  const traffic = startSteadyTraffic(base)
  console.log(`Shop app on ${base}, with steady traffic (about 20 requests per second).`)
  console.log(`Dashboard: ${base}/_vigie`)
  console.log('Ctrl-C stops it.')

  const signal = await new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'))
    process.once('SIGTERM', () => resolve('SIGTERM'))
  })
  console.log(`\n${signal}: stopping…`)
  await traffic.stop()
  await app.close()
  sink?.close()
  const sent = Object.entries(traffic.counts).map(([status, count]) => `${count} × ${status}`).join(', ')
  console.log(`Stopped after ${sent || 'no requests'}.`)
}

const { values: args } = parseArgs({ options: { serve: { type: 'boolean', default: false }, port: { type: 'string', default: '3000' } } })
try {
  if (args.serve) await serve(Number(args.port))
  else if (!await main()) process.exitCode = 1
} catch (err) {
  console.error(`demo failed: ${err.stack ?? err}`)
  process.exitCode = 1
}
