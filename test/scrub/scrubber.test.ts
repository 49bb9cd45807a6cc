import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import { buildScrubber, scrub } from '../../lib/scrub/scrubber.js'
import { REDACTED } from '../../lib/scrub/sensitive-keys.js'

const R = REDACTED
const scrubber = buildScrubber()
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'

/** `body` followed by the Luhn check digit that makes it valid. */
function withCheckDigit (body: string): string {
  let sum = 0
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(body[i])
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return body + String((10 - (sum % 10)) % 10)
}

t.test('isSensitiveKey: substrings after normalisation, short names as whole words', async (t) => {
  const sensitive = ['password', 'PASSWORD', 'user_password', 'api_key', 'Api-Key', 'apikey', 'x-api-key', 'X-API-KEY',
    'authorization', 'Proxy-Authorization', 'access_token', 'refreshToken', 'client.secret', 'Set-Cookie', 'PHPSESSID',
    'sessionId', 'card_number', 'cvv', 'x-csrf-token', 'auth', 'X-Auth', 'OAuth', 'pin', 'userPin', 'PINCode', 'pass',
    'connect.sid', 'sid', 'pan', 'otp', 'user_ssn', 'private_key', 'credentials', 'X-Amz-Signature']
  const ordinary = ['author', 'authored_at', 'shipping', 'side', 'considered', 'company', 'span', 'className',
    'passenger', 'username', 'email', 'id', 'key', 'sortKey', 'code', 'footprint', 'page', 'spinner', 'topping']
  for (const key of sensitive) t.equal(scrubber.isSensitiveKey(key), true, key)
  for (const key of ordinary) t.equal(scrubber.isSensitiveKey(key), false, key)
})

t.test('extra keys use the same normalisation and add to the defaults', async (t) => {
  const withIban = buildScrubber({ keys: ['IBAN', 'x-tenant'] })
  t.strictSame(withIban.value({ iban: 'FR76', userIban: 'FR76', X_Tenant: 't', tenant: 'acme', password: 'p' }),
    { iban: R, userIban: R, X_Tenant: R, tenant: 'acme', password: R })
  t.strictSame(scrub({ iban: 'FR76' }), { iban: 'FR76' })
})

t.test('malformed options throw a TypeError naming the option', async (t) => {
  t.throws(() => buildScrubber({ keys: ['-'] }), { name: 'TypeError', message: 'scrub.keys entries must hold a letter or digit, got "-"' })
  t.throws(() => buildScrubber({ keys: 'token' as never }), { name: 'TypeError', message: 'scrub.keys must be an array of strings' })
  t.throws(() => buildScrubber({ replace: 1 as never }), { name: 'TypeError', message: 'scrub.replace must be a function' })
})

t.test('text() masks cards, bearer tokens and JWTs in free text', async (t) => {
  t.equal(scrubber.text(`card 4111-1111-1111-1111 with Bearer abc and ${JWT}.`), `card ****-****-****-1111 with Bearer ${R} and ${R}`)
  t.equal(scrubber.text('nothing secret here'), 'nothing secret here')
  t.equal(scrubber.text(42 as never), R)
})

