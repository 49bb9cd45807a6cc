import fc from 'fast-check'
import t from 'tap'
import { BoundedLabels } from '../../lib/metrics/bounded-labels.ts'

t.test('the first values pass, later new ones overflow into one label, reported once', async (t) => {
  const overflowed: string[] = []
  const labels = new BoundedLabels(2, 'other', (label) => overflowed.push(label))
  t.equal(labels.label('a'), 'a')
  t.equal(labels.label('b'), 'b')
  t.equal(labels.label('c'), 'other')
  t.equal(labels.label('a'), 'a', 'a known value still passes after the cap')
  t.equal(labels.label('d'), 'other')
  t.same(overflowed, ['c'])
  t.equal(labels.overflowCount, 2)
})

t.test('a value labeled in neither this interval nor the one before gives its place up to a new one', async (t) => {
  const labels = new BoundedLabels(2, 'other', () => {})
  labels.label('a')
  labels.label('b')
  labels.nextInterval()
  t.equal(labels.label('c'), 'other', 'a and b were labeled in the interval before: they keep their places')
  t.equal(labels.label('a'), 'a')
  labels.nextInterval()
  t.equal(labels.label('c'), 'c', 'b was last labeled two intervals ago: c takes its place')
  t.equal(labels.label('d'), 'other', 'a was labeled in the interval before, c in this one')
  t.equal(labels.label('b'), 'other', 'b has lost its place')
  t.equal(labels.label('a'), 'a')
  t.equal(labels.label('c'), 'c')
})

t.test('after a flood of values stops, new values pass again within two intervals', async (t) => {
  const labels = new BoundedLabels(100, 'other', () => {})
  for (let i = 0; i < 10_000; i++) labels.label(`http_${i}`)
  t.equal(labels.label('TypeError'), 'other', 'the flood took every place')
  labels.nextInterval()
  t.equal(labels.label('TypeError'), 'other', 'one interval later, the flood is still recent')
  labels.nextInterval()
  t.equal(labels.label('TypeError'), 'TypeError')
  t.equal(labels.label('http_0'), 'http_0', 'the flood\'s first values had places; they get one again while some are free')
  for (let i = 1; i < 99; i++) labels.label(`http_${i}`)
  t.equal(labels.label('http_99'), 'other', 'and no more than max of them')
})

t.test('at most max distinct values pass over any two intervals in a row', async (t) => {
  const step = fc.oneof(
    { weight: 12, arbitrary: fc.nat(30).map((n) => `v${n}`) },
    { weight: 1, arbitrary: fc.constant(null) }
  )
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(step, { maxLength: 400 }), (max, steps) => {
    const labels = new BoundedLabels(max, 'other', () => {})
    const passed: Array<Set<string>> = [new Set()]
    for (const value of steps) {
      if (value === null) {
        labels.nextInterval()
        passed.push(new Set())
        continue
      }
      const label = labels.label(value)
      if (label !== 'other') {
        if (label !== value) throw new Error(`${value} labeled ${label}`)
        passed[passed.length - 1].add(label)
      }
    }
    for (let i = 1; i < passed.length; i++) {
      const distinct = new Set([...passed[i - 1], ...passed[i]])
      if (distinct.size > max) throw new Error(`intervals ${i - 1} and ${i}: ${distinct.size} distinct values, max ${max}`)
    }
  }), { numRuns: 500, seed: 15 })
  t.pass('500 runs')
})
