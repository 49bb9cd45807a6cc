import fc from 'fast-check'
import t from 'tap'
import { BIN_LIMIT, RELATIVE_ACCURACY, addToSketch, mergeIntoSketch, newSketch, timingStatsOf, type Sketch } from '../../lib/aggregate/sketch.js'

/** What must hold after any insert or merge: the bins hold exactly `count` values, in BIN_LIMIT bins at most. */
function checkInvariants (sketch: Sketch): string | null {
  const store = sketch.store
  const inBins = store.bins.reduce((a, b) => a + b, 0)
  if (inBins !== store.count) return `bins hold ${inBins}, store.count is ${store.count}`
  if (store.count + sketch.zeroCount !== sketch.count) return `store ${store.count} + zeros ${sketch.zeroCount} ≠ count ${sketch.count}`
  if (store.count > 0 && store.maxKey - store.minKey + 1 > BIN_LIMIT) return `range ${store.maxKey - store.minKey + 1} bins`
  if (store.bins.length > BIN_LIMIT) return `${store.bins.length} bins allocated`
  return null
}

// Positive values from 10^-6 to 10^9, in any order: ranges far wider than the bins cover.
const anyDuration = fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1e9, noNaN: true }))

t.test('inserts keep the bins within the limit and count every value once', async (t) => {
  fc.assert(fc.property(fc.array(anyDuration, { minLength: 1, maxLength: 2000 }), (values) => {
    const sketch = newSketch()
    for (const v of values) addToSketch(sketch, v)
    const problem = checkInvariants(sketch)
    if (problem !== null) throw new Error(problem)
    const sorted = [...values].sort((a, b) => a - b)
    const stats = timingStatsOf(sketch)
    if (stats.count !== values.length || stats.min !== sorted[0] || stats.max !== sorted[sorted.length - 1]) throw new Error(JSON.stringify(stats))
    // The top of the distribution keeps its accuracy whatever the spread below it.
    const exact = sorted[Math.floor(0.99 * (sorted.length - 1))]
    if (Math.abs(stats.p99 - exact) > RELATIVE_ACCURACY * exact + 1e-9 && exact >= sorted[sorted.length - 1] / 20_000) {
      throw new Error(`p99 ${stats.p99} vs ${exact}`)
    }
  }), { numRuns: 200, seed: 7 })
  t.pass('200 random data sets')
})

t.test('merges keep the bins within the limit and count every value once', async (t) => {
  fc.assert(fc.property(fc.array(fc.array(anyDuration, { maxLength: 300 }), { minLength: 1, maxLength: 8 }), (groups) => {
    const target = newSketch()
    let all: number[] = []
    for (const group of groups) {
      const source = newSketch()
      for (const v of group) addToSketch(source, v)
      mergeIntoSketch(target, source)
      all = all.concat(group)
      const problem = checkInvariants(target)
      if (problem !== null) throw new Error(problem)
    }
    if (target.count !== all.length) throw new Error(`count ${target.count} vs ${all.length}`)
  }), { numRuns: 200, seed: 11 })
  t.pass('200 random merges')
})

t.test('ascending, descending and alternating extremes: every quantile within accuracy where the bins reach', async (t) => {
  const values: number[] = []
  for (let i = 0; i < 1000; i++) values.push(10 ** (-3 + (9 * i) / 999))
  const orders: Record<string, number[]> = {
    ascending: values,
    descending: [...values].reverse(),
    alternating: values.map((_, i) => (i % 2 === 0 ? values[i / 2] : values[999 - (i - 1) / 2])),
  }
  const sorted = [...values]
  for (const [name, order] of Object.entries(orders)) {
    const sketch = newSketch()
    for (const v of order) addToSketch(sketch, v)
    t.equal(checkInvariants(sketch), null, `${name}: invariants`)
    const stats = timingStatsOf(sketch)
    for (const [q, got] of [[0.9, stats.p90], [0.95, stats.p95], [0.99, stats.p99]] as const) {
      const exact = sorted[Math.floor(q * 999)]
      t.ok(Math.abs(got - exact) <= RELATIVE_ACCURACY * exact, `${name} q${q}: ${got} vs ${exact}`)
    }
    // The median (10^1.5) is more than 28 000 times below the max (10^6): it is overstated, never understated.
    t.ok(stats.median >= sorted[499], `${name}: the collapsed median is not below the exact one`)
  }
})