t.test('value(): a deep copy with every kind of leaf converted', async (t) => {
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
  t.strictSame(scrub(input), {
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

t.test('value(): errors keep type, scrubbed message and stack, own props and cause', async (t) => {
  const err = Object.assign(new Error('card 4111 1111 1111 1111 declined', { cause: new TypeError('Bearer abc') }),
    { code: 'E_CARD', statusCode: 402, secret: 's3' })
  const out = scrub(err) as Record<string, unknown>
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

t.test('value(): circular and repeated references', async (t) => {
  const a: Record<string, unknown> = { name: 'a' }
  a.self = a
  a.list = [a]
  a.map = new Map([['back', a]])
  t.strictSame(scrub(a), { name: 'a', self: '[Circular]', list: ['[Circular]'], map: { back: '[Circular]' } })
  const shared = { v: 1 }
  t.strictSame(scrub({ x: shared, y: shared, z: [shared] }), { x: { v: 1 }, y: '[Repeated]', z: ['[Repeated]'] })
  const err: Error & { cause?: unknown } = new Error('loop')
  err.cause = err
  t.equal((scrub(err) as { cause: unknown }).cause, '[Circular]')
})

t.test('value(): getters and Proxies that throw never make it throw', async (t) => {
  let passwordRead = false
  const withGetters = {
    ok: 1,
    get boom (): never { throw new Error('getter') },
    get password (): string { passwordRead = true; return 'p' },
  }
  t.strictSame(scrub(withGetters), { ok: 1, boom: '[Unreadable]', password: R })
  t.equal(passwordRead, false, 'a sensitive key is never read')

  const noKeys = new Proxy({}, { ownKeys () { throw new Error('ownKeys') } })
  t.equal(scrub(noKeys), '[Unreadable]')
  t.strictSame(scrub({ p: noKeys, q: 1 }), { p: '[Unreadable]', q: 1 })
  const noGet = new Proxy({ a: 1 }, { get () { throw new Error('get') } })
  t.strictSame(scrub(noGet), { a: '[Unreadable]' })
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  t.strictSame(scrub({ revoked: proxy }), { revoked: '[Unreadable]' })
  const badArray = new Proxy([1, 2], { get (target, key) { if (key === 'length') throw new Error('length'); return Reflect.get(target, key) } })
  t.strictSame(scrub([badArray]), ['[Unreadable]'])
})

t.test('value(): depth cap', async (t) => {
  // The root is depth 0; the containers at depth 6 become markers.
  const nested = { l1: { l2: { l3: { l4: { l5: { l6: { l7: 'deep' } }, list: [[1]] } } } } }
  t.strictSame(scrub(nested), { l1: { l2: { l3: { l4: { l5: { l6: '[Object]' }, list: ['[Array]'] } } } } })
  t.strictSame(scrubber.value({ a: { b: 1 }, c: [1], d: 'x' }, { maxDepth: 1 }), { a: '[Object]', c: '[Array]', d: 'x' })
  t.equal(scrubber.value({ a: 1 }, { maxDepth: 0 }), '[Object]')
  t.strictSame(scrubber.value({ a: { b: 1 } }, { maxDepth: Number.NaN }), { a: { b: 1 } }, 'an invalid limit falls back to its default')
})

t.test('value(): array, Set, Map and key caps', async (t) => {
  const thousand = Array.from({ length: 1000 }, (_, i) => i)
  t.strictSame(scrub(thousand), [...thousand.slice(0, 50), '[… 950 more items]'])
  t.strictSame(scrubber.value(new Set(thousand), { maxArrayItems: 2 }), [0, 1, '[… 998 more items]'])
  t.strictSame(scrubber.value(new Map([['a', 1], ['b', 2], ['c', 3]]), { maxArrayItems: 2 }), { a: 1, b: 2, '…': '[… 1 more keys]' })
  const wide = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`k${i}`, i]))
  const out = scrub(wide) as Record<string, unknown>
  t.equal(Object.keys(out).length, 51)
  t.equal(out.k49, 49)
  t.equal(out['…'], '[… 70 more keys]')
  t.strictSame(scrubber.value(new Array(1e9), { maxArrayItems: 2 }), [undefined, undefined, '[… 999999998 more items]'])
})

t.test('value(): long strings are cut after masking, never mid-card or mid-surrogate', async (t) => {
  t.equal(scrub('a'.repeat(10_000)), `${'a'.repeat(8192)}…[truncated 1808 chars]`)
  const straddling = `${'x'.repeat(8190)} 4111111111111111`
  t.equal(scrub(straddling), `${'x'.repeat(8190)} *…[truncated ${straddling.length - 8192} chars]`)
  t.equal(scrubber.value('😀😀😀', { maxStringLength: 5 }), '😀😀…[truncated 1 chars]')
  t.strictSame(scrubber.value({ ['k'.repeat(10)]: 1 }, { maxStringLength: 4 }), { 'kkkk…[truncated 6 chars]': 1 })
})

t.test('value(): replace sees every leaf with its path, after the built-in rules', async (t) => {
  const calls: unknown[] = []
  const upper = buildScrubber({
    replace (value, path) {
      calls.push([value, path])
      return typeof value === 'string' ? value.toUpperCase() : value
    },
  })
  t.strictSame(upper.value({ a: 'x', b: [1, true], password: 'p', c: { d: 'card 4111111111111111' } }),
    { a: 'X', b: [1, true], password: R, c: { d: 'CARD ************1111' } })
  t.strictSame(calls, [['x', ['a']], [1, ['b', 0]], [true, ['b', 1]], ['card ************1111', ['c', 'd']]],
    'never called for a sensitive key')
})

t.test('value(): replace fails closed', async (t) => {
  const throwing = buildScrubber({ replace () { throw new Error('hook') } })
  t.strictSame(throwing.value({ a: 'x', n: 1, ok: false, nested: [null] }), { a: R, n: R, ok: R, nested: [null] })
  const returnsObject = buildScrubber({ replace: () => ({ leaked: true }) })
  t.strictSame(returnsObject.value({ a: 'x' }), { a: R })
  const mutatesPath = buildScrubber({ replace (value, path) { (path as unknown[]).push('x'); return value } })
  t.strictSame(mutatesPath.value({ a: { b: 1, c: 2 } }), { a: { b: 1, c: 2 } })
})

t.test('value(): never mutates its input', async (t) => {
  const make = (): unknown => {
    const shared = { s: 'Bearer abc' }
    return { a: [shared, shared, { password: 'p' }], m: new Map([['k', { card: '4111111111111111' }]]), d: new Date(0) }
  }
  const input = make()
  scrub(input)
  t.strictSame(input, make())
  const frozen = Object.freeze({ inner: Object.freeze({ token: 'abc', list: Object.freeze([1, 2]) }) })
  t.strictSame(scrub(frozen), { inner: { token: R, list: [1, 2] } })
})

t.test('value(): adversarial inputs complete', async (t) => {
  let deep: Record<string, unknown> = {}
  for (let i = 0; i < 100_000; i++) deep = { next: deep }
  t.strictSame(scrub(deep), { next: { next: { next: { next: { next: { next: '[Object]' } } } } } })
  let deepArray: unknown[] = []
  for (let i = 0; i < 100_000; i++) deepArray = [deepArray]
  t.strictSame(scrubber.value(deepArray, { maxDepth: 1e9 }), JSON.parse(`${'['.repeat(64)}"[Array]"${']'.repeat(64)}`), 'depth clamped to 64')
  t.equal((scrub(new Array(1_000_000).fill('x')) as unknown[]).length, 51)
  t.equal(Object.keys(scrub(Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]))) as object).length, 51)
  t.equal(scrub('7'.repeat(1_000_000)), `${'7'.repeat(8192)}…[truncated ${1_000_000 - 8192} chars]`)
  t.equal((scrub('Bearer '.repeat(100_000)) as string).length, 8192 + '…[truncated 691808 chars]'.length)
})

