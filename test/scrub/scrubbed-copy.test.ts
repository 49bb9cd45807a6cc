import t from 'tap'
import { buildKeyMatcher } from '../../lib/scrub/key-matcher.ts'
import { buildScrubbedCopy } from '../../lib/scrub/scrubbed-copy.ts'
import { REDACTED } from '../../lib/scrub/sensitive-keys.ts'

const R = REDACTED
const matcher = buildKeyMatcher()
const copy = buildScrubbedCopy({ matcher, replace: undefined })

t.test('a deep copy with every kind of leaf converted', async (t) => {
  const input = {
    user: { id: 7, email: 'ana@example.com', password: 'hunter2', profile: { apiKey: { nested: 'x' } } },
    items: [1, 'two', true, null, undefined],
    when: new Date('2024-01-02T03:04:05.000Z'),
    never: new Date(Number.NaN),
    raw: Buffer.from('abc'),
    words: new Uint16Array(4),
    big: 12345678901234567890n,
    cardAsNumber: 4111111111111111,
    handler: function handler () {},
    sym: Symbol('s'),
    tags: new Set(['a', 'b']),
    lookup: new Map<unknown, unknown>([['token', 'abc'], ['name', 'x'], [1, 'one']]),
    link: new URL('https://example.com/cb?code=1&access_token=abc'),
    withToJSON: { toJSON: () => ({ password: 'p', ok: true }) },
  }
  t.strictSame(copy(input), {
    user: { id: 7, email: 'ana@example.com', password: R, profile: { apiKey: R } },
    items: [1, 'two', true, null, undefined],
    when: '2024-01-02T03:04:05.000Z',
    never: 'Invalid Date',
    raw: '[Buffer 3 bytes]',
    words: '[Uint16Array 8 bytes]',
    big: '12345678901234567890',
    cardAsNumber: '************1111',
    handler: '[Function: handler]',
    sym: '[Symbol]',
    tags: ['a', 'b'],
    lookup: { token: R, name: 'x', 1: 'one' },
    link: `https://example.com/cb?code=1&access_token=${R}`,
    withToJSON: { password: R, ok: true },
  })
})

t.test('errors keep type, scrubbed message and stack, own props and cause', async (t) => {
  const err = Object.assign(new Error('card 4111 1111 1111 1111 declined', { cause: new TypeError('Bearer abc') }),
    { code: 'E_CARD', statusCode: 402, secret: 's3' })
  const out = copy(err) as Record<string, unknown>
  t.equal(out.type, 'Error')
  t.equal(out.message, 'card **** **** **** 1111 declined')
  t.match(out.stack, /^Error: card \*{4} \*{4} \*{4} 1111 declined\n {4}at /)
  t.equal(out.code, 'E_CARD')
  t.equal(out.statusCode, 402)
  t.equal(out.secret, R)
  const cause = out.cause as Record<string, unknown>
  t.equal(cause.type, 'TypeError')
  t.equal(cause.message, `Bearer ${R}`)
  t.notOk(JSON.stringify(out).includes('4111 1111'))
})

t.test('circular and repeated references', async (t) => {
  const a: Record<string, unknown> = { name: 'a' }
  a.self = a
  a.list = [a]
  a.map = new Map([['back', a]])
  t.strictSame(copy(a), { name: 'a', self: '[Circular]', list: ['[Circular]'], map: { back: '[Circular]' } })
  const shared = { v: 1 }
  t.strictSame(copy({ x: shared, y: shared, z: [shared] }), { x: { v: 1 }, y: '[Repeated]', z: ['[Repeated]'] })
  const err: Error & { cause?: unknown } = new Error('loop')
  err.cause = err
  t.equal((copy(err) as { cause: unknown }).cause, '[Circular]')
})

t.test('getters and Proxies that throw never make it throw', async (t) => {
  let passwordRead = false
  const withGetters = {
    ok: 1,
    get boom (): never { throw new Error('getter') },
    get password (): string { passwordRead = true; return 'p' },
  }
  t.strictSame(copy(withGetters), { ok: 1, boom: '[Unreadable]', password: R })
  t.equal(passwordRead, false, 'a sensitive key is never read')

  const noKeys = new Proxy({}, { ownKeys () { throw new Error('ownKeys') } })
  t.equal(copy(noKeys), '[Unreadable]')
  t.strictSame(copy({ p: noKeys, q: 1 }), { p: '[Unreadable]', q: 1 })
  const noGet = new Proxy({ a: 1 }, { get () { throw new Error('get') } })
  t.strictSame(copy(noGet), { a: '[Unreadable]' })
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  t.strictSame(copy({ revoked: proxy }), { revoked: '[Unreadable]' })
  const badArray = new Proxy([1, 2], { get (target, key) { if (key === 'length') throw new Error('length'); return Reflect.get(target, key) } })
  t.strictSame(copy([badArray]), ['[Unreadable]'])
})

