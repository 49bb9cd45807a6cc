// Cookie and Set-Cookie header values, scrubbed pair by pair; a header that does not parse is
// replaced whole (fail closed).

import { scrubText } from './free-text.ts'
import type { KeyMatcher } from './key-matcher.ts'
import { REDACTED } from './sensitive-keys.ts'

function isCookieName (name: string): boolean {
  if (name === '') return false
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    // RFC 6265 token: visible ASCII minus separators.
    if (c <= 32 || c >= 127 || '()<>@,;:\\"/[]?={}'.includes(name[i])) return false
  }
  return true
}

/** One `name=value` pair, or undefined when it cannot be parsed. */
function scrubCookiePair (pair: string, matcher: KeyMatcher): string | undefined {
  const eq = pair.indexOf('=')
  if (eq < 0 || !isCookieName(pair.slice(0, eq).trim())) return undefined
  const head = pair.slice(0, eq + 1)
  return matcher.isSensitiveCookieName(pair.slice(0, eq).trim()) ? head + REDACTED : head + scrubText(pair.slice(eq + 1))
}

/** `a=1; session=x` → `a=1; session=[REDACTED]`; REDACTED when any pair does not parse. */
export function scrubCookieHeader (header: string, matcher: KeyMatcher): string {
  const pairs = header.split(';')
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i].trim() === '') continue
    const scrubbed = scrubCookiePair(pairs[i], matcher)
    if (scrubbed === undefined) return REDACTED
    pairs[i] = scrubbed
  }
  return pairs.join(';')
}

/** `name=value; Path=/; HttpOnly`: the pair is scrubbed, the attributes kept. */
export function scrubSetCookie (header: string, matcher: KeyMatcher): string {
  const semicolon = header.indexOf(';')
  const pair = scrubCookiePair(semicolon < 0 ? header : header.slice(0, semicolon), matcher)
  return pair === undefined ? REDACTED : pair + (semicolon < 0 ? '' : header.slice(semicolon))
}
