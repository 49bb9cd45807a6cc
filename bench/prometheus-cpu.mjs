// CPU cost of the Prometheus registry per request, measured on vigie's own request path:
// RequestMetrics.recordRequest() (the fast path: pre-formatted lines handed to a sink that
// drops them) with no recorder, with the aggregator alone, with the registry alone, and with
// both through the fan-out that compose.ts builds. The differences are what each adds to a
// request: a counter and a histogram record through cached series handles. Also times one
// scrape (the text exposition) of the series this traffic makes. Imports the built package
// (run `npm run build` first).
//
//   node bench/prometheus-cpu.mjs [--rounds=7] [--requests=1000000]

import { Aggregator } from '../dist/esm/aggregate/aggregator.js'
import { RequestMetrics } from '../dist/esm/metrics/request-metrics.js'
import { fanOut } from '../dist/esm/metrics/recorder-fan-out.js'
import { expose } from '../dist/esm/prometheus/exposition.js'
import { PrometheusRegistry } from '../dist/esm/prometheus/prometheus-registry.js'

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const ROUNDS = Number(arg('rounds', 7))
const REQUESTS = Number(arg('requests', 1_000_000))
const ROUTES = ['/users/:id', '/orders', '/orders/:id', '/health', '/cart']
const STATUSES = [200, 200, 200, 201, 404, 500]

const registry = () => new PrometheusRegistry({ maxSeries: 500, onFirstDrop: () => {} })

function metrics (aggregator) {
  return new RequestMetrics({
    client: {},
    preformatted: { prefix: 'bench.', globalTags: ['env:bench'], add: () => {}, close: async () => {}, dropped: () => ({ dns: 0, socket: 0, queue_full: 0 }) },
    tagFormat: 'datadog',
    sampleRate: 1,
    maxControllers: 500,
    onSendError: (err) => { throw err },
    onControllerOverflow: () => {},
    aggregator,
    recording: null,
    onAggregationError: (err) => { throw err },
  })
}

// Durations as a server sees them: log-normal around 20 ms, known in advance.
const durations = new Float64Array(4096)
for (let i = 0; i < durations.length; i++) {
  const z = Math.sqrt(-2 * Math.log(Math.random() || 1e-12)) * Math.cos(2 * Math.PI * Math.random())
  durations[i] = 20 * Math.exp(0.5 * z)
}

function run (recorder) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < REQUESTS; i++) {
    recorder.recordRequest(ROUTES[i % 5], 'GET', STATUSES[i % 6], durations[i & 4095])
  }
  return Number(process.hrtime.bigint() - start) / REQUESTS // ns per request
}

const scraped = registry()
const variants = {
  'no recorder': () => metrics(null),
  'aggregation alone': () => metrics(new Aggregator({ maxSeries: 500 })),
  'prometheus alone': () => metrics(registry()),
  'aggregation + prometheus': () => metrics(fanOut(new Aggregator({ maxSeries: 500 }), scraped)),
}
const results = Object.fromEntries(Object.keys(variants).map((v) => [v, []]))
const instances = Object.fromEntries(Object.entries(variants).map(([v, make]) => [v, make()]))
for (const recorder of Object.values(instances)) run(recorder) // warm-up: JIT, caches, series
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, recorder] of Object.entries(instances)) results[name].push(run(recorder))
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(`RequestMetrics.recordRequest, fast path, ${REQUESTS} requests × ${ROUNDS} interleaved rounds (Node ${process.version}); medians`)
for (const [name, xs] of Object.entries(results)) {
  console.log(`${name.padEnd(26)}${median(xs).toFixed(0).padStart(6)} ns/request   rounds: ${xs.map((x) => x.toFixed(0)).join(' ')}`)
}

const scrapes = []
let bytes = 0
for (let i = 0; i < 200; i++) {
  const start = process.hrtime.bigint()
  bytes = expose(scraped, 'text').length
  scrapes.push(Number(process.hrtime.bigint() - start) / 1000)
}
console.log(`one text exposition of ${scraped.seriesCount} series (${bytes} bytes): median ${median(scrapes).toFixed(0)} µs`)
