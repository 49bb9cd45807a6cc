import fc from 'fast-check'
import t, { type Test } from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { RELATIVE_ACCURACY } from '../../lib/aggregate/sketch.ts'
import type { CounterStats, GaugeStats, SeriesSnapshot, Snapshot, TimingStats, WindowName } from '../../lib/aggregate/types.ts'

// A start on a minute boundary, so that bucket arithmetic in the tests stays readable.
const T0 = 1_700_000_040_000
const SECOND = 1000
const MINUTE = 60 * SECOND

/** An aggregator on a fake clock the test moves by hand. */
function fakeTimeAggregator (options: { maxSeries?: number, onFirstEviction?: () => void, start?: number } = {}): { aggregator: Aggregator, clock: { now: number } } {
  const clock = { now: options.start ?? T0 }
  const aggregator = new Aggregator({ maxSeries: options.maxSeries ?? 100, now: () => clock.now, onFirstEviction: options.onFirstEviction })
  return { aggregator, clock }
}

function find (snapshot: Snapshot, name: string, tags: Record<string, string> = {}): SeriesSnapshot | undefined {
  return snapshot.series.find((s) => s.name === name && JSON.stringify(s.tags) === JSON.stringify(tags))
}

function windowOf<S> (snapshot: Snapshot, name: string, window: WindowName, tags: Record<string, string> = {}): S | null {
  const series = find(snapshot, name, tags)
  if (series === undefined) throw new Error(`no series ${name} ${JSON.stringify(tags)} in ${JSON.stringify(snapshot.series.map((s) => s.name))}`)
  return series.windows[window] as S | null
}

/** The exact value the sketch approximates: the element of rank floor(q × (n − 1)). */
function exactQuantile (sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]
}

function withinRelativeError (t: Test, actual: number, exact: number, what: string): void {
  // A hair of slack for floating point in the mapping.
  t.ok(Math.abs(actual - exact) <= RELATIVE_ACCURACY * Math.abs(exact) + 1e-9, `${what}: ${actual} within ${RELATIVE_ACCURACY * 100}% of ${exact}`)
}

t.test('counters: exact counts, and rates over the time the window really covers', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const orders = aggregator.series('counter', 'orders', ['shop:eu'])
  clock.now = T0 + 1 * SECOND
  orders.record(3)
  clock.now = T0 + 15 * SECOND
  orders.record(2)
  clock.now = T0 + 20 * SECOND
  let snapshot = aggregator.snapshot()
  t.equal(snapshot.at, T0 + 20 * SECOND)
  // 20 s since the aggregator started: shorter than every window.
  for (const window of ['1m', '5m', '15m', '60m'] as const) {
    t.same(windowOf<CounterStats>(snapshot, 'orders', window, { shop: 'eu' }), { count: 5, ratePerSecond: 5 / 20 }, window)
  }

  // One record a second, at k s + 500 ms, for ten minutes and a bit.
  const { aggregator: steady, clock: steadyClock } = fakeTimeAggregator()
  const hits = steady.series('counter', 'hits', [])
  for (let k = 0; k <= 604; k++) {
    steadyClock.now = T0 + k * SECOND + 500
    hits.record(1)
  }
  steadyClock.now = T0 + 605 * SECOND // 5 s into a 10-s bucket
  snapshot = steady.snapshot()
  // 1m: the current 10-s bucket (5 s so far) and the 5 before it, 55 s; 5m: 29 buckets and 5 s.
  t.same(windowOf<CounterStats>(snapshot, 'hits', '1m'), { count: 55, ratePerSecond: 1 })
  t.same(windowOf<CounterStats>(snapshot, 'hits', '5m'), { count: 295, ratePerSecond: 1 })
  // 15m and 60m reach back before the start: everything, over the 605 s since then.
  t.same(windowOf<CounterStats>(snapshot, 'hits', '15m'), { count: 605, ratePerSecond: 1 })
  t.same(windowOf<CounterStats>(snapshot, 'hits', '60m'), { count: 605, ratePerSecond: 1 })
})

t.test('a counter sums increments and decrements; a read right after the start divides by 1 s at least', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  aggregator.record('counter', 'stock', [], 10)
  aggregator.record('counter', 'stock', [], -4)
  clock.now = T0 + 200
  t.same(windowOf<CounterStats>(aggregator.snapshot(), 'stock', '1m'), { count: 6, ratePerSecond: 6 })
})

