import { StatsD } from 'hot-shots'
import t, { type Test } from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { recordStatsdSends } from '../../lib/aggregate/statsd-recording.ts'
import type { CounterStats, GaugeStats, Snapshot, TimingStats } from '../../lib/aggregate/types.ts'
import { startStatsdListener, type StatsdListener } from '../helpers/statsd-listener.ts'

/** A real hot-shots client sending to a real UDP listener, closed with the test. */
async function realClient (t: Test, options: ConstructorParameters<typeof StatsD>[0] = {}): Promise<{ client: StatsD, statsd: StatsdListener }> {
  const statsd = await startStatsdListener()
  const client = new StatsD({ host: '127.0.0.1', port: statsd.port, maxBufferSize: 0, errorHandler: () => {}, ...options })
  t.teardown(async () => {
    await new Promise<void>((resolve) => client.close(() => resolve()))
    await statsd.close()
  })
  return { client, statsd }
}

function oneMinute<S> (snapshot: Snapshot, name: string): S | undefined {
  return snapshot.series.find((s) => s.name === name)?.windows['1m'] as S | undefined
}

t.test('every kind of send is recorded under its name (without prefix) and its own tags', async (t) => {
  const { client, statsd } = await realClient(t, { prefix: 'shop.', globalTags: { env: 'test' } })
  const aggregator = new Aggregator({ maxSeries: 50 })
  const recording = recordStatsdSends(client, aggregator, () => t.fail('no recording error'))
  t.ok(recording)
  client.increment('orders', 3, ['region:eu'])
  client.increment('orders', ['region:eu'])
  client.decrement('stock', 2, { sku: 'A1' })
  client.timing('checkout', 120)
  client.histogram('payload', 2048)
  client.distribution('queue_wait', 7)
  client.gauge('queue_depth', 12)
  client.gauge('queue_depth', 8)
  client.set('visitors', 'u1')
  client.gaugeDelta('queue_depth', 5)
  client.increment(['a', 'b'], 1)
  await statsd.waitFor((lines) => lines.length >= 12)
  t.ok(statsd.lines.includes('shop.orders:3|c|#env:test,region:eu'), 'the metric is sent as before')

  const snapshot = aggregator.snapshot()
  const orders = snapshot.series.find((s) => s.name === 'orders')
  t.same(orders?.tags, { region: 'eu' }, 'global tags are not included')
  t.equal(orders?.kind, 'counter')
  t.equal(oneMinute<CounterStats>(snapshot, 'orders')?.count, 4)
  t.same(snapshot.series.find((s) => s.name === 'stock')?.tags, { sku: 'A1' }, 'object tags')
  t.equal(oneMinute<CounterStats>(snapshot, 'stock')?.count, -2)
  t.match(oneMinute<TimingStats>(snapshot, 'checkout'), { count: 1, min: 120, max: 120 })
  t.match(oneMinute<TimingStats>(snapshot, 'payload'), { count: 1, max: 2048 }, 'histograms are timings')
  t.match(oneMinute<TimingStats>(snapshot, 'queue_wait'), { count: 1, max: 7 }, 'distributions are timings')
  t.same(oneMinute<GaugeStats>(snapshot, 'queue_depth'), { last: 8, min: 8, max: 12, mean: 10, samples: 2 }, 'a gauge delta ("+5") is not a sample')
  t.equal(snapshot.series.find((s) => s.name === 'visitors'), undefined, 'sets are not aggregated')
  t.equal(oneMinute<CounterStats>(snapshot, 'a')?.count, 1, 'an array of names: each one')
  t.equal(oneMinute<CounterStats>(snapshot, 'b')?.count, 1)
})

t.test('counts are exact before sampling: hot-shots samples after the record', async (t) => {
  const { client, statsd } = await realClient(t)
  const aggregator = new Aggregator({ maxSeries: 10 })
  recordStatsdSends(client, aggregator, () => {})
  for (let i = 0; i < 2000; i++) client.increment('sampled', 1, 0.01)
  client.increment('marker')
  await statsd.waitFor((lines) => lines.includes('marker:1|c'))
  t.ok(statsd.lines.filter((l) => l.startsWith('sampled:')).length < 100, 'few of them were sent')
  t.equal(oneMinute<CounterStats>(aggregator.snapshot(), 'sampled')?.count, 2000, 'every one was counted')
})

