import fc from 'fast-check'
import t from 'tap'
import { maskTokens } from '../../lib/scrub/tokens.ts'

// jwt.io's example token.
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'

t.test('masks the credentials after a Bearer scheme, in any case', async (t) => {
  t.equal(maskTokens('Authorization: Bearer abc.def-ghi_jkl~+/='), 'Authorization: Bearer [REDACTED]')
  t.equal(maskTokens('bearer\tmF_9.B5f-4.1JqM and more'), 'bearer\t[REDACTED] and more')
  t.equal(maskTokens('BEARER  x'), 'BEARER  [REDACTED]')
  t.equal(maskTokens('{"h":"Bearer 0123456789"}'), '{"h":"Bearer [REDACTED]"}')
  t.equal(maskTokens(`Bearer ${JWT}`), 'Bearer [REDACTED]')
  t.equal(maskTokens('Bearer Bearer abc'), 'Bearer Bearer [REDACTED]', 'a repeated scheme word is not the token')
  t.equal(maskTokens('Basic basic YTpi'), 'Basic basic [REDACTED]')
})

t.test('masks Basic credentials only when they decode to user:password', async (t) => {
  t.equal(maskTokens('Authorization: Basic dXNlcjpwYXNzd29yZA=='), 'Authorization: Basic [REDACTED]')
  t.equal(maskTokens('basic YTpi'), 'basic [REDACTED]')
  t.equal(maskTokens('the Basic plan costs less'), 'the Basic plan costs less')
  t.equal(maskTokens('Basic auth failed'), 'Basic auth failed')
})

t.test('leaves scheme-like words alone when no token follows', async (t) => {
  t.equal(maskTokens('Bearer'), 'Bearer')
  t.equal(maskTokens('Bearer '), 'Bearer ')
  t.equal(maskTokens('Bearer: abc'), 'Bearer: abc')
  t.equal(maskTokens('Bearer [REDACTED]'), 'Bearer [REDACTED]')
  t.equal(maskTokens('unbearer abc'), 'unbearer abc', 'the scheme must not follow a letter')
  t.equal(maskTokens('Bearers abc'), 'Bearers abc')
  t.equal(maskTokens('Basically fine'), 'Basically fine')
})

t.test('masks JWTs anywhere', async (t) => {
  t.equal(maskTokens(`token ${JWT} expired`), 'token [REDACTED] expired')
  t.equal(maskTokens(`/reset/${JWT}/confirm`), '/reset/[REDACTED]/confirm')
  t.equal(maskTokens(`id_token=${JWT}&x=1`), 'id_token=[REDACTED]&x=1')
  t.equal(maskTokens('unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. end'), 'unsigned [REDACTED] end')
  t.equal(maskTokens('jwe eyJhbGciOiJSU0EtT0FFUCJ9.a1b2.c3d4.e5f6.g7h8'), 'jwe [REDACTED]')
  t.equal(maskTokens(`prefix.${JWT}`), 'prefix.[REDACTED]', 'masked from the JWT on')
})

t.test('leaves dotted words that are not JWTs alone', async (t) => {
  t.equal(maskTokens('eyJhbGciOiJIUzI1NiJ9'), 'eyJhbGciOiJIUzI1NiJ9', 'one segment')
  t.equal(maskTokens('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0'), 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0', 'no second dot')
  t.equal(maskTokens('eyJhbG.e.sig'), 'eyJhbG.e.sig', 'second segment too short')
  t.equal(maskTokens('v1.2.3 file.name.txt a.b.c'), 'v1.2.3 file.name.txt a.b.c')
  t.equal(maskTokens(''), '')
})

t.test('prose about bearer tokens keeps its words', async (t) => {
  for (const text of ['use a bearer token', 'Send a Bearer token.', 'the Bearer scheme, then', 'bearer authentication is required']) {
    t.equal(maskTokens(text), text, text)
  }
  t.equal(maskTokens('Authorization: Bearer tokenXYZ123'), 'Authorization: Bearer [REDACTED]', 'a credential that starts like a word')
  t.equal(maskTokens('Bearer abc'), 'Bearer [REDACTED]')
})

t.test('adversarial inputs complete (linear scans)', async (t) => {
  const schemes = 'Bearer '.repeat(100_000)
  t.equal(maskTokens(schemes), schemes)
  const basic = `Basic ${'A'.repeat(1_000_000)}`
  t.equal(maskTokens(basic), basic)
  const dots = 'a.'.repeat(500_000)
  t.equal(maskTokens(dots), dots)
  t.equal(maskTokens('eyJ.'.repeat(250_000)), '[REDACTED]', 'one run of minimal JWT-shaped segments')
  t.equal(maskTokens(`${'bearer\t'.repeat(100_000)}x`), `${'bearer\t'.repeat(100_000)}[REDACTED]`)
})

const base64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 16, maxLength: 64 })
const jwt = fc.tuple(fc.dictionary(fc.string(), fc.jsonValue()), base64url).map(([claims, signature]) => {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return { token: `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.${signature}`, secret: signature }
})
const bearer = base64url.map((token) => ({ token: `Bearer ${token}`, secret: token }))

// Random text, sometimes ending with a scheme word, as in `Authorization: Bearer Bearer <token>`.
const before = fc.tuple(fc.string(), fc.constantFrom('', ' Bearer', ' basic', ' Authorization: Bearer')).map(([s, end]) => s + end)

t.test('property: a planted JWT or bearer token never survives', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(before, fc.oneof(jwt, bearer), fc.string(), (head, planted, tail) => {
    return !maskTokens(`${head} ${planted.token} ${tail}`).includes(planted.secret)
  })))
})

t.test('property: masking twice changes nothing more', async (t) => {
  const text = fc.oneof(fc.string(), fc.tuple(fc.string(), fc.oneof(jwt, bearer), fc.string()).map(([a, p, b]) => `${a} ${p.token}${b}`))
  t.doesNotThrow(() => fc.assert(fc.property(text, (s) => maskTokens(maskTokens(s)) === maskTokens(s))))
})