t.test('depth cap', async (t) => {
  // The root is depth 0; the containers at depth 6 become markers.
  const nested = { l1: { l2: { l3: { l4: { l5: { l6: { l7: 'deep' } }, list: [[1]] } } } } }
  t.strictSame(copy(nested), { l1: { l2: { l3: { l4: { l5: { l6: '[Object]' }, list: ['[Array]'] } } } } })
  t.strictSame(copy({ a: { b: 1 }, c: [1], d: 'x' }, { maxDepth: 1 }), { a: '[Object]', c: '[Array]', d: 'x' })
  t.equal(copy({ a: 1 }, { maxDepth: 0 }), '[Object]')
  t.strictSame(copy({ a: { b: 1 } }, { maxDepth: Number.NaN }), { a: { b: 1 } }, 'an invalid limit falls back to its default')
})

t.test('array, Set, Map and key caps', async (t) => {
  const thousand = Array.from({ length: 1000 }, (_, i) => i)
  t.strictSame(copy(thousand), [...thousand.slice(0, 50), '[… 950 more items]'])
  t.strictSame(copy(new Set(thousand), { maxArrayItems: 2 }), [0, 1, '[… 998 more items]'])
  t.strictSame(copy(new Map([['a', 1], ['b', 2], ['c', 3]]), { maxArrayItems: 2 }), { a: 1, b: 2, '…': '[… 1 more keys]' })
  const wide = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i]))
  const out = copy(wide) as Record<string, unknown>
  t.equal(Object.keys(out).length, 51)
  t.equal(out.k49, 49)
  t.equal(out['…'], '[… 70 more keys]')
  t.strictSame(copy(new Array(1e9), { maxArrayItems: 2 }), [undefined, undefined, '[… 999999998 more items]'])
})

t.test('maxTotalKeys: keys and items of the whole copy, taken by each container before its values', async (t) => {
  t.strictSame(copy({ a: 1, b: 2, c: 3 }, { maxTotalKeys: 2 }), { a: 1, b: 2, '…': '[… 1 more keys]' })
  t.strictSame(copy([1, 2, 3], { maxTotalKeys: 2 }), [1, 2, '[… 1 more items]'])
  t.strictSame(copy(new Set([1, 2, 3]), { maxTotalKeys: 1 }), [1, '[… 2 more items]'])
  t.strictSame(copy(new Map([['a', 1], ['b', 2]]), { maxTotalKeys: 1 }), { a: 1, '…': '[… 1 more keys]' })
  t.strictSame(copy({ first: { x: { y: 1 } }, second: 2 }, { maxTotalKeys: 3 }), { first: { x: '[Object]' }, second: 2 },
    'the root keeps both keys: the first one\'s subtree cannot crowd out the second')
  t.strictSame(copy({ a: [1, 2], b: { c: 1 } }, { maxTotalKeys: 4 }), { a: [1, 2], b: '[Object]' })
  t.strictSame(copy({ password: { deep: 1 }, a: { b: 1 } }, { maxTotalKeys: 2 }), { password: R, a: '[Object]' }, 'a redacted key counts too')
  t.equal(copy({ a: 1 }, { maxTotalKeys: 0 }), '[Object]')
  t.equal(copy([], { maxTotalKeys: 0 }), '[Array]')
  const error = Object.assign(new Error('boom'), { code: 'E', extra: 1 })
  t.match(copy({ error }, { maxTotalKeys: 2 }), { error: { type: 'Error', message: 'boom', code: 'E', '…': '[… 1 more keys]' } },
    'an error\'s type, message and stack are not keys of the budget')
})

/** A tree of Proxies `width` wide and `depth` deep that counts how often its objects are enumerated and read. */
function countedTree (width: number, depth: number): { tree: object, counts: { enumerated: number, read: number } } {
  const counts = { enumerated: 0, read: 0 }
  const handler: ProxyHandler<Record<string, unknown>> = {
    ownKeys (target) { counts.enumerated++; return Reflect.ownKeys(target) },
    get (target, key, receiver) {
      if (typeof key === 'string' && key.startsWith('k')) counts.read++
      return Reflect.get(target, key, receiver)
    },
  }
  function level (d: number): unknown {
    if (d === depth) return 'leaf'
    const node: Record<string, unknown> = {}
    for (let i = 0; i < width; i++) node[`k${i}`] = level(d + 1)
    return new Proxy(node, handler)
  }
  return { tree: level(0) as object, counts }
}