t.test('headers(): sensitive names in any case, cookies pair by pair', async (t) => {
  t.strictSame(scrubber.headers({
    Host: 'example.com',
    AUTHORIZATION: 'Bearer abc',
    'Proxy-Authorization': 'Basic dXNlcjpwYXNz',
    'X-API-KEY': 'k',
    'x-auth-token': 't',
    Cookie: 'theme=dark; SESSIONID=abc; connect.sid=s%3Ax; __Host-pref=1; lang=fr',
    'set-cookie': [`id_token=${JWT}; Path=/; HttpOnly`, 'theme=dark; Max-Age=60'],
    referer: 'https://example.com/cb?token=abc&page=2',
    'x-note': 'card 4111 1111 1111 1111',
    'content-length': 42,
    'x-list': ['a', 'Bearer b'],
    'x-missing': undefined,
  }), {
    Host: 'example.com',
    AUTHORIZATION: R,
    'Proxy-Authorization': R,
    'X-API-KEY': R,
    'x-auth-token': R,
    Cookie: `theme=dark; SESSIONID=${R}; connect.sid=${R}; __Host-pref=${R}; lang=fr`,
    'set-cookie': [`id_token=${R}; Path=/; HttpOnly`, 'theme=dark; Max-Age=60'],
    referer: `https://example.com/cb?token=${R}&page=2`,
    'x-note': 'card **** **** **** 1111',
    'content-length': 42,
    'x-list': ['a', `Bearer ${R}`],
    'x-missing': undefined,
  })
})

t.test('headers(): a cookie header that does not parse is replaced whole (fail closed)', async (t) => {
  for (const cookie of ['garbage', 'a=1; b', '=x', 'a b=1', 'a=1; {x}=2']) {
    t.strictSame(scrubber.headers({ cookie }), { cookie: R }, cookie)
  }
  t.strictSame(scrubber.headers({ cookie: 'a=1;' }), { cookie: 'a=1;' })
  t.strictSame(scrubber.headers({ 'set-cookie': ['garbage; Path=/', 'ok=1'] }), { 'set-cookie': [R, 'ok=1'] })
  t.strictSame(scrubber.headers({ cookie: ['a=1', 7] }), { cookie: ['a=1', R] })
})

t.test('headers(): odd values fail closed and never throw', async (t) => {
  const odd = { get 'x-boom' (): never { throw new Error('getter') }, 'x-object': { a: 1 } }
  t.strictSame(scrubber.headers(odd), { 'x-boom': R, 'x-object': R })
  t.strictSame(scrubber.headers(new Proxy({}, { ownKeys () { throw new Error('ownKeys') } })), {})
})

