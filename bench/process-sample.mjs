// Process gauges: what one sample costs the app's thread (median µs), and what the probes cost
// an idle process between samples. Imports the built package (run `npm run build` first).
// Figures go in docs/process-metrics.md.
//
//   node bench/process-sample.mjs            full run (about 45 s)
//   node bench/process-sample.mjs --quick    fewer samples, for a smoke test

import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import os from 'node:os'
import { createHistogram, performance } from 'node:perf_hooks'
import { StatsD } from 'hot-shots'
import { diskFreeBytes } from '../dist/esm/process-metrics/disk-free.js'
import { ProcessSampler } from '../dist/esm/process-metrics/process-sampler.js'
import { measureAll } from './lib/measure.mjs'

const QUICK = process.argv.includes('--quick')
const SAMPLES = QUICK ? 3 : 11
const MIN_SAMPLE_NS = QUICK ? 2e6 : 20e6
const IDLE_MS = QUICK ? 1000 : 5000
const reporter = { report () {}, warnOnce () {} }

// A real UDP receiver, so that sending goes through hot-shots' buffer and socket.
const receiver = createSocket('udp4')
receiver.on('message', () => {})
receiver.bind(0, '127.0.0.1')
await once(receiver, 'listening')
const client = new StatsD({ host: '127.0.0.1', port: receiver.address().port, maxBufferSize: 8192, bufferFlushInterval: 1000, errorHandler: () => {} })

// The synchronous part of a sample: every gauge but free disk space, which is a statfs on
// libuv's thread pool (only the first call of the loop starts one: one is never queued twice).
const reading = new ProcessSampler({ statsd: { gauge () {} }, intervalMs: 60_000, reporter })
const sending = new ProcessSampler({ statsd: client, intervalMs: 60_000, reporter })
reading.start()
sending.start()
const [readNs, sendNs] = measureAll([() => reading.sample(), () => sending.sample()], { samples: SAMPLES, minSampleNs: MIN_SAMPLE_NS })
reading.stop()
sending.stop()

// The loop above blocks the event loop, so the delay histogram has nothing new to report after
// the first call: time its two percentile reads on a histogram holding a 10 s interval's probes.
const histogram = createHistogram()
for (let i = 0; i < 500; i++) histogram.record(20_000_000 + Math.floor(Math.random() * 2_000_000))
const [percentilesNs] = measureAll([() => histogram.percentile(50) + histogram.percentile(99)], { samples: SAMPLES, minSampleNs: MIN_SAMPLE_NS / 10 })

// Free disk space: wall time of one statfs, awaited, and its cost on the app's thread.
const cwd = process.cwd()
const statfsWall = []
for (let i = 0; i < (QUICK ? 50 : 500); i++) {
  const start = performance.now()
  await diskFreeBytes(cwd)
  statfsWall.push(performance.now() - start)
}
statfsWall.sort((a, b) => a - b)
const [statfsSyncNs] = measureAll([() => { diskFreeBytes(cwd).catch(() => {}) }], { samples: SAMPLES, minSampleNs: MIN_SAMPLE_NS / 10 })
await new Promise((resolve) => setTimeout(resolve, 200))

// Between samples: an idle process with and without a running sampler (the event-loop delay
// timer every 20 ms, the GC observer, the interval), CPU time over the same wall time.
async function idleCpuMs (withSampler) {
  const sampler = new ProcessSampler({ statsd: client, intervalMs: 1000, reporter })
  if (withSampler) sampler.start()
  const before = process.cpuUsage()
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS))
  const used = process.cpuUsage(before)
  sampler.stop()
  return (used.user + used.system) / 1000
}
const idle = { without: [], with: [] }
for (let i = 0; i < (QUICK ? 1 : 3); i++) {
  idle.without.push(await idleCpuMs(false))
  idle.with.push(await idleCpuMs(true))
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

client.close()
receiver.close()

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const us = (ns) => (ns / 1000).toFixed(1)
process.stdout.write(`Node ${process.version}, ${cpu}, ${os.cpus().length} cores${QUICK ? ' (quick run)' : ''}

| What | Median |
| --- | --- |
| one sample, read only (7 gauges, no send) | ${us(readNs)} µs |
| one sample, read and sent through hot-shots | ${us(sendNs)} µs |
| event-loop delay p50 + p99 reads (not in the two rows above) | ${us(percentilesNs)} µs |
| free disk space: statfs, on the app's thread | ${us(statfsSyncNs)} µs |
| free disk space: statfs, wall time (thread pool) | ${(statfsWall[Math.floor(statfsWall.length / 2)] * 1000).toFixed(0)} µs |
| idle process, CPU over ${IDLE_MS / 1000} s without a sampler | ${median(idle.without).toFixed(1)} ms |
| idle process, CPU over ${IDLE_MS / 1000} s with a sampler (1 s interval) | ${median(idle.with).toFixed(1)} ms |
`)
