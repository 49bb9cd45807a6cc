import fc from 'fast-check'
import t from 'tap'
import { CumulativeBins } from '../../lib/aggregate/cumulative-bins.ts'
import { addToSketch, newSketch, type Sketch } from '../../lib/aggregate/sketch.ts'

function sketchOf (values: readonly number[]): Sketch {
  const sketch = newSketch()
  for (const value of values) addToSketch(sketch, value)
  return sketch
}

/** How many values the sketches hold in bins up to `key`, counted bin by bin. */
function naive (sketches: readonly Sketch[], key: number): number {
  let count = 0
  for (const sketch of sketches) {
    for (let k = sketch.minKey; k <= Math.min(key, sketch.maxKey); k++) count += sketch.bins[k - sketch.offset]
  }
  return count
}

const inBins = (sketch: Sketch): number => sketch.count - sketch.zeroCount

const values = fc.array(fc.oneof(fc.double({ min: 0.01, max: 100_000, noNaN: true }), fc.constant(0)), { maxLength: 60 })

t.test('cumulative counts equal the bins counted one by one, through adds, adds of several and subtractions', async (t) => {
  fc.assert(fc.property(fc.array(fc.tuple(values, fc.constantFrom('add', 'addAll', 'subtract')), { minLength: 1, maxLength: 30 }), (steps) => {
    const bins = new CumulativeBins()
    let held: Sketch[] = []
    for (const [group, op] of steps) {
      const sketch = sketchOf(group)
      if (op === 'add') {
        bins.add(sketch)
        held.push(sketch)
      } else if (op === 'addAll') {
        const more = [sketch, sketchOf(group.slice(1))]
        bins.addAll(more)
        held = held.concat(more)
      } else if (held.length > 0) {
        // Take out one added before, not always the oldest.
        const [out] = held.splice(group.length % held.length, 1)
        bins.subtract(out)
      }
      const total = held.reduce((n, s) => n + inBins(s), 0)
      if (bins.count !== total) throw new Error(`count ${bins.count} vs ${total}`)
      if (total === 0) continue
      const lowest = Math.min(...held.filter((s) => inBins(s) > 0).map((s) => s.minKey))
      const highest = Math.max(...held.filter((s) => inBins(s) > 0).map((s) => s.maxKey))
      if (bins.minKey !== lowest || bins.maxKey !== highest) throw new Error(`range ${bins.minKey}..${bins.maxKey} vs ${lowest}..${highest}`)
      for (let key = lowest - 2; key <= highest + 2; key++) {
        if (bins.at(key) !== naive(held, key)) throw new Error(`at(${key}) ${bins.at(key)} vs ${naive(held, key)}`)
      }
    }
  }), { numRuns: 200, seed: 17 })
  t.pass('200 random runs')
})

t.test('bins refuse what would span more than maxSpan keys, and keep what they had', async (t) => {
  const bins = new CumulativeBins(100)
  t.ok(bins.add(sketchOf([1, 2, 3])))
  const before = [bins.minKey, bins.maxKey, bins.count, bins.at(0)]
  // 1 and 10^6 are about 350 keys apart at 2 %.
  t.notOk(bins.add(sketchOf([1e6])), 'one sketch too far')
  t.notOk(bins.addAll([sketchOf([2]), sketchOf([1e6])]), 'several, one of them too far')
  t.same([bins.minKey, bins.maxKey, bins.count, bins.at(0)], before, 'nothing added')
  t.ok(bins.addAll([sketchOf([2]), sketchOf([30])]), 'within the span')
  t.equal(bins.count, 5)
  bins.clear()
  t.equal(bins.count, 0)
  t.equal(bins.at(1_000), 0, 'empty')
})