t.test('window expiry: 61 s ago is out of 1m and in 5m; 16 min ago only in 60m; 61 min ago in nothing', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const start = T0 + 2 * MINUTE + 3 * SECOND
  clock.now = start
  aggregator.record('counter', 'c', [], 1)
  aggregator.record('timing', 't', [], 12)
  aggregator.record('gauge', 'g', [], 7)

  clock.now = start + 61 * SECOND
  let snapshot = aggregator.snapshot()
  for (const name of ['c', 't', 'g']) {
    t.equal(windowOf(snapshot, name, '1m'), null, `${name}: out of 1m`)
    t.not(windowOf(snapshot, name, '5m'), null, `${name}: in 5m`)
  }
  t.equal(windowOf<TimingStats>(snapshot, 't', '5m')?.count, 1)

  clock.now = start + 5 * MINUTE + SECOND
  snapshot = aggregator.snapshot()
  t.equal(windowOf(snapshot, 'c', '5m'), null, 'out of 5m')
  t.same(windowOf(snapshot, 'c', '15m'), { count: 1, ratePerSecond: 1 / (7 * 60 + 4) }, 'in 15m; rate over the 7 min 4 s since the start')

  clock.now = start + 16 * MINUTE
  snapshot = aggregator.snapshot()
  t.equal(windowOf(snapshot, 'c', '15m'), null, 'out of 15m')
  t.same(windowOf<GaugeStats>(snapshot, 'g', '60m'), { last: 7, min: 7, max: 7, mean: 7, samples: 1 }, 'in 60m')

  clock.now = start + 61 * MINUTE
  snapshot = aggregator.snapshot()
  t.same(snapshot.series, [], 'a series with nothing in the last 60 minutes is left out')
})

t.test('timing percentiles are within the sketch\'s relative accuracy of the exact ones; count, min, max and mean are exact', async (t) => {
  // Values within a ratio of 20 000: the range one bucket's bins cover at full accuracy.
  const value = fc.double({ min: 0.1, max: 2000, noNaN: true })
  const record = fc.record({ value, offsetMs: fc.integer({ min: 0, max: 59 * MINUTE }) })
  fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 400 }), (records) => {
    const { aggregator, clock } = fakeTimeAggregator()
    const handle = aggregator.series('timing', 'latency', ['route:/a'])
    for (const r of [...records].sort((a, b) => a.offsetMs - b.offsetMs)) {
      clock.now = T0 + r.offsetMs
      handle.record(r.value)
    }
    clock.now = T0 + 59 * MINUTE + 30 * SECOND
    const snapshot = aggregator.snapshot()
    // 60m starts 59 minutes before the current one; 5m, 29 ten-second buckets before the current one.
    const checks: Array<[WindowName, number]> = [['60m', T0], ['5m', T0 + 59 * MINUTE + 30 * SECOND - 290 * SECOND]]
    for (const [window, from] of checks) {
      const values = records.filter((r) => T0 + r.offsetMs >= from).map((r) => r.value).sort((a, b) => a - b)
      const stats = windowOf<TimingStats>(snapshot, 'latency', window, { route: '/a' })
      if (values.length === 0) {
        if (stats !== null) throw new Error(`${window}: expected nothing, got ${JSON.stringify(stats)}`)
        continue
      }
      if (stats === null) throw new Error(`${window}: expected ${values.length} values`)
      if (stats.count !== values.length || stats.min !== values[0] || stats.max !== values[values.length - 1]) {
        throw new Error(`${window}: count/min/max ${JSON.stringify(stats)}`)
      }
      const mean = values.reduce((a, b) => a + b, 0) / values.length
      if (Math.abs(stats.mean - mean) > 1e-9 * mean) throw new Error(`${window}: mean ${stats.mean} vs ${mean}`)
      for (const [q, got] of [[0.5, stats.median], [0.9, stats.p90], [0.95, stats.p95], [0.99, stats.p99]] as const) {
        const exact = exactQuantile(values, q)
        if (Math.abs(got - exact) > RELATIVE_ACCURACY * exact + 1e-9) throw new Error(`${window} q${q}: ${got} vs exact ${exact}`)
      }
    }
  }), { numRuns: 150, seed: 20_240_505 })
  t.pass('150 random data sets')
})