t.test('the work is bounded by maxTotalKeys, not by the input', async (t) => {
  // 50 × 50 × 50: 2551 objects and 127,550 keys, all distinct. Without the budget, maxArrayItems
  // and maxDepth alone would let the copy read every key.
  const { tree, counts } = countedTree(50, 3)
  copy(tree)
  t.equal(counts.read, 1000, 'the default budget: 1000 values read')
  t.ok(counts.enumerated <= 1001, `${counts.enumerated} objects enumerated, at most maxTotalKeys + 1`)
  for (const maxTotalKeys of [10, 100, 10_000]) {
    const { tree, counts } = countedTree(50, 3)
    copy(tree, { maxTotalKeys })
    t.equal(counts.read, maxTotalKeys, `maxTotalKeys ${maxTotalKeys}: as many values read`)
    t.ok(counts.enumerated <= maxTotalKeys + 1, `maxTotalKeys ${maxTotalKeys}: ${counts.enumerated} objects enumerated`)
  }
})

t.test('long strings are cut after masking, never mid-card or mid-surrogate', async (t) => {
  t.equal(copy('a'.repeat(10_000)), `${'a'.repeat(8192)}…[truncated 1808 chars]`)
  const straddling = `${'x'.repeat(8190)} 4111111111111111`
  t.equal(copy(straddling), `${'x'.repeat(8190)} *…[truncated ${straddling.length - 8192} chars]`)
  t.equal(copy('😀😀😀', { maxStringLength: 5 }), '😀😀…[truncated 1 chars]')
  t.strictSame(copy({ ['k'.repeat(10)]: 1 }, { maxStringLength: 4 }), { 'kkkk…[truncated 6 chars]': 1 })
})

t.test('replace sees every leaf with its path, after the built-in rules', async (t) => {
  const calls: unknown[] = []
  const upper = buildScrubbedCopy({
    matcher,
    replace (value, path) {
      calls.push([value, path])
      return typeof value === 'string' ? value.toUpperCase() : value
    },
  })
  t.strictSame(upper({ a: 'x', b: [1, true], password: 'p', c: { d: 'card 4111111111111111' } }),
    { a: 'X', b: [1, true], password: R, c: { d: 'CARD ************1111' } })
  t.strictSame(calls, [['x', ['a']], [1, ['b', 0]], [true, ['b', 1]], ['card ************1111', ['c', 'd']]],
    'never called for a sensitive key')
})

t.test('replace fails closed', async (t) => {
  const throwing = buildScrubbedCopy({ matcher, replace () { throw new Error('hook') } })
  t.strictSame(throwing({ a: 'x', n: 1, ok: false, nested: [null] }), { a: R, n: R, ok: R, nested: [null] })
  const returnsObject = buildScrubbedCopy({ matcher, replace: () => ({ leaked: true }) })
  t.strictSame(returnsObject({ a: 'x' }), { a: R })
  const mutatesPath = buildScrubbedCopy({ matcher, replace (value, path) { (path as unknown[]).push('x'); return value } })
  t.strictSame(mutatesPath({ a: { b: 1, c: 2 } }), { a: { b: 1, c: 2 } })
})

t.test('never mutates its input', async (t) => {
  const make = (): unknown => {
    const shared = { s: 'Bearer abc' }
    return { a: [shared, shared, { password: 'p' }], m: new Map([['k', { card: '4111111111111111' }]]), d: new Date(0) }
  }
  const input = make()
  copy(input)
  t.strictSame(input, make())
  const frozen = Object.freeze({ inner: Object.freeze({ token: 'abc', list: Object.freeze([1, 2]) }) })
  t.strictSame(copy(frozen), { inner: { token: R, list: [1, 2] } })
})

t.test('adversarial inputs complete', async (t) => {
  let deep: Record<string, unknown> = {}
  for (let i = 0; i < 100_000; i++) deep = { next: deep }
  t.strictSame(copy(deep), { next: { next: { next: { next: { next: { next: '[Object]' } } } } } })
  let deepArray: unknown[] = []
  for (let i = 0; i < 100_000; i++) deepArray = [deepArray]
  t.strictSame(copy(deepArray, { maxDepth: 1e9 }), JSON.parse(`${'['.repeat(64)}"[Array]"${']'.repeat(64)}`), 'depth clamped to 64')
  t.equal((copy(new Array(1_000_000).fill('x')) as unknown[]).length, 51)
  t.equal(Object.keys(copy(Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]))) as object).length, 51)
  t.equal(copy('7'.repeat(1_000_000)), `${'7'.repeat(8192)}…[truncated ${1_000_000 - 8192} chars]`)
  t.equal((copy('Bearer '.repeat(100_000)) as string).length, 8192 + '…[truncated 691808 chars]'.length)
})
