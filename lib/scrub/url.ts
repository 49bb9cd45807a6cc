// URLs and path+query strings: sensitive query and fragment values → REDACTED, everything else
// (userinfo passwords included) through scrubText(), decoded as well when percent-encoded.
// Never throws.

import { scrubText } from './free-text.ts'
import type { KeyMatcher } from './key-matcher.ts'
import { maskDecoded } from './percent-encoded.ts'
import { REDACTED } from './sensitive-keys.ts'

/** `+` read as a space, then percent-decoded; throws on invalid encoding. */
function decodeQueryText (s: string): string {
  return decodeURIComponent(s.replaceAll('+', ' '))
}

/** A key name decoded; the name itself when it is not encoded or not valid encoding. */
function decodeKey (s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s
  try {
    return decodeQueryText(s)
  } catch {
    return s
  }
}

/**
 * scrubText() on the value as written; when that finds nothing and the value is encoded,
 * scrubText() on the decoded value too (`4111%201111…`), re-encoded only if something was masked.
 */
function scrubQueryValue (raw: string): string {
  const masked = scrubText(raw)
  if (masked !== raw || (!raw.includes('%') && !raw.includes('+'))) return masked
  return maskDecoded(raw, decodeQueryText, encodeURIComponent, scrubText) ?? raw
}

function scrubQuery (query: string, matcher: KeyMatcher): string {
  const pairs = query.split('&')
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]
    const eq = pair.indexOf('=')
    if (eq < 0) pairs[i] = scrubQueryValue(pair)
    else if (matcher.isSensitiveKey(decodeKey(pair.slice(0, eq)))) pairs[i] = `${pair.slice(0, eq)}=${REDACTED}`
    else pairs[i] = `${scrubQueryValue(pair.slice(0, eq))}=${scrubQueryValue(pair.slice(eq + 1))}`
  }
  return pairs.join('&')
}

/** An escape decodeURI() kept (`%2F`, `%3A`), once encodeURI() has escaped its `%`. */
const KEPT_ESCAPE = /%25(?=[0-9A-Fa-f]{2})/g

/**
 * scrubText() on the scheme, authority and path: first once decodeURI() has decoded them, so that
 * a secret spanning a `/` is seen whole (`/t/Bearer%20abc/def`), re-encoded if something was
 * masked; then as written, where scrubText() decodes the runs that hold what decodeURI() keeps
 * encoded (`/t/password%3A%20hunter2`).
 */
function scrubUrlHead (head: string): string {
  return scrubText(head.includes('%') ? scrubDecodedHead(head) : head)
}

function scrubDecodedHead (head: string): string {
  return maskDecoded(head, decodeURI, (masked) => encodeURI(masked).replace(KEPT_ESCAPE, '%'), scrubText) ?? head
}

/** A URL or path+query string with its secrets masked; anything but a string → REDACTED. */
export function scrubUrl (u: string, matcher: KeyMatcher): string {
  if (typeof u !== 'string') return REDACTED
  try {
    const hash = u.indexOf('#')
    const question = u.indexOf('?')
    const hasQuery = question >= 0 && (hash < 0 || question < hash)
    let out = scrubUrlHead(u.slice(0, hasQuery ? question : hash >= 0 ? hash : u.length))
    if (hasQuery) out += '?' + scrubQuery(u.slice(question + 1, hash >= 0 ? hash : u.length), matcher)
    // Fragments are scrubbed like queries: OAuth implicit flow puts access_token there.
    if (hash >= 0) out += '#' + scrubQuery(u.slice(hash + 1), matcher)
    return out
  } catch {
    return REDACTED
  }
}
