// CPU cost of evaluating alert rules (docs/alerts.md, "Overhead"): an aggregator filled with 65
// minutes of traffic on 50 routes × 5 status codes (250 `http_request` counter series and 250
// `http_request.response_time` timing series, 20 requests a second per route, log-normal around
// 20 ms), then one engine per kind of rule, each evaluated every 10 s of fake time while traffic
// goes on. Prints the median and p99 of one evaluation of one rule, in µs of CPU time.
// Imports the built package (run `npm run build` first).
//
//   node bench/alert-evaluation.mjs [--evaluations=200]

import { random } from './lib/random.mjs'

const dist = new URL('../dist/esm/', import.meta.url)
const { Aggregator } = await import(new URL('aggregate/aggregator.js', dist).href)
const { alertEngine } = await import(new URL('alerts/alert-engine.js', dist).href)
const { resolveOptions } = await import(new URL('options/resolve-options.js', dist).href)

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const EVALUATIONS = Number(arg('evaluations', 200))
const ROUTES = 50
const STATUSES = ['200', '201', '404', '500', '503']
const PER_SECOND = 20
const START = 1_700_000_040_000

const rule = (name, extra) => ({ name, window: '5m', above: 1e12, severity: 'page', ...extra })
const CASES = [
  ['count of a counter, 1m, one route', rule('c', { metric: 'http_request', stat: 'count', tags: { controller: '/route/7' }, window: '1m' })],
  ['errorRatio, 5m, every route', rule('e', { stat: 'errorRatio' })],
  ['errorRatio, 60m, every route', rule('e', { stat: 'errorRatio', window: '60m' })],
  ['p99 of a timing, 5m, one route', rule('p', { metric: 'http_request.response_time', stat: 'p99', tags: { controller: '/route/7' } })],
  ['p99 of a timing, 4m (10-s buckets), every route', rule('p', { metric: 'http_request.response_time', stat: 'p99', window: '4m' })],
  ['p99 of a timing, 60m, every route', rule('p', { metric: 'http_request.response_time', stat: 'p99', window: '60m' })],
]

const clock = { now: START }
const aggregator = new Aggregator({ maxSeries: 10_000, now: () => clock.now })
const series = []
for (let r = 0; r < ROUTES; r++) {
  for (const status of STATUSES) {
    const tags = [`http_status:${status}`, `http_status_class:${status[0]}xx`, 'method:GET', `controller:/route/${r}`]
    series.push([aggregator.series('counter', 'http_request', tags), aggregator.series('timing', 'http_request.response_time', tags)])
  }
}
const rand = random(42)
function traffic (seconds) {
  for (let s = 0; s < seconds; s++) {
    clock.now += 1000
    for (let r = 0; r < ROUTES; r++) {
      for (let i = 0; i < PER_SECOND; i++) {
        const [requests, times] = series[r * STATUSES.length + Math.floor(rand() * STATUSES.length)]
        requests.recordAt(1, clock.now)
        times.recordAt(Math.exp(Math.log(20) + 0.5 * normal()), clock.now)
      }
    }
  }
}
function normal () {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
}
traffic(65 * 60)

const quiet = { info () {}, warn () {} }
const statsd = { increment () {} }
const dispatch = { notify () {}, close: async () => {} }
const reporter = { report (_subsystem, err) { throw err } }
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
console.log(`${series.length * 2} series, ${EVALUATIONS} evaluations each, every 10 s of fake time`)
for (const [label, definition] of CASES) {
  const engine = alertEngine(resolveOptions({ alerts: { rules: [definition] } }, {}).alerts,
    { aggregator, burnSources: [], dispatch, logger: quiet, statsd, reporter, now: () => clock.now })
  const times = []
  for (let i = 0; i < EVALUATIONS; i++) {
    traffic(10)
    // CPU time rather than wall time: the figures hold on a busy machine.
    const start = process.cpuUsage()
    engine.evaluate()
    const used = process.cpuUsage(start)
    times.push(used.user + used.system)
  }
  await engine.close()
  times.sort((a, b) => a - b)
  console.log(`${label.padEnd(52)} median ${quantile(times, 0.5).toFixed(0).padStart(6)} µs   p99 ${quantile(times, 0.99).toFixed(0).padStart(6)} µs`)
}
