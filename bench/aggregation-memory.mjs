// Heap bytes per aggregated series, measured: the worst case (every one of the 30 + 60 buckets
// holding a sketch with all its bins), a realistic timing series, a counter and a gauge. Fills
// `SERIES` series of each shape over 65 minutes of fake time, reads them once (a snapshot), then
// reads the heap after a GC: the V8 heap and the memory of typed arrays, which is outside it
// (freed on a background thread after a GC: each reading waits for it).
// Imports the built package (run `npm run build` first).
//
//   node --expose-gc bench/aggregation-memory.mjs

import { setTimeout as sleep } from 'node:timers/promises'
import { Aggregator } from '../dist/esm/aggregate/aggregator.js'
import { BIN_LIMIT, RELATIVE_ACCURACY } from '../dist/esm/aggregate/sketch.js'
import { random } from './lib/random.mjs'

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')

const SERIES = 100
const START = 1_700_000_040_000
const MINUTES = 65

const shapes = {
  // 600 values per 10-s bucket spread over 10^9: every sketch is at its bin limit.
  'timing, worst case': (handle, rand) => { for (let i = 0; i < 600; i++) handle.record(10 ** (-3 + 9 * rand())) },
  // 200 requests per 10 s, log-normal around 20 ms (p99 about 65 ms), a slow outlier now and then.
  'timing, realistic (20 req/s)': (handle, rand) => {
    for (let i = 0; i < 200; i++) {
      const z = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand())
      handle.record(rand() < 0.002 ? 2000 * rand() : 20 * Math.exp(0.5 * z))
    }
  },
  // The same at 1 request a second.
  'timing, realistic (1 req/s)': (handle, rand) => {
    for (let i = 0; i < 10; i++) {
      const z = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand())
      handle.record(rand() < 0.002 ? 2000 * rand() : 20 * Math.exp(0.5 * z))
    }
  },
  counter: (handle) => { for (let i = 0; i < 200; i++) handle.record(1) },
  gauge: (handle, rand) => handle.record(1e8 * rand()),
  'timing, created, never recorded': () => {},
}
const kinds = { counter: 'counter', gauge: 'gauge' }

if (process.argv[2] === undefined) console.log(`DDSketch relative accuracy ${RELATIVE_ACCURACY * 100} %, ${BIN_LIMIT} bins per bucket at most; ${SERIES} series per shape, ${MINUTES} minutes of fake time`)
// Each shape in its own process: what one leaves behind never counts against the next.
const only = process.argv[2]
if (only === undefined) {
  const { execFileSync } = await import('node:child_process')
  for (const shape of Object.keys(shapes)) {
    process.stdout.write(execFileSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, shape], { encoding: 'utf8' }))
  }
} else {
  await measure(only, shapes[only])
}

/** Memory in use once garbage is collected, the backing stores of dead typed arrays included. */
async function used () {
  for (let i = 0; i < 5; i++) {
    globalThis.gc()
    await sleep(20)
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

async function measure (shape, fill) {
  const clock = { now: START }
  const aggregator = new Aggregator({ maxSeries: 10_000, now: () => clock.now })
  const before = await used()
  const handles = []
  for (let s = 0; s < SERIES; s++) handles.push(aggregator.series(kinds[shape] ?? 'timing', 'bench', [`series:${s}`]))
  const rand = random(42)
  for (let t = 0; t < MINUTES * 60; t += 10) {
    clock.now = START + t * 1000
    for (const handle of handles) fill(handle, rand)
  }
  clock.now += 1000
  // Rolls every open bucket up (all 90 buckets in use), and makes each series keep what its
  // windows' closed buckets add up to, as they do once read. The snapshot itself is let go.
  aggregator.snapshot()
  const bytes = (await used() - before) / SERIES
  aggregator.clear() // used after the reading, so not collected before it
  console.log(`${shape.padEnd(34)}${(bytes / 1024).toFixed(1).padStart(8)} KiB per series`)
}
