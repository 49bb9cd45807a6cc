import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { LineBatch } from '../../lib/metrics/line-batch.ts'

function batchOf (maxBytes: number, flushIntervalMs = 0): { batch: LineBatch, written: string[], sizes: number[] } {
  const written: string[] = []
  const sizes: number[] = []
  const batch = new LineBatch({
    maxBytes,
    flushIntervalMs,
    write: (payload) => {
      written.push(payload.toString('utf8'))
      sizes.push(payload.length)
    },
    onError: (err) => { throw err },
  })
  return { batch, written, sizes }
}

const bytes = (text: string): Buffer => Buffer.from(text)
const EMPTY = Buffer.alloc(0)

t.test('the value is written in decimal, as String() writes a number rounded to thousandths', async (t) => {
  const values = [0, 1, 5, 10, 999, 1000, 1500, 1050, 1005, 12345, 100000, 123456789, 86_400_000_000]
  const { batch, written } = batchOf(0)
  for (const thousandths of values) batch.add(bytes('t:'), thousandths, bytes('|ms'))
  t.same(written, values.map((thousandths) => `t:${String(thousandths / 1000)}|ms`))
  batch.add(bytes('max:'), Number.MAX_SAFE_INTEGER, EMPTY)
  t.equal(written.at(-1), 'max:9007199254740.991', 'every digit of the largest value')
})

t.test('a value that is not a whole number of thousandths, 0 or more, is written as 0', async (t) => {
  const { batch, written } = batchOf(0)
  for (const value of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) batch.add(bytes('v:'), value, EMPTY)
  t.same(written, ['v:0', 'v:0', 'v:0', 'v:0', 'v:0'])
})

t.test('texts are joined by newlines and written once the next one would not fit', async (t) => {
  const { batch, written } = batchOf(13)
  batch.add(bytes('a:'), 1000, EMPTY) // a:1 (3 bytes)
  batch.add(bytes('b:'), 2000, EMPTY) // + \n + b:2 = 7
  t.same(written, [], 'a:1\\nb:2 is 7 bytes: kept')
  batch.add(bytes('c:'), 3500, EMPTY) // + \n + c:3.5 = 13: fits exactly, and a full batch goes out at once
  t.same(written, ['a:1\nb:2\nc:3.5'])
  batch.add(bytes('dddd:'), 1, EMPTY) // dddd:0.001 (10 bytes)
  batch.add(bytes('e:'), 1, EMPTY) // 10 + 1 + 7 = 18: dddd goes alone
  t.same(written, ['a:1\nb:2\nc:3.5', 'dddd:0.001'])
  batch.close()
  t.same(written, ['a:1\nb:2\nc:3.5', 'dddd:0.001', 'e:0.001'])
})

t.test('sizes are UTF-8 bytes, not string lengths', async (t) => {
  const { batch, written, sizes } = batchOf(12)
  const head = bytes('café:') // 5 characters, 6 bytes
  batch.add(head, 0, EMPTY) // 7 bytes
  batch.add(head, 0, EMPTY) // would make 15: the first goes out
  batch.close()
  t.same(written, ['café:0', 'café:0'])
  t.same(sizes, [7, 7])
})

t.test('a text larger than a batch is written on its own, at once', async (t) => {
  const { batch, written } = batchOf(4)
  batch.add(bytes('a'), 0, EMPTY)
  batch.add(bytes('abcdefgh'), 0, bytes('|tail'))
  t.same(written, ['a0', 'abcdefgh0|tail'])
})

t.test('a written batch is never written into again', async (t) => {
  const payloads: Buffer[] = []
  const batch = new LineBatch({ maxBytes: 8, flushIntervalMs: 0, write: (payload) => payloads.push(payload), onError: (err) => { throw err } })
  batch.add(bytes('first:'), 1000, EMPTY)
  batch.add(bytes('second:'), 2000, EMPTY)
  batch.close()
  t.same(payloads.map((payload) => payload.toString()), ['first:1', 'second:2'], 'each payload keeps its bytes after later adds')
})

t.test('maxBytes 0 writes every text as it comes', async (t) => {
  const { batch, written } = batchOf(0, 1000)
  batch.add(bytes('one:'), 1000, EMPTY)
  batch.add(bytes('two:'), 2000, EMPTY)
  t.same(written, ['one:1', 'two:2'])
  batch.close()
  t.same(written, ['one:1', 'two:2'], 'nothing left to flush')
})

t.test('what is pending goes out every flush interval, and the timer stops on close', async (t) => {
  const { batch, written } = batchOf(1000, 20)
  batch.add(bytes('tick:'), 0, EMPTY)
  await sleep(80)
  t.same(written, ['tick:0'])
  batch.close()
  batch.add(bytes('late:'), 0, EMPTY)
  await sleep(80)
  t.same(written, ['tick:0'], 'no interval flush after close')
})

t.test('a failing write is reported, never thrown, and the batch goes on', async (t) => {
  const errors: unknown[] = []
  const written: string[] = []
  let fail = true
  const batch = new LineBatch({
    maxBytes: 5,
    flushIntervalMs: 0,
    write: (payload) => {
      if (fail) throw new Error('socket gone')
      written.push(payload.toString())
    },
    onError: (err) => errors.push(err),
  })
  t.doesNotThrow(() => batch.add(bytes('aaaa'), 0, EMPTY))
  t.equal(errors.length, 1)
  t.match((errors[0] as Error).message, 'socket gone')
  fail = false
  batch.add(bytes('b'), 0, EMPTY)
  batch.flush()
  t.same(written, ['b0'], 'the failed payload is dropped, later ones are written')
})
