import t from 'tap'
import { MAX_MESSAGE_LENGTH, RECENT_EXCEPTIONS_CAPACITY, RecentExceptions, type RecentException } from '../../lib/dashboard/recent-exceptions.ts'

const exception = (n: number, message = `failure ${n}`): RecentException => ({
  at: 1_700_000_000_000 + n, correlationId: `id-${n}`, method: 'GET', controller: '/items/:id', status: 500, name: 'Error', message,
})

t.test('newest first; empty at the start', async (t) => {
  const ring = new RecentExceptions()
  t.same(ring.list(), [])
  ring.add(exception(1))
  ring.add(exception(2))
  t.same(ring.list().map((e) => e.correlationId), ['id-2', 'id-1'])
})

t.test('keeps the latest 20 whatever the number captured', async (t) => {
  const ring = new RecentExceptions()
  for (let n = 1; n <= 57; n++) ring.add(exception(n))
  const list = ring.list()
  t.equal(RECENT_EXCEPTIONS_CAPACITY, 20)
  t.equal(list.length, 20)
  t.equal(list[0]!.correlationId, 'id-57')
  t.equal(list[19]!.correlationId, 'id-38')
})

t.test('messages are cut to 500 characters, never through a surrogate pair', async (t) => {
  const ring = new RecentExceptions(2)
  ring.add(exception(1, 'x'.repeat(2000)))
  const cut = ring.list()[0]!.message
  t.equal(cut.length, MAX_MESSAGE_LENGTH)
  t.ok(cut.endsWith('…'))
  // 498 ASCII characters then an emoji (two UTF-16 units) straddling the cut.
  ring.add(exception(2, `${'y'.repeat(MAX_MESSAGE_LENGTH - 2)}😀 and more`))
  const second = ring.list()[0]!.message
  t.equal(second, `${'y'.repeat(MAX_MESSAGE_LENGTH - 2)}…`)
  t.notMatch(second, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no lone surrogate')
  ring.add(exception(3, 'short'))
  t.equal(ring.list()[0]!.message, 'short', 'short messages are kept whole')
})

t.test('entries are frozen copies', async (t) => {
  const ring = new RecentExceptions()
  const original = { ...exception(1) }
  ring.add(original)
  original.message = 'changed later'
  t.equal(ring.list()[0]!.message, 'failure 1')
  t.ok(Object.isFrozen(ring.list()[0]))
})