t.test('with values spread wider than the bins cover, the high quantiles keep their accuracy', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const handle = aggregator.series('timing', 'wide', [])
  const values: number[] = []
  // 0.001 ms to 1000 s: a ratio of 10^9, far beyond one bucket's 256 bins.
  for (let i = 0; i < 1000; i++) values.push(10 ** (-3 + (9 * i) / 999))
  for (const v of values) handle.record(v)
  clock.now = T0 + SECOND
  const stats = windowOf<TimingStats>(aggregator.snapshot(), 'wide', '1m')
  t.ok(stats !== null)
  withinRelativeError(t, stats!.p90, exactQuantile(values, 0.9), 'p90')
  withinRelativeError(t, stats!.p99, exactQuantile(values, 0.99), 'p99')
  t.equal(stats!.min, 0.001, 'min stays exact')
  t.equal(stats!.max, values[999], 'max stays exact')
})

t.test('a zero duration is a value; NaN, infinities and negative durations are ignored without a throw', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const timing = aggregator.series('timing', 't', [])
  const counter = aggregator.series('counter', 'c', [])
  const gauge = aggregator.series('gauge', 'g', [])
  for (const bad of [NaN, Infinity, -Infinity, -1, '5' as unknown as number]) {
    timing.record(bad)
    if (bad !== -1) {
      counter.record(bad)
      gauge.record(bad)
    }
  }
  timing.record(0)
  timing.record(4)
  counter.record(-1)
  gauge.record(-1)
  clock.now = T0 + 5 * SECOND
  const snapshot = aggregator.snapshot()
  const timingStats = windowOf<TimingStats>(snapshot, 't', '1m')!
  t.match(timingStats, { count: 2, min: 0, max: 4, mean: 2, median: 0 })
  withinRelativeError(t, timingStats.p99, exactQuantile([0, 4], 0.99), 'p99 of [0, 4]: the value of rank floor(0.99 × 1)')
  t.same(windowOf(snapshot, 'c', '1m'), { count: -1, ratePerSecond: -1 / 5 })
  t.same(windowOf(snapshot, 'g', '1m'), { last: -1, min: -1, max: -1, mean: -1, samples: 1 })
})

t.test('gauges: the latest sample, the extremes and the mean of every sample, across buckets and roll-ups', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const heap = aggregator.series('gauge', 'heap', [])
  const samples: Array<[number, number]> = [[0, 50], [10, 80], [25, 20], [70, 60], [300, 40]]
  for (const [s, v] of samples) {
    clock.now = T0 + s * SECOND
    heap.record(v)
  }
  clock.now = T0 + 301 * SECOND
  const snapshot = aggregator.snapshot()
  t.same(windowOf(snapshot, 'heap', '1m'), { last: 40, min: 40, max: 40, mean: 40, samples: 1 })
  // 5m starts at 301 − 291 s = 10 s: the sample at 0 s is out.
  t.same(windowOf(snapshot, 'heap', '5m'), { last: 40, min: 20, max: 80, mean: 50, samples: 4 })
  t.same(windowOf(snapshot, 'heap', '60m'), { last: 40, min: 20, max: 80, mean: 50, samples: 5 })
})

