// HTTP headers (a Node IncomingHttpHeaders-like object): a copy with sensitive names → REDACTED,
// cookies pair by pair, URL-valued headers as URLs, the rest as free text. Never throws.

import { scrubCookieHeader, scrubSetCookie } from './cookies.ts'
import { scrubText } from './free-text.ts'
import type { KeyMatcher } from './key-matcher.ts'
import { REDACTED } from './sensitive-keys.ts'
import { setKey } from './set-key.ts'
import { scrubUrl } from './url.ts'

const URL_HEADERS = new Set(['referer', 'referrer', 'location', 'content-location'])

/** How one string value is scrubbed; scrubText ignores `matcher`. */
type ScrubOne = (s: string, matcher: KeyMatcher) => string

function mapHeaderValue (value: unknown, scrubOne: ScrubOne, matcher: KeyMatcher): unknown {
  if (typeof value === 'string') return scrubOne(value, matcher)
  if (typeof value === 'number') return value
  if (Array.isArray(value)) return value.map((one) => typeof one === 'string' ? scrubOne(one, matcher) : REDACTED)
  return REDACTED
}

function scrubHeader (name: string, value: unknown, matcher: KeyMatcher): unknown {
  if (value === undefined) return undefined
  if (name === 'cookie') return mapHeaderValue(value, scrubCookieHeader, matcher)
  if (name === 'set-cookie') return mapHeaderValue(value, scrubSetCookie, matcher)
  if (matcher.isSensitiveKey(name)) return REDACTED
  if (URL_HEADERS.has(name)) return mapHeaderValue(value, scrubUrl, matcher)
  return mapHeaderValue(value, scrubText, matcher)
}

/** A copy of `h` with secrets masked; a value that cannot be read or scrubbed → REDACTED. */
export function scrubHeaders (h: Readonly<Record<string, unknown>>, matcher: KeyMatcher): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  let names: string[]
  try {
    names = Object.keys(h)
  } catch {
    return out
  }
  for (const name of names) {
    try {
      setKey(out, name, scrubHeader(name.toLowerCase(), h[name], matcher))
    } catch {
      setKey(out, name, REDACTED)
    }
  }
  return out
}
