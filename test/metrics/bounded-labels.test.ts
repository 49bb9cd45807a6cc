import t from 'tap'
import { BoundedLabels } from '../../lib/metrics/bounded-labels.js'

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