t.test('history: 30 ten-second points or 60 one-minute points, oldest first, the current partial bucket last', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const ok = aggregator.series('counter', 'http_request', ['http_status_class:2xx', 'controller:/a'])
  const failed = aggregator.series('counter', 'http_request', ['http_status_class:5xx', 'controller:/a'])
  const other = aggregator.series('counter', 'http_request', ['controller:/b'])
  clock.now = T0 + 3 * MINUTE + 2 * SECOND
  ok.record(1)
  ok.record(1)
  failed.record(1)
  other.record(1)
  clock.now = T0 + 4 * MINUTE + 45 * SECOND
  ok.record(1)
  clock.now = T0 + 4 * MINUTE + 47 * SECOND

  const short = aggregator.history('http_request', '10s')
  t.equal(short.resolution, '10s')
  t.equal(short.points, 30)
  t.same(Object.keys(short.groups), [''])
  const line = short.groups['']
  t.equal(line.length, 30)
  t.equal(line[29].start, T0 + 4 * MINUTE + 40 * SECOND, 'the current bucket last')
  t.equal(line[0].start, T0 + 4 * MINUTE + 40 * SECOND - 29 * 10 * SECOND)
  t.ok(line.every((p, i) => i === 0 || p.start - line[i - 1].start === 10 * SECOND), 'evenly spaced, oldest first')
  // 7 s of the current bucket have gone by.
  t.same(line[29].stats, { count: 1, ratePerSecond: 1 / 7 })
  const at3m0 = line.findIndex((p) => p.start === T0 + 3 * MINUTE)
  t.same(line[at3m0].stats, { count: 4, ratePerSecond: 4 / 10 }, 'every series of the name, summed')
  t.equal(line.filter((p) => p.stats !== null).length, 2, 'buckets without records are null')

  const byClass = aggregator.history('http_request', '10s', 'http_status_class')
  t.same(Object.keys(byClass.groups).sort(), ['', '2xx', '5xx'], 'a series without the tag goes to ""')
  t.same(byClass.groups['2xx'][at3m0].stats, { count: 2, ratePerSecond: 0.2 })
  t.same(byClass.groups['5xx'][at3m0].stats, { count: 1, ratePerSecond: 0.1 })
  t.same(byClass.groups[''][at3m0].stats, { count: 1, ratePerSecond: 0.1 })

  const long = aggregator.history('http_request', '1m')
  t.equal(long.points, 60)
  const minutes = long.groups['']
  t.equal(minutes.length, 60)
  t.equal(minutes[59].start, T0 + 4 * MINUTE)
  // The current minute holds the open 10-s bucket only, 47 s of it so far.
  t.same(minutes[59].stats, { count: 1, ratePerSecond: 1 / 47 })
  t.same(minutes[58].stats, { count: 4, ratePerSecond: 4 / 60 })
  t.equal(minutes[57].stats, null)

  t.same(aggregator.history('nothing', '1m').groups[''].filter((p) => p.stats !== null), [], 'an unknown name: one group of nulls')
  t.same(aggregator.history('nothing', '1m', 'controller').groups, {}, 'grouped: no group at all')
})

t.test('history merges timing sketches and combines gauges across series', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const a = aggregator.series('timing', 'rt', ['controller:/a'])
  const b = aggregator.series('timing', 'rt', ['controller:/b'])
  const all: number[] = []
  for (let i = 1; i <= 100; i++) {
    a.record(i)
    b.record(i * 10)
    all.push(i, i * 10)
  }
  const heapA = aggregator.series('gauge', 'heap', ['worker:1'])
  const heapB = aggregator.series('gauge', 'heap', ['worker:2'])
  heapA.record(10)
  clock.now = T0 + SECOND
  heapB.record(30)
  clock.now = T0 + 2 * MINUTE
  const points = aggregator.history('rt', '1m').groups['']
  const merged = points.find((p) => p.start === T0)?.stats as TimingStats
  t.equal(merged.count, 200)
  t.equal(merged.min, 1)
  t.equal(merged.max, 1000)
  all.sort((x, y) => x - y)
  withinRelativeError(t, merged.median, exactQuantile(all, 0.5), 'merged median')
  withinRelativeError(t, merged.p99, exactQuantile(all, 0.99), 'merged p99')
  const heap = aggregator.history('heap', '1m').groups[''].find((p) => p.start === T0)?.stats
  t.same(heap, { last: 30, min: 10, max: 30, mean: 20, samples: 2 }, 'last: the latest sample of any series')
  const grouped = aggregator.history('rt', '10s', 'controller').groups
  t.equal((grouped['/a'].find((p) => p.start === T0)?.stats as TimingStats).max, 100)
})

t.test('history of a name used with two kinds follows the first series\' kind', async (t) => {
  const { aggregator } = fakeTimeAggregator()
  aggregator.record('counter', 'x', [], 2)
  aggregator.record('timing', 'x', [], 50)
  const stats = aggregator.history('x', '10s').groups[''][29].stats
  t.same(stats, { count: 2, ratePerSecond: 2 })
})

const names = (snapshot: Snapshot): string[] => snapshot.series.map((s) => s.name)

