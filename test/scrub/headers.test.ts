import t from 'tap'
import { scrubHeaders } from '../../lib/scrub/headers.ts'
import { buildKeyMatcher } from '../../lib/scrub/key-matcher.ts'
import { REDACTED } from '../../lib/scrub/sensitive-keys.ts'

const R = REDACTED
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
const matcher = buildKeyMatcher()
const headers = (h: Readonly<Record<string, unknown>>): Record<string, unknown> => scrubHeaders(h, matcher)

t.test('sensitive names in any case, cookies pair by pair', async (t) => {
  t.strictSame(headers({
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

t.test('a cookie header that does not parse is replaced whole (fail closed)', async (t) => {
  for (const cookie of ['garbage', 'a=1; b', '=x', 'a b=1', 'a=1; {x}=2']) {
    t.strictSame(headers({ cookie }), { cookie: R }, cookie)
  }
  t.strictSame(headers({ cookie: 'a=1;' }), { cookie: 'a=1;' })
  t.strictSame(headers({ 'set-cookie': ['garbage; Path=/', 'ok=1'] }), { 'set-cookie': [R, 'ok=1'] })
  t.strictSame(headers({ cookie: ['a=1', 7] }), { cookie: ['a=1', R] })
})

t.test('odd values fail closed and never throw', async (t) => {
  const odd = { get 'x-boom' (): never { throw new Error('getter') }, 'x-object': { a: 1 } }
  t.strictSame(headers(odd), { 'x-boom': R, 'x-object': R })
  t.strictSame(headers(new Proxy({}, { ownKeys () { throw new Error('ownKeys') } })), {})
})
