import t from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { windowSpan } from '../../lib/aggregate/time-buckets.ts'
import type { CounterStats, GaugeStats, TimingStats } from '../../lib/aggregate/types.ts'
import { fakeClock } from '../helpers/fake-clock.ts'

const SECOND = 1000
const MINUTE = 60_000
/** A minute boundary, far from the epoch. */
const T0 = Date.UTC(2026, 11, 2)

t.test('windowSpan(): the buckets overlapping the window, 10-s ones up to 4 min 50 s, minutes beyond', async (t) => {
  const now = T0 + 25 * SECOND
  const short = T0 / 10_000
  t.same(windowSpan(now, 10 * SECOND), { ring: 'short', first: short + 1, last: short + 2, start: T0 + 10 * SECOND }, '10 s: 15 s of buckets')
  t.same(windowSpan(T0 + 20 * SECOND, 10 * SECOND), { ring: 'short', first: short + 1, last: short + 2, start: T0 + 10 * SECOND }, 'on a boundary: exactly 10 s and the bucket just opened')
  t.same(windowSpan(now, 290 * SECOND), { ring: 'short', first: short - 27, last: short + 2, start: T0 - 270 * SECOND }, '30 buckets: the whole short ring')
  t.same(windowSpan(now, 5 * MINUTE), { ring: 'long', first: T0 / MINUTE - 5, last: T0 / MINUTE, start: T0 - 5 * MINUTE }, '5 min: six minutes')
  t.same(windowSpan(T0 + 30 * MINUTE + 5 * SECOND, 60 * MINUTE), { ring: 'long', first: T0 / MINUTE - 29, last: T0 / MINUTE + 30, start: T0 - 29 * MINUTE },
    '60 min: the 60 minutes of the long ring, the current one included')
})

t.test('readWindow(): counts what the buckets overlapping the window hold, and no more', async (t) => {
  const clock = fakeClock(t)
  clock.travel(T0)
  const aggregator = new Aggregator({ maxSeries: 100 })
  const record = (agoMs: number, value = 1): void => aggregator.series('counter', 'jobs', []).recordAt(value, T0 + 70 * MINUTE - agoMs)
  clock.advance(70 * MINUTE)
  // One record per age, oldest first (as time goes); the value says which.
  for (const [ago, value] of [[61 * MINUTE, 128], [59 * MINUTE + 30 * SECOND, 64], [5 * MINUTE + 30 * SECOND, 32], [4 * MINUTE + 55 * SECOND, 16], [3 * MINUTE, 8], [35 * SECOND, 4], [15 * SECOND, 2], [2 * SECOND, 1]] as const) {
    record(ago, value)
  }
  const count = (windowMs: number): number => (aggregator.readWindow('jobs', ['counter'], [], windowMs)!.stats as CounterStats).count
  // now is on a minute boundary: the current 10-s bucket has just opened.
  t.equal(count(10 * SECOND), 1, '10 s: the bucket just opened and the one before')
  t.equal(count(20 * SECOND), 1 + 2)
  t.equal(count(25 * SECOND), 1 + 2)
  t.equal(count(40 * SECOND), 1 + 2 + 4)
  t.equal(count(2 * MINUTE), 1 + 2 + 4)
  t.equal(count(4 * MINUTE), 1 + 2 + 4 + 8)
  t.equal(count(5 * MINUTE), 1 + 2 + 4 + 8 + 16, '5 min: six minutes')
  t.equal(count(6 * MINUTE), 1 + 2 + 4 + 8 + 16 + 32)
  t.equal(count(60 * MINUTE), 63, '60 min: the long ring holds 60 minutes, the current one included; at its start, that is 59')
  clock.advance(5 * SECOND)
  const rate = aggregator.readWindow('jobs', ['counter'], [], 30 * SECOND)!.stats as CounterStats
  t.same(rate, { count: 3, ratePerSecond: 3 / 35 }, 'a rate is per second the buckets cover: 35 s')
  clock.advance(35 * SECOND)
  t.equal(count(60 * MINUTE), 63, '59 minutes and 40 s')
  t.equal(aggregator.readWindow('other', ['counter'], [], MINUTE), null, 'a metric never recorded reads null')
})

t.test('readWindow(): series are chosen by kind and tags, and added up', async (t) => {
  const clock = fakeClock(t)
  clock.travel(T0 + 5 * SECOND)
  const aggregator = new Aggregator({ maxSeries: 100 })
  aggregator.record('gauge', 'm', ['host:a'], 7)
  aggregator.record('counter', 'm', ['host:a'], 3)
  aggregator.record('counter', 'm', ['host:b', 'zone:1'], 4)
  aggregator.record('counter', 'm', ['host:b', 'zone:2'], 5)
  for (let v = 1; v <= 50; v++) aggregator.record('timing', 't', ['route:a'], v)
  for (let v = 51; v <= 100; v++) aggregator.record('timing', 't', ['route:b'], v)

  t.match(aggregator.readWindow('m', ['counter'], [], MINUTE), { kind: 'counter', stats: { count: 12 }, series: 3 }, 'the gauge of the same name is left out')
  t.match(aggregator.readWindow('m', ['counter'], [['host', 'b']], MINUTE), { stats: { count: 9 }, series: 2 })
  t.match(aggregator.readWindow('m', ['counter'], [['host', 'b'], ['zone', '2']], MINUTE), { stats: { count: 5 }, series: 1 })
  t.equal(aggregator.readWindow('m', ['counter'], [['host', 'c']], MINUTE), null)
  t.match(aggregator.readWindow('m', ['timing', 'gauge'], [], MINUTE), { kind: 'gauge', stats: { last: 7 } as GaugeStats })
  const merged = aggregator.readWindow('t', ['timing'], [], MINUTE)!.stats as TimingStats
  t.match(merged, { count: 100, min: 1, max: 100, mean: 50.5 })
  t.ok(Math.abs(merged.p99 - 99) <= 99 * 0.03 && Math.abs(merged.median - 50) <= 50 * 0.03, 'percentiles of the merged sketches')

  clock.advance(2 * MINUTE)
  t.match(aggregator.readWindow('m', ['counter'], [], MINUTE), { stats: { count: 0, ratePerSecond: 0 } }, 'a counter with nothing in the window reads 0')
  t.match(aggregator.readWindow('t', ['timing'], [], MINUTE), { kind: 'timing', stats: null }, 'a timing reads null')
  t.match(aggregator.readWindow('t', ['timing'], [], 5 * MINUTE), { stats: { count: 100 } }, 'still in the 5-minute window')
})

t.test('readWindow(): an evicted series is no longer read; the one created in its place is', async (t) => {
  const clock = fakeClock(t)
  clock.travel(T0)
  const aggregator = new Aggregator({ maxSeries: 2 })
  aggregator.record('counter', 'a', ['n:1'], 1)
  clock.advance(10 * SECOND)
  aggregator.record('counter', 'a', ['n:2'], 2)
  clock.advance(10 * SECOND)
  aggregator.record('counter', 'b', [], 4)
  t.match(aggregator.readWindow('a', ['counter'], [], MINUTE), { stats: { count: 2 }, series: 1 }, 'a:n:1 made room for b')
  aggregator.record('counter', 'c', [], 8)
  t.equal(aggregator.readWindow('a', ['counter'], [], MINUTE), null, 'every series of a is gone')
  aggregator.record('counter', 'a', ['n:3'], 16)
  t.match(aggregator.readWindow('a', ['counter'], [], MINUTE), { stats: { count: 16 }, series: 1 })
  t.match(aggregator.readWindow('c', ['counter'], [], MINUTE), { stats: { count: 8 } })
})