t.test('the series cap: a new series evicts the one recorded least recently; onFirstEviction once', async (t) => {
  let evictions = 0
  const { aggregator, clock } = fakeTimeAggregator({ maxSeries: 3, onFirstEviction: () => evictions++ })
  const a = aggregator.series('counter', 'a', [])
  a.record(1)
  clock.now = T0 + 10 * SECOND
  aggregator.record('counter', 'b', [], 1)
  clock.now = T0 + 20 * SECOND
  aggregator.record('counter', 'c', [], 1)
  clock.now = T0 + 30 * SECOND
  a.record(1)
  t.equal(evictions, 0, 'nothing evicted below the cap')
  aggregator.record('counter', 'd', [], 1)
  t.equal(evictions, 1)
  clock.now = T0 + 31 * SECOND
  let snapshot = aggregator.snapshot()
  t.same(names(snapshot), ['a', 'c', 'd'], 'b, whose latest bucket was the oldest, made room (a was recorded again since)')
  t.equal(snapshot.evictedSeries, 1)
  t.equal(snapshot.maxSeries, 3)
  t.same(windowOf(snapshot, 'a', '1m'), { count: 2, ratePerSecond: 2 / 31 }, 'a kept what it had')

  // A flood of new series, then one real series after it.
  for (let i = 0; i < 10_000; i++) aggregator.record('counter', 'attack', [`id:${i}`], 1)
  clock.now = T0 + 40 * SECOND
  aggregator.record('counter', 'http_request', ['controller:/checkout', 'http_status:500'], 1)
  clock.now = T0 + 41 * SECOND
  snapshot = aggregator.snapshot()
  t.equal(snapshot.series.length, 3, 'never more than maxSeries')
  t.same(windowOf(snapshot, 'http_request', '1m', { controller: '/checkout', http_status: '500' }), { count: 1, ratePerSecond: 1 / 41 }, 'what came after the flood is there')
  t.same(find(snapshot, 'attack', { id: '9999' })?.windows['1m'], { count: 1, ratePerSecond: 1 / 41 }, 'and the latest of the flood')
  t.equal(snapshot.evictedSeries, 10_002)
  t.equal(evictions, 1, 'onFirstEviction once')
})

t.test('a series idle for longer than 60 minutes, or never recorded into, goes first', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator({ maxSeries: 3 })
  aggregator.record('gauge', 'idle', [], 1)
  clock.now = T0 + 61 * MINUTE
  aggregator.series('counter', 'unused', [])
  aggregator.record('counter', 'busy', [], 1)
  aggregator.record('counter', 'new', [], 1)
  clock.now += SECOND
  t.same(names(aggregator.snapshot()), ['busy', 'new'], 'the idle one made room ("unused" is not listed: nothing recorded)')
  aggregator.record('counter', 'newer', [], 1)
  clock.now += SECOND
  const snapshot = aggregator.snapshot()
  t.same(names(snapshot), ['busy', 'new', 'newer'], 'then the one never recorded into')
  t.equal(snapshot.evictedSeries, 2)
})

