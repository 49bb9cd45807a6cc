// CPU cost of reading the in-process aggregation, as a live dashboard does: every 2 s of fake
// time, 2 s of traffic is recorded, then snapshot(), history(name, '10s') and history(name, '1m')
// are called and timed. 250 busy timing series (5 names × 50 series, 20 requests a second each,
// log-normal around 20 ms with rare slow outliers) and 250 counter series (5 names × 50), filled
// over 65 minutes first so that every bucket is in use. The polls span several minutes, so the
// figures include the reads that follow a 10-s and a 1-minute bucket rotation (see "p90"/"max";
// "max" is the first read, which finds every bucket to merge).
//
// With --baseline, a second implementation (another build's aggregate/aggregator.js) gets the
// same records, and the two are timed in the same run: in blocks of --block polls each, taking
// turns, so that a change of load on a shared machine falls on both. Within a block, only one
// aggregator runs, as in an app (polls taking turns one by one would have each read find the CPU
// caches filled by the other implementation's data).
// Imports the built package (run `npm run build` first).
//
//   node bench/aggregation-read.mjs [--polls=150] [--block=25] [--baseline=/path/to/aggregate/aggregator.js]
//     [--impl=/path/to/aggregate/aggregator.js, instead of dist's]

import { pathToFileURL } from 'node:url'
import { random } from './lib/random.mjs'

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const POLLS = Number(arg('polls', 150))
const BLOCK = Number(arg('block', 25))
const POLL_MS = 2000
const FILL_MINUTES = 65
const PER_SECOND = 20
const NAMES = 5
const SERIES_PER_NAME = 50
const START = 1_700_000_040_000
const CLASSES = ['2xx', '2xx', '2xx', '4xx', '5xx']

const impl = arg('impl', undefined)
const implementations = { current: impl === undefined ? new URL('../dist/esm/aggregate/aggregator.js', import.meta.url).href : pathToFileURL(impl).href }
const baseline = arg('baseline', undefined)
if (baseline !== undefined) implementations.baseline = pathToFileURL(baseline).href

function setUp (Aggregator) {
  const clock = { now: START }
  const aggregator = new Aggregator({ maxSeries: 10_000, now: () => clock.now })
  const timings = []
  const counters = []
  for (let n = 0; n < NAMES; n++) {
    for (let s = 0; s < SERIES_PER_NAME; s++) {
      const tags = [`controller:/route/${s}`, `http_status_class:${CLASSES[s % CLASSES.length]}`]
      timings.push(aggregator.series('timing', `timing.${n}`, tags))
      counters.push(aggregator.series('counter', `counter.${n}`, tags))
    }
  }
  return { clock, aggregator, timings, counters, rand: random(42) }
}

/** `seconds` of traffic, ending at clock.now + seconds; the clock moves with it, one step a second. */
function traffic (setup, seconds) {
  const { clock, timings, counters, rand } = setup
  for (let s = 0; s < seconds; s++) {
    clock.now += 1000
    for (let i = 0; i < timings.length; i++) {
      for (let r = 0; r < PER_SECOND; r++) {
        const z = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand())
        timings[i].record(rand() < 0.002 ? 2000 * rand() : 20 * Math.exp(0.5 * z))
      }
      counters[i].record(PER_SECOND)
    }
  }
}

const setups = {}
for (const [name, url] of Object.entries(implementations)) {
  const { Aggregator } = await import(url)
  setups[name] = setUp(Aggregator)
  traffic(setups[name], FILL_MINUTES * 60)
}

const reads = {
  'snapshot()': (a) => a.snapshot(),
  "history(name, '10s')": (a) => a.history('timing.0', '10s'),
  "history(name, '1m')": (a) => a.history('timing.0', '1m'),
  "history(name, '1m', tag)": (a) => a.history('timing.0', '1m', 'http_status_class'),
  "counters: history(name, '10s', tag)": (a) => a.history('counter.0', '10s', 'http_status_class'),
}
const times = {}
for (const impl of Object.keys(setups)) times[impl] = Object.fromEntries(Object.keys(reads).map((r) => [r, []]))

const order = Object.keys(setups)
for (let done = 0; done < POLLS; done += BLOCK) {
  for (const impl of order) {
    const { aggregator } = setups[impl]
    for (let poll = done; poll < Math.min(done + BLOCK, POLLS); poll++) {
      traffic(setups[impl], POLL_MS / 1000)
      for (const [read, fn] of Object.entries(reads)) {
        const start = process.hrtime.bigint()
        fn(aggregator)
        times[impl][read].push(Number(process.hrtime.bigint() - start) / 1e6)
      }
    }
  }
  order.reverse()
}

const sorted = (xs) => [...xs].sort((a, b) => a - b)
const at = (xs, q) => sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))]
console.log(`${NAMES * SERIES_PER_NAME} timing + ${NAMES * SERIES_PER_NAME} counter series (${SERIES_PER_NAME} per name), ${PER_SECOND} records/s each; ` +
  `${POLLS} polls, one every ${POLL_MS / 1000} s of fake time, in blocks of ${BLOCK} (Node ${process.version}); ms per call`)
console.log(`${'read'.padEnd(38)}${'impl'.padEnd(10)}${'median'.padStart(8)}${'p90'.padStart(8)}${'max'.padStart(8)}`)
for (const read of Object.keys(reads)) {
  for (const impl of Object.keys(setups)) {
    const xs = times[impl][read]
    console.log(`${read.padEnd(38)}${impl.padEnd(10)}${at(xs, 0.5).toFixed(2).padStart(8)}${at(xs, 0.9).toFixed(2).padStart(8)}${Math.max(...xs).toFixed(2).padStart(8)}`)
  }
}
