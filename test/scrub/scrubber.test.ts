import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import { buildScrubber, scrub } from '../../lib/scrub/scrubber.ts'
import { REDACTED } from '../../lib/scrub/sensitive-keys.ts'
import { issuedCardNumber } from '../helpers/luhn.ts'

const R = REDACTED

t.test('extra keys use the same normalisation and add to the defaults', async (t) => {
  const withVat = buildScrubber({ keys: ['VAT', 'x-tenant'] })
  t.strictSame(withVat.value({ vat: 'FR76', userVat: 'FR76', X_Tenant: 't', tenant: 'acme', password: 'p' }),
    { vat: R, userVat: R, X_Tenant: R, tenant: 'acme', password: R })
  t.strictSame(scrub({ vat: 'FR76' }), { vat: 'FR76' })
})

t.test('malformed options throw VIGIE_ERR_INVALID_OPTION naming the option', async (t) => {
  const code = 'VIGIE_ERR_INVALID_OPTION'
  t.throws(() => buildScrubber({ keys: ['-'] }), {
    name: 'VigieError',
    code,
    message: 'vigie: option "scrub.keys[0]" must be a string with a character other than "-", "_", "." and space; received "-" (string)'
  })
  t.throws(() => buildScrubber({ keys: ['ok', 7] as never }), {
    name: 'VigieError',
    code,
    message: 'vigie: option "scrub.keys[1]" must be a string with a character other than "-", "_", "." and space; received 7 (number)'
  })
  t.throws(() => buildScrubber({ keys: 'token' as never }), {
    name: 'VigieError',
    code,
    message: 'vigie: option "scrub.keys" must be an array of non-empty strings; received "token" (string)'
  })
  t.throws(() => buildScrubber({ replace: 1 as never }), {
    name: 'VigieError',
    code,
    message: 'vigie: option "scrub.replace" must be a function; received 1 (number)'
  })
})

t.test('each method composes its piece with the compiled keys, and works detached', async (t) => {
  const { value, text, headers, url, isSensitiveKey } = buildScrubber({ keys: ['vat'] })
  t.strictSame(value({ vat: 'FR76', note: 'Bearer abc' }), { vat: R, note: `Bearer ${R}` })
  t.equal(text('card 4111 1111 1111 1111'), 'card **** **** **** 1111')
  t.strictSame(headers({ 'x-vat': 'FR76', cookie: 'vat=FR76; a=1' }), { 'x-vat': R, cookie: `vat=${R}; a=1` })
  t.equal(url('/?vat=FR76&token=t'), `/?vat=${R}&token=${R}`)
  t.equal(isSensitiveKey('userVat'), true)
  t.strictSame(buildScrubber().value({ n: 1 }, { maxDepth: 0 }), '[Object]', 'value() takes limits')
})

// ---- properties ----

const alphanumeric = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')
const base64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 16, maxLength: 40 })
const card = fc.tuple(issuedCardNumber, fc.constantFrom('', ' ', '-'))
  .map(([number, sep]) => ({ number, text: sep === '' ? number : number.match(/.{1,4}/g)!.join(sep) }))
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