t.test('the handle of an evicted series records on, into the series holding its key then', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator({ maxSeries: 3 })
  const counter = aggregator.series('counter', 'requests', ['route:/a'])
  const timing = aggregator.series('timing', 'requests.time', ['route:/a'])
  const gauge = aggregator.series('gauge', 'queue', [])
  counter.record(1)
  timing.record(10)
  gauge.record(7)
  clock.now = T0 + 10 * SECOND
  for (let i = 0; i < 3; i++) aggregator.record('counter', 'flood', [`id:${i}`], 1)
  clock.now = T0 + 20 * SECOND
  t.same(names(aggregator.snapshot()), ['flood', 'flood', 'flood'], 'the three were evicted')

  clock.now = T0 + 30 * SECOND
  counter.record(2)
  timing.record(20)
  gauge.record(8)
  clock.now = T0 + 31 * SECOND
  let snapshot = aggregator.snapshot()
  t.same(names(snapshot), ['requests', 'requests.time', 'queue'], 'each handle created its series again, evicting the flood')
  t.same(windowOf(snapshot, 'requests', '1m', { route: '/a' }), { count: 2, ratePerSecond: 2 / 31 }, 'what was recorded before the eviction is gone')
  t.match(windowOf(snapshot, 'requests.time', '1m', { route: '/a' }), { count: 1, min: 20, max: 20 })
  t.match(windowOf(snapshot, 'queue', '1m'), { last: 8, samples: 1 })
  t.equal(snapshot.evictedSeries, 6)

  const successor = aggregator.series('counter', 'requests', ['route:/a'])
  t.not(successor, counter, 'a lookup finds the new series')
  successor.record(1)
  counter.record(1)
  clock.now += SECOND
  t.same(windowOf(aggregator.snapshot(), 'requests', '1m', { route: '/a' }), { count: 4, ratePerSecond: 4 / 32 }, 'the old handle and the new one count into one series')

  // The successor is evicted in turn, and another series takes its key before the old handle records.
  clock.now = T0 + 40 * SECOND
  for (let i = 0; i < 3; i++) aggregator.record('counter', 'flood', [`id:${i}`], 1)
  aggregator.record('counter', 'requests', ['route:/a'], 5)
  counter.record(1)
  clock.now += SECOND
  snapshot = aggregator.snapshot()
  t.equal(snapshot.series.filter((s) => s.name === 'requests').length, 1, 'one series per key, whichever handle created it')
  t.same(windowOf<CounterStats>(snapshot, 'requests', '1m', { route: '/a' })?.count, 6)
  t.ok(snapshot.series.length <= 3)
})

t.test('one series per key, however many evicted handles record into it', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator({ maxSeries: 2 })
  // Two callers looked the series up at different times: an eviction between them gave each its own handle.
  const first = aggregator.series('counter', 'shared', [])
  aggregator.record('counter', 'x', [], 1)
  aggregator.record('counter', 'y', [], 1)
  const second = aggregator.series('counter', 'shared', [])
  t.not(first, second)
  for (let i = 0; i < 100; i++) {
    first.record(1)
    second.record(1)
  }
  clock.now += SECOND
  const snapshot = aggregator.snapshot()
  t.same(windowOf<CounterStats>(snapshot, 'shared', '1m')?.count, 200)
  t.equal(snapshot.series.filter((s) => s.name === 'shared').length, 1)
})

t.test('a new series taking over an evicted one\'s storage starts empty', async (t) => {
  for (const kind of ['counter', 'timing', 'gauge'] as const) {
    const { aggregator, clock } = fakeTimeAggregator({ maxSeries: 1 })
    const old = aggregator.series(kind, 'old', [])
    // Every 10-s slot and several minutes filled, then read, so that timings keep window sums.
    for (let s = 0; s < 600; s += 5) {
      clock.now = T0 + s * SECOND
      old.record(1000 + s)
      if (s % 60 === 0) aggregator.snapshot()
    }
    aggregator.history('old', '1m')
    clock.now += SECOND
    aggregator.record(kind, 'new', [], 7)
    clock.now += SECOND
    const snapshot = aggregator.snapshot()
    t.same(names(snapshot), ['new'], kind)
    for (const window of ['1m', '5m', '15m', '60m'] as const) {
      const stats = windowOf(snapshot, 'new', window)
      if (kind === 'counter') t.match(stats, { count: 7 }, `${kind} ${window}`)
      else if (kind === 'timing') t.match(stats, { count: 1, min: 7, max: 7, mean: 7 }, `${kind} ${window}`)
      else t.match(stats, { last: 7, min: 7, max: 7, mean: 7, samples: 1 }, `${kind} ${window}`)
    }
    const points = aggregator.history('new', '1m').groups[''].filter((p) => p.stats !== null)
    t.equal(points.length, 1, `${kind}: one minute with a record`)
  }
})

t.test('history after an eviction: the kind of a name is re-read, never a memo of the other kind', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator({ maxSeries: 2 })
  aggregator.record('counter', 'x', [], 3)
  clock.now = T0 + 10 * SECOND
  aggregator.record('timing', 'x', [], 50)
  clock.now = T0 + 20 * SECOND
  const before = aggregator.history('x', '10s').groups['']
  t.same(before[27].stats, { count: 3, ratePerSecond: 0.3 }, 'the first series of the name is a counter')
  aggregator.record('counter', 'other', [], 1)
  const after = aggregator.history('x', '10s').groups['']
  t.equal(after[27].stats, null, 'the counter was evicted: the timing is read')
  t.match(after[28].stats, { count: 1, min: 50, max: 50 })
})

