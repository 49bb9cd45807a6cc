import { mkdtempSync, rmdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { StatsD } from 'hot-shots'
import t, { type Test } from 'tap'
import { FailureReporter } from '../../lib/core/failure-reporter.ts'
import { closeStatsdClient, createStatsdClient } from '../../lib/metrics/statsd-client.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import { PROCESS_METRIC_NAMES as NAMES } from '../../lib/metrics/process-metric-names.ts'
import { ProcessSampler } from '../../lib/process-metrics/process-sampler.ts'
import { fakeClock } from '../helpers/fake-clock.ts'
import { assertPlausibleGauges, hasEveryGauge, processGauges } from '../helpers/process-gauges.ts'
import { startStatsdListener, type StatsdListener } from '../helpers/statsd-listener.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A real UDP listener and a vigie-built client sending to it, torn down with the test. */
async function statsdPair (t: Test, statsd: Record<string, unknown> = {}): Promise<{ listener: StatsdListener, client: StatsD }> {
  const listener = await startStatsdListener()
  const options = resolveOptions({ statsd: { host: '127.0.0.1', port: listener.port, bufferFlushInterval: 5, ...statsd } }, {})
  const client = createStatsdClient(options.statsd, () => {})
  t.teardown(async () => {
    await closeStatsdClient(client)
    await listener.close()
  })
  return { listener, client }
}

function recordingReporter (): { reporter: FailureReporter, warnings: Array<{ obj: any, msg: string }> } {
  const warnings: Array<{ obj: any, msg: string }> = []
  return { warnings, reporter: new FailureReporter({ warn: (obj, msg) => { warnings.push({ obj, msg }) } }) }
}

/** A sampler started for the test, stopped with it. */
function startSampler (t: Test, options: ConstructorParameters<typeof ProcessSampler>[0]): ProcessSampler {
  const sampler = new ProcessSampler(options)
  sampler.start()
  t.teardown(() => sampler.stop())
  return sampler
}

t.test('every gauge goes out on the timer, with plausible values, under the client\'s prefix and tags', async (t) => {
  const { listener, client } = await statsdPair(t, { prefix: 'shop.', globalTags: { env: 'test' } })
  const { reporter, warnings } = recordingReporter()
  startSampler(t, { statsd: client, intervalMs: 100, reporter })
  await listener.waitFor((lines) => (processGauges(lines, 'shop.').get(NAMES.rss)?.length ?? 0) >= 2 && hasEveryGauge(lines, 'shop.'))
  assertPlausibleGauges(t, listener.lines, 'shop.')
  t.ok(listener.lines.some((line) => /^shop\.process\.rss:\d+\|g\|#env:test$/.test(line)), 'a plain StatsD gauge line with the global tags')
  t.same(warnings, [], 'nothing to report')
})

t.test('the first sample comes after min(1 s, interval), then one every interval; stop() ends them', async (t) => {
  const clock = fakeClock(t)
  const sent: string[] = []
  const { reporter } = recordingReporter()
  const sampler = new ProcessSampler({ statsd: { gauge: (name: string) => { sent.push(name) } } as Pick<StatsD, 'gauge'>, intervalMs: 5000, reporter })
  t.equal(sampler.running, false)
  sampler.start()
  sampler.start()
  t.equal(sampler.running, true)
  const rssCount = (): number => sent.filter((name) => name === NAMES.rss).length
  clock.advance(999)
  t.equal(rssCount(), 0, 'nothing before 1 s')
  clock.advance(1)
  t.equal(rssCount(), 1, 'the first sample at 1 s')
  clock.advance(4999)
  t.equal(rssCount(), 1)
  clock.advance(1)
  t.equal(rssCount(), 2, 'the next one interval later')
  clock.advance(5000)
  clock.advance(5000)
  t.equal(rssCount(), 4)
  sampler.stop()
  sampler.stop()
  t.equal(sampler.running, false)
  clock.advance(60_000)
  t.equal(rssCount(), 4, 'none after stop()')
  sampler.sample()
  sampler.sample()
  t.equal(sent.filter((name) => name === NAMES.cpuPercent).length, 5, 'no CPU % over no time at all')
})

t.test('process.gc_pause adds up the garbage collections of the interval', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const { listener, client } = await statsdPair(t)
  const { reporter } = recordingReporter()
  startSampler(t, { statsd: client, intervalMs: 100, reporter })
  gc()
  gc()
  const lines = await listener.waitFor((lines) => (processGauges(lines).get(NAMES.gcPause) ?? []).some((ms) => ms > 0))
  const pauses = processGauges(lines).get(NAMES.gcPause) ?? []
  t.ok(pauses.some((ms) => ms > 0 && ms < 1000), `a forced GC shows as a pause in ms (${pauses.join(', ')})`)
})

t.test('stop(): no gauge is sent afterwards', async (t) => {
  const { listener, client } = await statsdPair(t)
  const { reporter } = recordingReporter()
  const sampler = startSampler(t, { statsd: client, intervalMs: 50, reporter })
  await listener.waitFor((lines) => (processGauges(lines).get(NAMES.rss)?.length ?? 0) >= 2)
  sampler.stop()
  await sleep(30)
  const count = listener.lines.length
  await sleep(250)
  t.equal(listener.lines.length, count, 'five intervals later, still nothing new')
})

t.test('a gauge that fails is skipped and reported; the others and the next sample still go out', async (t) => {
  const { listener, client } = await statsdPair(t)
  const { reporter, warnings } = recordingReporter()
  const statsd = {
    gauge (name: string, value: number) {
      if (name === NAMES.rss) throw new Error('rss refused')
      client.gauge(name, value)
    },
  }
  startSampler(t, { statsd, intervalMs: 50, reporter })
  const lines = await listener.waitFor((lines) => (processGauges(lines).get(NAMES.cpuPercent)?.length ?? 0) >= 3)
  const gauges = processGauges(lines)
  t.notOk(gauges.has(NAMES.rss))
  t.ok((gauges.get(NAMES.heapUsed)?.length ?? 0) >= 3, 'heap used, read in the same step, still goes out')
  t.ok(gauges.has(NAMES.diskFree) && gauges.has(NAMES.activeHandles) && gauges.has(NAMES.gcPause))
  t.same(warnings.map((w) => [w.msg, w.obj.err]), [
    ['vigie: process metrics (memory) failed; the app was not affected', { type: 'Error', message: 'rss refused' }],
  ], 'reported once (the reporter rate-limits)')
})

t.test('free disk space that cannot be read is skipped and reported once; it comes back when readable', async (t) => {
  const { listener, client } = await statsdPair(t)
  const { reporter, warnings } = recordingReporter()
  const removed = mkdtempSync(join(tmpdir(), 'vigie-cwd-'))
  rmdirSync(removed)
  let cwd = (): string => removed
  startSampler(t, { statsd: client, intervalMs: 50, reporter, cwd: () => cwd() })
  await listener.waitFor((lines) => (processGauges(lines).get(NAMES.rss)?.length ?? 0) >= 3)
  t.notOk(processGauges(listener.lines).has(NAMES.diskFree), 'no process.disk_free while statfs fails')
  t.same(warnings, [{
    msg: 'vigie: cannot read the free disk space of the working directory; process.disk_free is not sent while this lasts',
    obj: { vigie: { dir: removed, err: { type: 'ENOENT', message: `ENOENT: no such file or directory, statfs '${removed}'` } } },
  }])

  cwd = () => { throw new Error('cwd gone') }
  const seen = listener.lines.length
  await listener.waitFor((lines) => (processGauges(lines.slice(seen)).get(NAMES.rss)?.length ?? 0) >= 2)
  t.equal(warnings.length, 1, 'a working directory that cannot even be named is skipped too, without a second warning')

  cwd = () => process.cwd()
  await listener.waitFor((lines) => processGauges(lines).has(NAMES.diskFree))
  t.pass('sent again once readable')
})

t.test('a statfs still running is not started again', async (t) => {
  const { listener, client } = await statsdPair(t)
  const { reporter } = recordingReporter()
  const sampler = new ProcessSampler({ statsd: client, intervalMs: 60_000, reporter })
  sampler.sample()
  sampler.sample()
  await listener.waitFor((lines) => processGauges(lines).has(NAMES.diskFree))
  await sleep(50)
  const gauges = processGauges(listener.lines)
  t.equal(gauges.get(NAMES.rss)?.length, 2)
  t.equal(gauges.get(NAMES.diskFree)?.length, 1, 'one statfs for two back-to-back samples')
  t.notOk(gauges.has(NAMES.eventLoopDelayP50), 'no event-loop delay from a meter never started')
})
