import fc from 'fast-check'
import { Readable } from 'node:stream'
import t from 'tap'
import { captureBody, type BodyLimits } from '../../lib/capture/request-body.ts'
import { buildScrubber } from '../../lib/scrub/scrubber.ts'
import { REDACTED as R } from '../../lib/scrub/sensitive-keys.ts'

const scrubber = buildScrubber()
const limits: BodyLimits = { maxBodyBytes: 8192, maxDepth: 6, maxArrayItems: 50, maxTotalKeys: 1000 }
const capture = (body: unknown, contentType?: string, custom: Partial<BodyLimits> = {}, contentLength?: string): unknown =>
  captureBody(body, { 'content-type': contentType, 'content-length': contentLength }, { ...limits, ...custom }, scrubber)

t.test('no body → undefined', async (t) => {
  for (const body of [undefined, null, '', Buffer.alloc(0)]) t.equal(capture(body, 'application/json'), undefined)
})

t.test('parsed JSON bodies are scrubbed by key and value', async (t) => {
  const body = { user: 'ana', password: 'hunter2', card: '4111 1111 1111 1111', tags: ['a'] }
  const expected = { user: 'ana', password: R, card: '**** **** **** 1111', tags: ['a'] }
  t.strictSame(capture(body, 'application/json; charset=utf-8'), expected)
  t.strictSame(capture(body, 'Application/Vnd.Api+JSON'), expected)
  t.strictSame(capture(body, undefined), expected, 'no content type, already parsed')
  t.strictSame(capture(body, 'application/x-www-form-urlencoded'), expected, 'a parsed form')
  t.equal(capture(42, undefined), 42)
})

t.test('JSON text and JSON Buffers are parsed so keys are scrubbed too', async (t) => {
  const text = '{"user":"ana","api_key":"k-123","nested":{"token":"t"}}'
  t.strictSame(capture(text, 'application/json'), { user: 'ana', api_key: R, nested: { token: R } })
  t.strictSame(capture(Buffer.from(text), 'application/json'), { user: 'ana', api_key: R, nested: { token: R } })
  t.equal(capture('"Bearer abc"', 'application/json'), `Bearer ${R}`)
  t.equal(capture('{"password":"hunter2"', 'application/json'), '[body not captured: unparseable JSON of 21 bytes]', 'fails closed')
})

t.test('form bodies are scrubbed per key, like a query string', async (t) => {
  t.equal(capture('user=ana&password=hunter2&card=4111111111111111&next=%2Fhome', 'application/x-www-form-urlencoded'),
    `user=ana&password=${R}&card=************1111&next=%2Fhome`)
  t.equal(capture(Buffer.from('token=abc&page=2'), 'application/x-www-form-urlencoded; charset=utf-8'), `token=${R}&page=2`)
})

t.test('text bodies go through text(); JSON sent as text/plain is parsed', async (t) => {
  t.equal(capture('charged 4111-1111-1111-1111 with Bearer abc', 'text/plain'), `charged ****-****-****-1111 with Bearer ${R}`)
  t.strictSame(capture(' {"password":"p","ok":true}', 'text/plain;charset=UTF-8'), { password: R, ok: true })
  t.equal(capture('{not json', 'text/plain'), '{not json')
  t.equal(capture('plain', undefined), '[body not captured: no content type]')
})

t.test('XML holding a sensitive name anywhere is not captured', async (t) => {
  t.equal(capture('<login><user>ana</user><password>hunter2</password></login>', 'application/xml'),
    '[body not captured: XML with sensitive names]')
  t.equal(capture('<order id="7"><item>book</item></order>', 'text/xml'), '<order id="7"><item>book</item></order>')
  t.equal(capture('<a pin="1234"/>', 'application/soap+xml'), '[body not captured: XML with sensitive names]')
})

t.test('binary, streamed and multipart bodies become markers', async (t) => {
  t.equal(capture(Buffer.alloc(2048), 'application/octet-stream'), '[binary body: 2048 bytes]')
  t.equal(capture(Buffer.alloc(10), undefined), '[binary body: 10 bytes]')
  t.equal(capture(new Uint8Array(5), 'image/png'), '[binary body: 5 bytes]')
  t.equal(capture(new ArrayBuffer(3), 'application/pdf'), '[binary body: 3 bytes]')
  t.equal(capture({ field: 'x', password: 'p' }, 'multipart/form-data; boundary=abc'), '[body not captured: multipart/form-data]')
  t.equal(capture('GIF89a', 'image/gif'), '[body not captured: image/gif]')
  t.equal(capture(Readable.from(['x']), 'application/json'), '[body not captured: stream]')
  t.equal(capture('x', 'weird'), '[body not captured: weird]')
})

