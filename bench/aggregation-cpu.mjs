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
import { median, recordingMetrics, timeVariants } from './lib/record-requests.mjs'

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const ROUNDS = Number(arg('rounds', 7))
const REQUESTS = Number(arg('requests', 1_000_000))
const BASELINE = arg('baseline', undefined)
const variants = {
  'aggregation: false': () => recordingMetrics(null),
  'aggregation on': () => recordingMetrics(new Aggregator({ maxSeries: 500 })),
}
if (BASELINE !== undefined) {
  const base = pathToFileURL(BASELINE.endsWith('/') ? BASELINE : `${BASELINE}/`)
  const { Aggregator: BaseAggregator } = await import(new URL('aggregate/aggregator.js', base).href)
  const { RequestMetrics: BaseMetrics } = await import(new URL('metrics/request-metrics.js', base).href)
  variants['baseline, aggregation on'] = () => recordingMetrics(new BaseAggregator({ maxSeries: 500 }), BaseMetrics)
}
const results = timeVariants(variants, ROUNDS, REQUESTS)
const cost = median(results['aggregation on']) - median(results['aggregation: false'])
console.log(`aggregation adds ${cost.toFixed(0)} ns (${(cost / 1000).toFixed(2)} µs) per request`)
if (BASELINE !== undefined) console.log(`the baseline's adds ${(median(results['baseline, aggregation on']) - median(results['aggregation: false'])).toFixed(0)} ns`)
