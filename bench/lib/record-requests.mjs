// What bench/aggregation-cpu.mjs and bench/prometheus-cpu.mjs share: RequestMetrics on its fast
// path (pre-formatted lines handed to a sink that drops them) over a recorder, fed the same
// requests, in interleaved rounds.
import { RequestMetrics } from '../../dist/esm/metrics/request-metrics.js'

const ROUTES = ['/users/:id', '/orders', '/orders/:id', '/health', '/cart']
const STATUSES = [200, 200, 200, 201, 404, 500]

// Durations as a server sees them: log-normal around 20 ms, known in advance.
const durations = new Float64Array(4096)
for (let i = 0; i < durations.length; i++) {
  const z = Math.sqrt(-2 * Math.log(Math.random() || 1e-12)) * Math.cos(2 * Math.PI * Math.random())
  durations[i] = 20 * Math.exp(0.5 * z)
}

/** RequestMetrics (or another build's `Metrics`) recording into `aggregator` (null: none). */
export function recordingMetrics (aggregator, Metrics = RequestMetrics) {
  return new Metrics({
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

function run (metrics, requests) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < requests; i++) {
    metrics.recordRequest(ROUTES[i % 5], 'GET', STATUSES[i % 6], durations[i & 4095])
  }
  return Number(process.hrtime.bigint() - start) / requests // ns per request
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/**
 * Builds each variant's RequestMetrics (`variants`: name → factory), warms them up, times
 * `requests` requests per variant in `rounds` interleaved rounds, prints the medians, and
 * returns each variant's ns per request, round by round.
 */
export function timeVariants (variants, rounds, requests) {
  const results = Object.fromEntries(Object.keys(variants).map((v) => [v, []]))
  const instances = Object.fromEntries(Object.entries(variants).map(([v, make]) => [v, make()]))
  for (const metrics of Object.values(instances)) run(metrics, requests) // warm-up: JIT, caches, series
  for (let round = 0; round < rounds; round++) {
    for (const [name, metrics] of Object.entries(instances)) results[name].push(run(metrics, requests))
  }
  console.log(`RequestMetrics.recordRequest, fast path, ${requests} requests × ${rounds} interleaved rounds (Node ${process.version}); medians`)
  for (const [name, xs] of Object.entries(results)) {
    console.log(`${name.padEnd(26)}${median(xs).toFixed(0).padStart(6)} ns/request   rounds: ${xs.map((x) => x.toFixed(0)).join(' ')}`)
  }
  return results
}
