import t from 'tap'
import { scrubCookieHeader, scrubSetCookie } from '../../lib/scrub/cookies.ts'
import { buildKeyMatcher } from '../../lib/scrub/key-matcher.ts'
import { REDACTED as R } from '../../lib/scrub/sensitive-keys.ts'

const matcher = buildKeyMatcher()

t.test('Cookie: pair by pair, values of ordinary cookies through scrubText()', async (t) => {
  t.equal(scrubCookieHeader('theme=dark; sid=1; note=Bearer abc', matcher), `theme=dark; sid=${R}; note=Bearer ${R}`)
  t.equal(scrubCookieHeader('a=1;', matcher), 'a=1;')
  t.equal(scrubCookieHeader('a=1; b', matcher), R, 'one pair that does not parse replaces the whole header')
})

t.test('Set-Cookie: the pair is scrubbed, the attributes kept', async (t) => {
  t.equal(scrubSetCookie('session=abc; Path=/; HttpOnly', matcher), `session=${R}; Path=/; HttpOnly`)
  t.equal(scrubSetCookie('theme=dark', matcher), 'theme=dark')
  t.equal(scrubSetCookie('garbage; Path=/', matcher), R)
})