t.test('muted sends and metrics sent with a timestamp are not recorded', async (t) => {
  const { client, statsd } = await realClient(t)
  const aggregator = new Aggregator({ maxSeries: 10 })
  const recording = recordStatsdSends(client, aggregator, () => {})!
  recording.muted = true
  client.increment('own')
  recording.muted = false
  client.increment('user')
  client.gauge('past', 1, { timestamp: Date.now() - 3_600_000 })
  await statsd.waitFor((lines) => lines.length >= 3)
  const names = aggregator.snapshot().series.map((s) => s.name)
  t.same(names, ['user'])
})

t.test('restore() puts hot-shots\' own sendStat back; a wrapper added since stays in place', async (t) => {
  const { client, statsd } = await realClient(t)
  const aggregator = new Aggregator({ maxSeries: 10 })
  const recording = recordStatsdSends(client, aggregator, () => {})!
  t.ok(Object.hasOwn(client, 'sendStat'))
  recording.restore()
  t.notOk(Object.hasOwn(client, 'sendStat'), 'the prototype\'s method again')
  client.increment('after_restore')

  const second = recordStatsdSends(client, aggregator, () => {})!
  const third = recordStatsdSends(client, aggregator, () => {})!
  second.restore()
  client.increment('through_both')
  await statsd.waitFor((lines) => lines.includes('through_both:1|c'))
  const snapshot = aggregator.snapshot()
  t.equal(oneMinute<CounterStats>(snapshot, 'through_both')?.count, 1, 'recorded once: the restored wrapper only passes through')
  t.equal(snapshot.series.find((s) => s.name === 'after_restore'), undefined)
  third.restore()
  t.ok(Object.hasOwn(client, 'sendStat'), 'the outer wrapper is not removed by the inner one')
})

t.test('fail-open: a recording that throws is reported, and the metric is still sent', async (t) => {
  const { client, statsd } = await realClient(t)
  class BrokenAggregator extends Aggregator {
    override record (): void {
      throw new Error('aggregation broke')
    }
  }
  const errors: unknown[] = []
  recordStatsdSends(client, new BrokenAggregator({ maxSeries: 10 }), (err) => errors.push(err))
  client.increment('still_sent', 2)
  await statsd.waitFor((lines) => lines.includes('still_sent:2|c'))
  t.equal(errors.length, 1)
  t.match(errors[0], { message: 'aggregation broke' })
})

t.test('a client without sendStat is left alone', async (t) => {
  const aggregator = new Aggregator({ maxSeries: 10 })
  t.equal(recordStatsdSends({ increment () {} } as unknown as StatsD, aggregator, () => {}), null)
})

t.test('pin: hot-shots sends every verb through sendStat(stat, value, type, sampleRate, tags, timestamp, …)', async (t) => {
  // recordStatsdSends() wraps sendStat, which hot-shots does not publish: this fails on a version
  // that stops routing its public methods through it, or moves its arguments.
  const { version } = (await import('hot-shots/package.json', { with: { type: 'json' } })).default as { version: string }
  const { client } = await realClient(t)
  const target = client as unknown as { sendStat: (...args: unknown[]) => unknown }
  t.equal(typeof target.sendStat, 'function', `hot-shots ${version} has sendStat`)
  const calls: unknown[][] = []
  const original = target.sendStat
  target.sendStat = function spy (this: unknown, ...args: unknown[]) {
    calls.push(args.slice(0, 6))
    return original.apply(this, args)
  }
  const tags = ['k:v']
  client.increment('i', 2, 0.5, tags)
  client.decrement('dec', 3, 0.5, tags)
  client.timing('t', 5, 0.5, tags)
  client.gauge('g', 7, 0.5, tags)
  client.histogram('h', 9, 0.5, tags)
  client.distribution('d', 11, 0.5, tags)
  client.increment('opts', 1, { sampleRate: 0.5, tags })
  client.gauge('at', 1, { timestamp: 1_700_000_000 })
  t.same(calls, [
    ['i', 2, 'c', 0.5, tags, undefined],
    ['dec', -3, 'c', 0.5, tags, undefined],
    ['t', 5, 'ms', 0.5, tags, undefined],
    ['g', 7, 'g', 0.5, tags, undefined],
    ['h', 9, 'h', 0.5, tags, undefined],
    ['d', 11, 'd', 0.5, tags, undefined],
    ['opts', 1, 'c', 0.5, tags, undefined],
    ['at', 1, 'g', undefined, undefined, 1_700_000_000],
  ], `hot-shots ${version}: one sendStat call per metric, arguments in place`)
})
