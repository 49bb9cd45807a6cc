import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { LineBatch } from '../../lib/metrics/line-batch.js'

function batchOf (maxBytes: number, flushIntervalMs = 0): { batch: LineBatch, written: string[], errors: unknown[] } {
  const written: string[] = []
  const errors: unknown[] = []
  const batch = new LineBatch({ maxBytes, flushIntervalMs, write: (payload) => written.push(payload), onError: (err) => errors.push(err) })
  return { batch, written, errors }
}

t.test('texts are joined by newlines and written once the next one would not fit', async (t) => {
  const { batch, written } = batchOf(10)
  batch.add('aaa', 3)
  batch.add('bbb', 3)
  t.same(written, [], 'aaa\\nbbb is 7 bytes: kept')
  batch.add('cc', 2) // 7 + 1 + 2 = 10: fits exactly, and a full batch goes out at once
  t.same(written, ['aaa\nbbb\ncc'])
  batch.add('dddd', 4)
  batch.add('eeeeee', 6) // 4 + 1 + 6 = 11: dddd goes alone
  t.same(written, ['aaa\nbbb\ncc', 'dddd'])
  batch.close()
  t.same(written, ['aaa\nbbb\ncc', 'dddd', 'eeeeee'])
})

t.test('sizes are the caller\'s UTF-8 byte counts, not string lengths', async (t) => {
  const { batch, written } = batchOf(12)
  const text = 'café' // 4 characters, 5 bytes
  batch.add(text, Buffer.byteLength(text))
  batch.add(text, Buffer.byteLength(text)) // 5 + 1 + 5 = 11 bytes
  batch.add(text, Buffer.byteLength(text)) // would make 17: the first two go out
  t.same(written, ['café\ncafé'])
  t.ok(written.every((payload) => Buffer.byteLength(payload) <= 12))
})

t.test('a text larger than a batch is written on its own, at once', async (t) => {
  const { batch, written } = batchOf(4)
  batch.add('ab', 2)
  batch.add('abcdefgh', 8)
  t.same(written, ['ab', 'abcdefgh'])
})

t.test('maxBytes 0 writes every text as it comes', async (t) => {
  const { batch, written } = batchOf(0, 1000)
  batch.add('one', 3)
  batch.add('two', 3)
  t.same(written, ['one', 'two'])
  batch.close()
  t.same(written, ['one', 'two'], 'nothing left to flush')
})

t.test('what is pending goes out every flush interval, and the timer stops on close', async (t) => {
  const { batch, written } = batchOf(1000, 20)
  batch.add('tick', 4)
  await sleep(80)
  t.same(written, ['tick'])
  batch.close()
  batch.add('late', 4)
  await sleep(80)
  t.same(written, ['tick'], 'no interval flush after close')
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
      written.push(payload)
    },
    onError: (err) => errors.push(err),
  })
  t.doesNotThrow(() => batch.add('aaaaa', 5))
  t.equal(errors.length, 1)
  t.match((errors[0] as Error).message, 'socket gone')
  fail = false
  batch.add('bb', 2)
  batch.flush()
  t.same(written, ['bb'], 'the failed payload is dropped, later ones are written')
})