t.test('tags: order does not make another series; "k:v" splits at the first colon; a bare tag maps to ""', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  aggregator.record('counter', 'n', ['b:2', 'a:1'], 1)
  aggregator.record('counter', 'n', ['a:1', 'b:2'], 1)
  aggregator.record('counter', 'n', ['controller:/users/:id', 'canary'], 1)
  clock.now = T0 + SECOND
  const snapshot = aggregator.snapshot()
  t.equal(snapshot.series.length, 2)
  t.same(windowOf(snapshot, 'n', '1m', { a: '1', b: '2' }), { count: 2, ratePerSecond: 2 })
  t.same(windowOf(snapshot, 'n', '1m', { canary: '', controller: '/users/:id' }), { count: 1, ratePerSecond: 1 })
})

t.test('buckets are reused: after a long silence, only the new records count', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const c = aggregator.series('counter', 'c', [])
  const timing = aggregator.series('timing', 't', [])
  c.record(5)
  timing.record(100)
  // Two hours and one minute later, into a bucket whose slots held the old ones.
  clock.now = T0 + 121 * MINUTE
  c.record(1)
  timing.record(3)
  clock.now += SECOND
  const snapshot = aggregator.snapshot()
  for (const window of ['1m', '5m', '15m', '60m'] as const) {
    t.equal(windowOf<CounterStats>(snapshot, 'c', window)?.count, 1, window)
    t.same(windowOf<TimingStats>(snapshot, 't', window), { count: 1, min: 3, max: 3, mean: 3, median: 3, p90: 3, p95: 3, p99: 3 }, window)
  }
})

t.test('a clock that goes back records into the current bucket: nothing is lost or counted twice', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const c = aggregator.series('counter', 'c', [])
  clock.now = T0 + 30 * SECOND
  c.record(1)
  clock.now = T0 + 5 * SECOND
  c.record(1)
  clock.now = T0 + 31 * SECOND
  const snapshot = aggregator.snapshot()
  t.same(windowOf(snapshot, 'c', '1m'), { count: 2, ratePerSecond: 2 / 31 })
  t.equal(aggregator.history('c', '10s').groups[''][29].stats !== null, true)
})

t.test('reads roll buckets up without changing what they report', async (t) => {
  const { aggregator, clock } = fakeTimeAggregator()
  const timing = aggregator.series('timing', 't', [])
  const values: number[] = []
  for (let s = 0; s < 180; s += 3) {
    clock.now = T0 + s * SECOND
    timing.record(s + 1)
    values.push(s + 1)
    if (s % 21 === 0) aggregator.snapshot()
  }
  clock.now = T0 + 180 * SECOND
  const first = aggregator.snapshot()
  const second = aggregator.snapshot()
  t.same(first.series, second.series)
  const stats = windowOf<TimingStats>(first, 't', '60m')!
  t.equal(stats.count, values.length)
  t.equal(stats.mean, values.reduce((a, b) => a + b, 0) / values.length)
})

t.test('clear() forgets what was recorded and the evictions; handles held before keep working', async (t) => {
  let evictions = 0
  const { aggregator, clock } = fakeTimeAggregator({ maxSeries: 2, onFirstEviction: () => evictions++ })
  const c = aggregator.series('counter', 'c', [])
  c.record(1)
  aggregator.record('counter', 'd', [], 1)
  aggregator.record('counter', 'e', [], 1)
  t.equal(aggregator.snapshot().evictedSeries, 1)
  aggregator.clear()
  clock.now = T0 + SECOND
  let snapshot = aggregator.snapshot()
  t.same(snapshot.series, [])
  t.equal(snapshot.evictedSeries, 0)
  c.record(2)
  clock.now = T0 + 2 * SECOND
  snapshot = aggregator.snapshot()
  t.same(windowOf(snapshot, 'c', '1m'), { count: 2, ratePerSecond: 1 }, 'rate since the clear')
  t.equal(snapshot.evictedSeries, 1, 'c, evicted before the clear, made room again')
  t.equal(evictions, 2, 'the first eviction is reported again after a clear')
})
