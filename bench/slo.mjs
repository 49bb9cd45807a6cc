// What SLOs cost (docs/slo.md#overhead): the heap one 30-day SLO takes, the time per ended
// request with 1 and 5 SLOs following it, a read of slos() (every burn-rate window) and a store
// write of five 30-day SLOs. Medians of 7 rounds.
//
//   npm run build && node --expose-gc bench/slo.mjs
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveOptions } from '../dist/esm/options/resolve-options.js'
import { sloFeature } from '../dist/esm/slo/slo-feature.js'

const EVENTS = 2_000_000
const ROUNDS = 7
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const reporter = { warnOnce: () => {}, report: (subsystem, err) => console.error(subsystem, err) }
const slo = (i) => ({ name: `slo${i}`, objective: 99.9, window: '30d', sli: i % 2 === 0 ? 'availability' : { latency: { thresholdMs: 300 } } })

function build (count, store) {
  const options = resolveOptions({ slos: Array.from({ length: count }, (_, i) => slo(i)), slo: { store } }, {})
  return sloFeature(options.slos, { statsd: { gauge () {} }, tagFormat: 'datadog', reporter, store: options.slo })
}

// Memory: the heap and array buffers one more 30-day SLO takes, from 20 of them.
globalThis.gc()
const before = process.memoryUsage()
const twenty = build(20)
globalThis.gc()
const after = process.memoryUsage()
const perSlo = ((after.heapUsed + after.arrayBuffers) - (before.heapUsed + before.arrayBuffers)) / 20
await twenty.close()

function nsPerEvent (feature) {
  const ended = feature.subscriber.requestEnded
  const start = process.hrtime.bigint()
  for (let i = 0; i < EVENTS; i++) ended('/users/:id', 'GET', i % 100 === 0 ? 500 : 200, 12.5)
  return Number(process.hrtime.bigint() - start) / EVENTS
}

const one = build(1)
const five = build(5)
const rounds = { one: [], five: [], read: [] }
for (let r = 0; r < ROUNDS; r++) {
  rounds.one.push(nsPerEvent(one))
  rounds.five.push(nsPerEvent(five))
  const start = process.hrtime.bigint()
  for (let i = 0; i < 10_000; i++) five.statuses()
  rounds.read.push(Number(process.hrtime.bigint() - start) / 10_000)
}
await one.close()
await five.close()

// A store write of five 30-day SLOs: the bytes, and the time close() takes to write them.
const dir = mkdtempSync(join(tmpdir(), 'vigie-slo-bench-'))
const store = join(dir, 'slo.bin')
const writes = []
for (let r = 0; r < ROUNDS; r++) {
  const stored = build(5, store)
  const start = process.hrtime.bigint()
  await stored.close()
  writes.push(Number(process.hrtime.bigint() - start) / 1e6)
}
const bytes = statSync(store).size
rmSync(dir, { recursive: true, force: true })

console.log(`node ${process.version}`)
console.log(`memory per 30-day SLO: ${(perSlo / 1024).toFixed(0)} KiB`)
console.log(`per ended request: ${median(rounds.one).toFixed(1)} ns with 1 SLO, ${median(rounds.five).toFixed(1)} ns with 5`)
console.log(`slos() with 5 SLOs: ${(median(rounds.read) / 1000).toFixed(2)} µs`)
console.log(`store of 5 × 30 days: ${(bytes / 1024).toFixed(0)} KiB, written (encode, write, fsync, rename) in ${median(writes).toFixed(1)} ms`)
