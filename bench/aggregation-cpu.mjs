// CPU cost of in-process aggregation per request, measured on vigie's own request path:
// RequestMetrics.recordRequest() (the fast path: pre-formatted lines handed to a sink that
// drops them) with an Aggregator and without one. The difference is what aggregation adds to
// a request: one counter record and one timing record through cached series handles. Whole-
// server figures (bench/plugin-cpu.mjs) are too noisy to resolve a difference this small on a
// shared machine. With --baseline, another build's RequestMetrics and Aggregator (its
// dist/esm directory) are a third variant, timed in the same interleaved rounds. Imports the
// built package (run `npm run build` first).
//
//   node bench/aggregation-cpu.mjs [--rounds=7] [--requests=1000000] [--baseline=/other/build/dist/esm]

import { pathToFileURL } from 'node:url'
import { Aggregator } from '../dist/esm/aggregate/aggregator.js'
import { RequestMetrics } from '../dist/esm/metrics/request-metrics.js'

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const ROUNDS = Number(arg('rounds', 7))
const REQUESTS = Number(arg('requests', 1_000_000))
const BASELINE = arg('baseline', undefined)
const ROUTES = ['/users/:id', '/orders', '/orders/:id', '/health', '/cart']
const STATUSES = [200, 200, 200, 201, 404, 500]

function metrics (aggregator, Metrics = RequestMetrics) {
  let sent = 0
  return {
    sentCount: () => sent,
    recorder: new Metrics({
      client: {},
      preformatted: { prefix: 'bench.', globalTags: ['env:bench'], add: () => { sent++ }, close: async () => {}, dropped: () => ({ dns: 0, socket: 0, queue_full: 0 }) },
      tagFormat: 'datadog',
      sampleRate: 1,
      maxControllers: 500,
      onSendError: (err) => { throw err },
      onControllerOverflow: () => {},
      aggregator,
      recording: null,
      onAggregationError: (err) => { throw err },
    }),
  }
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

const variants = {
  'aggregation: false': () => metrics(null),
  'aggregation on': () => metrics(new Aggregator({ maxSeries: 500 })),
}
if (BASELINE !== undefined) {
  const base = pathToFileURL(BASELINE.endsWith('/') ? BASELINE : `${BASELINE}/`)
  const { Aggregator: BaseAggregator } = await import(new URL('aggregate/aggregator.js', base).href)
  const { RequestMetrics: BaseMetrics } = await import(new URL('metrics/request-metrics.js', base).href)
  variants['baseline, aggregation on'] = () => metrics(new BaseAggregator({ maxSeries: 500 }), BaseMetrics)
}
const results = Object.fromEntries(Object.keys(variants).map((v) => [v, []]))
const instances = Object.fromEntries(Object.entries(variants).map(([v, make]) => [v, make()]))
for (const { recorder } of Object.values(instances)) run(recorder) // warm-up: JIT, caches, series
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, { recorder }] of Object.entries(instances)) results[name].push(run(recorder))
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(`RequestMetrics.recordRequest, fast path, ${REQUESTS} requests × ${ROUNDS} interleaved rounds (Node ${process.version}); medians`)
for (const [name, xs] of Object.entries(results)) {
  console.log(`${name.padEnd(26)}${median(xs).toFixed(0).padStart(6)} ns/request   rounds: ${xs.map((x) => x.toFixed(0)).join(' ')}`)
}
const cost = median(results['aggregation on']) - median(results['aggregation: false'])
console.log(`aggregation adds ${cost.toFixed(0)} ns (${(cost / 1000).toFixed(2)} µs) per request`)
if (BASELINE !== undefined) console.log(`the baseline's adds ${(median(results['baseline, aggregation on']) - median(results['aggregation: false'])).toFixed(0)} ns`)