t.test('text is cut by UTF-8 bytes, never inside a character', async (t) => {
  t.equal(capture('é'.repeat(10), 'text/plain', { maxBodyBytes: 5 }), 'éé…[truncated, 20 bytes total]')
  t.equal(capture('😀😀😀', 'text/plain', { maxBodyBytes: 7 }), '😀…[truncated, 12 bytes total]')
  t.equal(capture('abcdef', 'text/plain', { maxBodyBytes: 6 }), 'abcdef')
  t.equal(capture(Buffer.from('€€€'), 'text/plain', { maxBodyBytes: 4 }), '€…[truncated, 9 bytes total]')
  t.equal(capture(`${'x'.repeat(10)} 4111111111111111`, 'text/plain', { maxBodyBytes: 13 }), 'x'.repeat(10) + ' **…[truncated, 27 bytes total]',
    'a card straddling the cut is masked before the cut')
})

t.test('a parsed body whose JSON is larger than maxBodyBytes becomes truncated JSON text', async (t) => {
  const body = { data: 'x'.repeat(100) }
  // Strings inside are first cut to maxBodyBytes characters by scrubber.value().
  const copyJson = JSON.stringify({ data: `${'x'.repeat(50)}…[truncated 50 chars]` })
  t.equal(capture(body, 'application/json', { maxBodyBytes: 50 }),
    `${copyJson.slice(0, 50)}…[truncated, ${Buffer.byteLength(copyJson)} bytes total]`)
  t.strictSame(capture(body, 'application/json', { maxBodyBytes: JSON.stringify(body).length }), body, 'exactly at the cap it stays an object')
  const wide = Array.from({ length: 200 }, () => 'y'.repeat(8192))
  t.equal(capture(wide, 'application/json', { maxArrayItems: 200 }), `${JSON.stringify(wide).slice(0, 8192)}…[truncated, over 1048576 bytes]`,
    'serializing stops at 1 MiB')
})

t.test('gigantic inputs complete with bounded work', async (t) => {
  const huge = 'a'.repeat(5_000_000)
  t.equal(capture(huge, 'text/plain', { maxBodyBytes: 1000 }), `${'a'.repeat(1000)}…[truncated, 5000000 bytes total]`)
  t.equal(capture(Buffer.from(huge), 'text/plain', { maxBodyBytes: 10 }), `${'a'.repeat(10)}…[truncated, 5000000 bytes total]`)
  t.equal(capture(`"${huge}"`, 'application/json'), '[body not captured: JSON of 5000002 bytes]')
  t.equal(capture(`user=${huge}`, 'application/x-www-form-urlencoded', { maxBodyBytes: 8 }), 'user=aaa…[truncated, 5000005 bytes total]')
  let deep: Record<string, unknown> = {}
  for (let i = 0; i < 100_000; i++) deep = { next: deep }
  t.strictSame(capture(deep, 'application/json', { maxDepth: 2 }), { next: { next: '[Object]' } })
})

t.test('a parsed body declared over 1 MiB is not copied: its keys are never listed', async (t) => {
  let listed = 0
  const body = new Proxy({ user: 'ana' }, { ownKeys (target) { listed++; return Reflect.ownKeys(target) } })
  t.equal(capture(body, 'application/json', {}, '1048577'), '[body not captured: JSON of 1048577 bytes]')
  t.equal(capture(body, 'application/x-www-form-urlencoded', {}, '5000000'), '[body not captured: parsed body of 5000000 bytes]')
  t.equal(listed, 0)
  t.strictSame(capture(body, 'application/json', {}, '1048576'), { user: 'ana' }, 'at 1 MiB it is copied')
  t.equal(listed, 1)
  for (const length of [undefined, '', '12abc', '-1', '1e9', '9'.repeat(16)]) {
    t.strictSame(capture(body, 'application/json', {}, length), { user: 'ana' }, `a content-length of ${String(length)} is not trusted`)
  }
  t.equal(capture(`"${'a'.repeat(10)}"`, 'application/json', {}, '2000000'), 'a'.repeat(10), 'text is measured, not taken at its word')
})

t.test('a parsed body keeps at most maxTotalKeys keys and items', async (t) => {
  const body = { a: [{ i: 0 }, { i: 1 }, { i: 2 }], b: { c: 1 } }
  t.strictSame(capture(body, 'application/json', { maxTotalKeys: 6 }), { a: [{ i: 0 }, '[Object]', '[Object]'], b: '[Object]' })
})

t.test('never throws, and keeps what it captures within maxBodyBytes', async (t) => {
  const hostile = { get pipe (): never { throw new Error('getter') } }
  t.equal(capture(hostile, 'application/json'), '[body not captured: unreadable]')
  t.doesNotThrow(() => fc.assert(fc.property(
    fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }),
    fc.option(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'image/png', 'multipart/form-data'), { nil: undefined }),
    fc.integer({ min: 0, max: 64 }),
    (body, contentType, maxBodyBytes) => {
      const out = capture(body, contentType, { maxBodyBytes })
      if (typeof out === 'string') {
        return out.startsWith('[binary body: ') || out.startsWith('[body not captured: ') ||
          Buffer.byteLength(out.split('…[truncated')[0]) <= maxBodyBytes
      }
      return out === null || typeof out !== 'object' || Buffer.byteLength(JSON.stringify(out)) <= maxBodyBytes
    }
  ), { numRuns: 300 }))
})
