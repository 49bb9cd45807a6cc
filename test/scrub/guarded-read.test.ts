import t from 'tap'
import { UNREADABLE, boundedIterate, describeKey, read } from '../../lib/scrub/guarded-read.ts'

t.test('read(): a throwing getter or Proxy gives UNREADABLE', async (t) => {
  t.equal(read({ a: 1 }, 'a'), 1)
  t.equal(read({ get a (): never { throw new Error('getter') } }, 'a'), UNREADABLE)
  t.equal(read(new Proxy({}, { get () { throw new Error('get') } }), 0), UNREADABLE)
})

t.test('describeKey(): any value as a string, never throwing', async (t) => {
  t.equal(describeKey(1), '1')
  t.equal(describeKey(Symbol('s')), '[Symbol]')
  t.equal(describeKey({ toString () { throw new Error('toString') } }), '[Unreadable]')
})

t.test('boundedIterate(): stops at max, even on an endless iterator', async (t) => {
  function * endless (): Generator<number> { for (let i = 0; ; i++) yield i }
  t.strictSame([...boundedIterate(endless(), 3)], [0, 1, 2])
  t.strictSame([...boundedIterate([1].values(), 3)], [1])
})
