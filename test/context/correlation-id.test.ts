import t from 'tap'
import { parse, stringify, v7 } from 'uuid'
import { generateCorrelationId, isValidCorrelationId, resolveCorrelationId } from '../../lib/context/correlation-id.ts'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('generated IDs are UUID v7, unique, and ordered as generated, also within one millisecond', async (t) => {
  const ids = Array.from({ length: 5000 }, () => generateCorrelationId())
  t.ok(ids.every((id) => UUID_V7.test(id)), ids[0])
  t.ok(ids.every((id) => stringify(parse(id)) === id), 'the canonical form uuid writes')
  t.equal(new Set(ids).size, ids.length, 'no duplicates across several pool refills')
  t.same([...ids].sort(), ids, 'lexical order is generation order')
  const first = Number.parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16)
  t.ok(Math.abs(first - Date.now()) < 5000, 'the timestamp is now')
})

t.test('generated IDs lay out their time, sequence and random bits as uuid\'s v7 does', async (t) => {
  for (const id of Array.from({ length: 600 }, () => generateCorrelationId())) {
    const b = parse(id)
    const msecs = ((((((b[0]! * 256 + b[1]!) * 256 + b[2]!) * 256 + b[3]!) * 256 + b[4]!) * 256) + b[5]!)
    const seq = (((b[6]! & 0x0f) << 28) | (b[7]! << 20) | ((b[8]! & 0x3f) << 14) | (b[9]! << 6) | (b[10]! >>> 2)) >>> 0
    const random = new Uint8Array(16)
    random[10] = b[10]! & 0x03
    random.set(b.subarray(11), 11)
    if (v7({ msecs, seq, random }) !== id) {
      t.fail(`uuid lays out ${id} otherwise: ${v7({ msecs, seq, random })}`)
      return
    }
  }
  t.pass('600 IDs, across a pool refill')
})

t.test('valid incoming IDs are kept, anything else replaced', async (t) => {
  t.equal(resolveCorrelationId('abc-123.DEF_456:7'), 'abc-123.DEF_456:7')
  t.match(resolveCorrelationId(['a', 'b']), UUID_V7)
  t.match(resolveCorrelationId(undefined), UUID_V7)
  t.notOk(isValidCorrelationId('a'.repeat(129)))
  t.ok(isValidCorrelationId('a'.repeat(128)))
  t.notOk(isValidCorrelationId('a/b'))
})