t.test('url(): sensitive query values → [REDACTED], unencoded for readable logs', async (t) => {
  t.equal(scrubber.url('/search?token=abc&page=2'), `/search?token=${R}&page=2`)
  t.equal(scrubber.url('/?api%5Fkey=1&Api-Key=2&X-Api-Key=3&token='), `/?api%5Fkey=${R}&Api-Key=${R}&X-Api-Key=${R}&token=${R}`)
  t.equal(scrubber.url('/cb#access_token=abc&state=1'), `/cb#access_token=${R}&state=1`)
  t.equal(scrubber.url(`/?${JWT}`), `/?${R}`)
})

t.test('url(): the path and other values go through text()', async (t) => {
  t.equal(scrubber.url('/cards/4111111111111111/charge'), '/cards/************1111/charge')
  t.equal(scrubber.url(`/reset/${JWT}`), `/reset/${R}`)
  t.equal(scrubber.url('/?note=4111%201111%201111%201111'), '/?note=****%20****%20****%201111')
  t.equal(scrubber.url('/?note=4111+1111+1111+1111'), '/?note=****%20****%20****%201111')
  t.equal(scrubber.url('/?h=Bearer%20abc'), `/?h=Bearer%20${R}`)
  t.equal(scrubber.url('https://bob:hunter2@example.com/x'), `https://bob:${R}@example.com/x`)
})

t.test('url(): byte-identical when nothing is secret, and never throws', async (t) => {
  const plain = 'https://bob@example.com:8443/a/b%20c?q=hello+world&tags=a,b&empty=&flag&bad=%E0%A4%A#section-2'
  t.equal(scrubber.url(plain), plain)
  t.equal(scrubber.url(''), '')
  t.equal(scrubber.url('?'), '?')
  t.equal(scrubber.url('/?q=%F0%9F%98%80+4111+1111+1111+1111'), '/?q=%F0%9F%98%80%20****%20****%20****%201111')
  t.equal(scrubber.url(42 as never), R)
})

// ---- properties ----

const alphanumeric = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
const base64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 16, maxLength: 40 })
const card = fc.tuple(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 }), fc.constantFrom('', ' ', '-'))
  .map(([digits, sep]) => {
    const number = withCheckDigit(digits.join(''))
    return { number, text: sep === '' ? number : number.match(/.{1,4}/g)!.join(sep) }
  })
const jwt = fc.tuple(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })), base64url).map(([claims, signature]) => {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return { token: `${part({ alg: 'HS256' })}.${part(claims)}.${signature}`, signature }
})
const secrets = fc.record({
  card,
  jwt,
  bearer: base64url,
  password: fc.string({ unit: alphanumeric, minLength: 12, maxLength: 20 }).map((s) => `pw-${s}`),
  // the password as a string, in an array, or in an object under the sensitive key
  shape: fc.constantFrom('string', 'array', 'object'),
  key: fc.constantFrom('password', 'Password', 'api_key', 'X-Api-Key', 'accessToken', 'client_secret', 'sessionId',
    'cardNumber', 'cvv', 'ssn', 'pin', 'auth', 'Authorization', 'privateKey'),
})
// How the planted object is nested: each step wraps it in an object under an ordinary key or
// in an array after some noise.
const nesting = fc.array(fc.oneof(fc.constantFrom('data', 'payload', 'items'), fc.constant(0)), { maxLength: 4 })

t.test('property: planted secrets never survive scrub()', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(secrets, nesting, fc.jsonValue({ maxDepth: 2 }), fc.string(), fc.string(),
    (s, steps, noise, before, after) => {
      let value: unknown = {
        [s.key]: s.shape === 'string' ? s.password : s.shape === 'array' ? [s.password] : { value: s.password },
        note: `${before}|${s.card.text}| ${s.jwt.token} Authorization: Bearer ${s.bearer} ${after}`,
        noise,
      }
      for (const step of steps) value = step === 0 ? [noise, value] : { [step]: value, noise }
      const json = JSON.stringify(scrub(value))
      return !json.includes(s.password) && !json.includes(s.card.number) && !json.includes(s.card.text) &&
        !json.includes(s.jwt.signature) && !json.includes(s.bearer)
    }), { numRuns: 300 }))
})

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
})

t.test('property: scrub() never throws, never mutates, and always yields JSON-serialisable output', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(fc.clone(anything, 2), ([input, twin]) => {
    const out = scrub(input)
    JSON.stringify(out)
    return fc.stringify(input) === fc.stringify(twin)
  }), { numRuns: 300 }))
})

t.test('property: scrub() is idempotent on JSON values within the limits', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (input) => {
    const once = scrub(input)
    return isDeepStrictEqual(scrub(once), once)
  }), { numRuns: 300 }))
})
