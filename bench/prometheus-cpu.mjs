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
import { fanOut } from '../dist/esm/metrics/recorder-fan-out.js'
import { expose } from '../dist/esm/prometheus/exposition.js'
import { PrometheusRegistry } from '../dist/esm/prometheus/prometheus-registry.js'
import { median, recordingMetrics, timeVariants } from './lib/record-requests.mjs'

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const ROUNDS = Number(arg('rounds', 7))
const REQUESTS = Number(arg('requests', 1_000_000))
const registry = () => new PrometheusRegistry({ maxSeries: 500, onFirstDrop: () => {} })

const scraped = registry()
const variants = {
  'no recorder': () => recordingMetrics(null),
  'aggregation alone': () => recordingMetrics(new Aggregator({ maxSeries: 500 })),
  'prometheus alone': () => recordingMetrics(registry()),
  'aggregation + prometheus': () => recordingMetrics(fanOut(new Aggregator({ maxSeries: 500 }), scraped)),
}
timeVariants(variants, ROUNDS, REQUESTS)

const scrapes = []
let bytes = 0
for (let i = 0; i < 200; i++) {
  const start = process.hrtime.bigint()
  bytes = expose(scraped, 'text').length
  scrapes.push(Number(process.hrtime.bigint() - start) / 1000)
}
console.log(`one text exposition of ${scraped.seriesCount} series (${bytes} bytes): median ${median(scrapes).toFixed(0)} µs`)
