// What a worker sends its app's other workers (DeltaRecorder), and what their aggregators make of
// it (Aggregator#merge()): the same figures as if every value had been recorded in one process.
import t from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { sketchFromWire, type SeriesDelta, type TimingDelta } from '../../lib/aggregate/series-delta.ts'
import type { CounterStats, GaugeStats, TimingStats } from '../../lib/aggregate/types.ts'
import { DeltaRecorder } from '../../lib/cluster/delta-recorder.ts'
import { isVigieMessage, PROTOCOL } from '../../lib/cluster/messages.ts'

const windowOf = (aggregator: Aggregator, name: string, window: '1m' | '5m' = '1m'): unknown =>
  aggregator.snapshot().series.find((one) => one.name === name)?.windows[window]

/** Values spread over five orders of magnitude, zeros among them. */
function timings (n: number, seed: number): number[] {
  const values: number[] = []
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648
    values.push(i % 97 === 0 ? 0 : (x / 2147483648) ** 3 * 5000)
  }
  return values
}

t.test('three workers\' deltas merged give the figures of one process that recorded it all', async (t) => {
  const whole = new Aggregator({ maxSeries: 100 })
  const merged = new Aggregator({ maxSeries: 100 })
  for (let worker = 0; worker < 3; worker++) {
    const recorder = new DeltaRecorder(100)
    const hits = recorder.series('counter', 'http_request', ['status:200', 'controller:/a'])
    const time = recorder.series('timing', 'http_request.response_time', ['controller:/a'])
    for (const value of timings(2000 + worker * 500, worker + 1)) {
      hits.record(1)
      time.record(value)
      whole.series('counter', 'http_request', ['controller:/a', 'status:200']).record(1)
      whole.series('timing', 'http_request.response_time', ['controller:/a']).record(value)
    }
    recorder.record('gauge', 'queue.depth', [], 10 * (worker + 1))
    whole.record('gauge', 'queue.depth', [], 10 * (worker + 1))
    // Through JSON, as the cluster's IPC channel carries it.
    for (const delta of JSON.parse(JSON.stringify(recorder.take())) as SeriesDelta[]) merged.merge(delta)
    t.same(recorder.take(), [], 'a second take has nothing: each starts again from nothing')
  }
  const count = windowOf(merged, 'http_request') as CounterStats
  t.equal(count.count, 7500, 'counters add')
  const got = windowOf(merged, 'http_request.response_time') as TimingStats
  const want = windowOf(whole, 'http_request.response_time') as TimingStats
  t.same({ count: got.count, min: got.min, max: got.max, p50: got.p50, p90: got.p90, p99: got.p99 },
    { count: want.count, min: want.min, max: want.max, p50: want.p50, p90: want.p90, p99: want.p99 }, 'sketches merge exactly: the same percentiles')
  t.ok(Math.abs(got.mean - want.mean) < 1e-9 * want.mean, 'the mean, but for the sum\'s rounding')
  const gauge = windowOf(merged, 'queue.depth') as GaugeStats
  t.same({ last: gauge.last, min: gauge.min, max: gauge.max, samples: gauge.samples }, { last: 30, min: 10, max: 30, samples: 3 })
})

t.test('malformed deltas are ignored, never thrown', async (t) => {
  const aggregator = new Aggregator({ maxSeries: 10 })
  const sketch = { count: 2, zeroCount: 0, sum: 3, min: 1, max: 2, minKey: 0, bins: [1, 1] }
  const bad: unknown[] = [
    null, 7, {}, { kind: 'set', name: 'x', tags: [] }, { kind: 'counter', name: 5, tags: [] }, { kind: 'counter', name: 'x', tags: [1] },
    { kind: 'counter', name: 'x', tags: [], sum: null }, { kind: 'gauge', name: 'g', tags: [], last: 1, min: 1, max: 1, sum: 1, samples: 0 },
    { kind: 'timing', name: 't', tags: [], sketch: { ...sketch, count: 3 } },
    { kind: 'timing', name: 't', tags: [], sketch: { ...sketch, bins: new Array(300).fill(0) } },
    { kind: 'timing', name: 't', tags: [], sketch: { ...sketch, bins: [1, -1] } },
    { kind: 'timing', name: 't', tags: [], sketch: { ...sketch, minKey: 0.5 } },
  ]
  for (const delta of bad) t.doesNotThrow(() => aggregator.merge(delta as SeriesDelta), JSON.stringify(delta))
  const recorded = aggregator.snapshot().series.filter((one) => Object.values(one.windows).some((w) => w !== null && (('count' in w && w.count > 0) || ('samples' in w && w.samples > 0))))
  t.same(recorded, [], 'nothing recorded')
  t.equal(sketchFromWire(sketch)?.count, 2, 'the well-formed sketch reads')
})

t.test('the recorder holds at most maxSeries series; idle ones are let go and come back', async (t) => {
  const recorder = new DeltaRecorder(2)
  const a = recorder.series('counter', 'a', [])
  recorder.series('counter', 'b', []).record(1)
  const c = recorder.series('counter', 'c', [])
  c.record(1)
  t.equal(recorder.dropped(), 2, 'the third series is dropped, at creation and at its record')
  a.record(2)
  t.same(recorder.take().map((delta) => delta.name).sort(), ['a', 'b'])
  // Sixty intervals without a record: both let go, then room for c.
  for (let k = 0; k < 60; k++) recorder.take()
  c.record(5)
  a.record(1)
  const deltas = recorder.take()
  t.same(deltas.map((delta) => [delta.name, delta.kind === 'counter' ? delta.sum : null]).sort(), [['a', 1], ['c', 5]], 'both handles record again')
  const timing = new DeltaRecorder(5).series('timing', 't', [])
  timing.record(-1)
  timing.record(Number.NaN)
  timing.record(4)
  t.equal(((timing as unknown as { take: () => TimingDelta }).take()).sketch.count, 1, 'a timing that cannot be is not kept')
})

t.test('messages: only vigie\'s, of a known type and shape', async (t) => {
  t.ok(isVigieMessage({ protocol: PROTOCOL, type: 'hello', app: 'app0' }))
  t.ok(isVigieMessage({ protocol: PROTOCOL, type: 'deltas', app: 'app0', deltas: [] }))
  t.ok(isVigieMessage({ protocol: PROTOCOL, type: 'welcome', app: 'app0', leader: true }))
  for (const other of [null, 'hello', { cmd: 'NODE_CLUSTER' }, { protocol: PROTOCOL, type: 'nope', app: 'a' }, { protocol: PROTOCOL, type: 'hello', app: 'x'.repeat(65) },
    { protocol: PROTOCOL, type: 'welcome', app: 'a' }, { protocol: PROTOCOL, type: 'deltas', app: 'a', deltas: {} }, { protocol: 'vigie.cluster.0', type: 'hello', app: 'a' }]) {
    t.notOk(isVigieMessage(other), JSON.stringify(other))
  }
})
