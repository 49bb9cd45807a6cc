import { isAlphanumeric } from './char-classes.ts'
import { REDACTED } from './sensitive-keys.ts'

const COLON = 0x3a

/** base64url alphabet: letters, digits, `-`, `_`. */
function isBase64UrlChar (c: number): boolean {
  return isAlphanumeric(c) || c === 45 || c === 95
}

/** RFC 6750 b64token: letters, digits, `-._~+/`, and `=` padding. */
function isBearerTokenChar (c: number): boolean {
  return isBase64UrlChar(c) || c === 46 || c === 126 || c === 43 || c === 47 || c === 61
}

/** Standard base64: letters, digits, `+/=`. */
function isBase64Char (c: number): boolean {
  return isAlphanumeric(c) || c === 43 || c === 47 || c === 61
}

/** True when `s` has the lowercase letters of `word` at `at`, in any case. */
function hasWordAt (s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false
  for (let k = 0; k < word.length; k++) {
    // OR-ing 0x20 lowercases an ASCII letter and maps nothing else onto a lowercase letter.
    if ((s.charCodeAt(at + k) | 0x20) !== word.charCodeAt(k)) return false
  }
  return true
}

/** `Bearer Bearer abc` (a common client bug): the second word is a scheme, not the token. */
function isSchemeWord (s: string, from: number, to: number): boolean {
  return (to - from === 6 && hasWordAt(s, from, 'bearer')) || (to - from === 5 && hasWordAt(s, from, 'basic'))
}

/**
 * Words that follow "bearer" in prose, not in a header: "use a bearer token", "the Bearer
 * scheme". A credential is never one of them, in any case, with a `.` or `,` after it.
 */
const PROSE_AFTER_BEARER: ReadonlySet<string> = new Set(['token', 'tokens', 'auth', 'authentication', 'authorization',
  'scheme', 'header', 'headers', 'credential', 'credentials', 'string', 'value', 'format', 'type', 'prefix'])
const LONGEST_PROSE_WORD = 14

function isProseWord (s: string, from: number, to: number): boolean {
  while (to > from && (s.charCodeAt(to - 1) === 46 || s.charCodeAt(to - 1) === 44)) to-- // . ,
  return to - from <= LONGEST_PROSE_WORD && PROSE_AFTER_BEARER.has(s.slice(from, to).toLowerCase())
}

/**
 * `Bearer <token>` and `Basic <credentials>` → `Bearer [REDACTED]`, the scheme word kept as
 * written. The scheme is matched in any case, must not follow a letter or digit, and is
 * followed by spaces or tabs then at least one token character. A Basic value is masked only
 * when it is base64 that decodes to something holding `:` (`user:password`), so prose such as
 * "Basic plan" stays readable; likewise a Bearer followed by a prose word ("a bearer token").
 */
function maskAuthSchemes (s: string): string {
  let out = ''
  let copiedUpTo = 0
  for (let i = 0; i < s.length; i++) {
    if ((s.charCodeAt(i) | 0x20) !== 0x62) continue // 'b'
    if (i > 0 && isAlphanumeric(s.charCodeAt(i - 1))) continue
    const bearer = hasWordAt(s, i, 'bearer')
    if (!bearer && !hasWordAt(s, i, 'basic')) continue
    let j = i + (bearer ? 6 : 5)
    const spaceStart = j
    while (j < s.length && (s.charCodeAt(j) === 32 || s.charCodeAt(j) === 9)) j++
    if (j === spaceStart) continue
    const tokenStart = j
    const isTokenChar = bearer ? isBearerTokenChar : isBase64Char
    while (j < s.length && isTokenChar(s.charCodeAt(j))) j++
    if (j === tokenStart || isSchemeWord(s, tokenStart, j) || (bearer && isProseWord(s, tokenStart, j))) continue
    if (!bearer && !Buffer.from(s.slice(tokenStart, j), 'base64').includes(COLON)) continue
    out += s.slice(copiedUpTo, tokenStart) + REDACTED
    copiedUpTo = j
    i = j - 1
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo)
}

/**
 * Where a JWT starts inside the run `s[start..end)` of base64url characters and dots, or -1.
 * A JWT is a segment starting with `eyJ` (base64 of `{"`), then a segment of at least two
 * characters, then a dot: this covers signed (3 parts), unsigned (`….`) and encrypted (5 parts)
 * tokens.
 */
function jwtStartIn (s: string, start: number, end: number): number {
  let candidate = -1
  let segmentStart = start
  for (let i = start; i <= end; i++) {
    if (i < end && s.charCodeAt(i) !== 46) continue
    // s[segmentStart..i) is a segment; i is a dot or the end of the run.
    if (candidate >= 0 && i - segmentStart >= 2 && i < end) return candidate
    candidate = s.startsWith('eyJ', segmentStart) && i - segmentStart >= 3 ? segmentStart : -1
    segmentStart = i + 1
  }
  return -1
}

/** Every run of base64url characters and dots that holds a JWT → `[REDACTED]` from the JWT on. */
function maskJwts (s: string): string {
  let out = ''
  let copiedUpTo = 0
  let i = 0
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (!isBase64UrlChar(c) && c !== 46) {
      i++
      continue
    }
    const runStart = i
    while (i < s.length && (isBase64UrlChar(s.charCodeAt(i)) || s.charCodeAt(i) === 46)) i++
    const jwtStart = jwtStartIn(s, runStart, i)
    if (jwtStart < 0) continue
    out += s.slice(copiedUpTo, jwtStart) + REDACTED
    copiedUpTo = i
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo)
}

/**
 * Masks credentials in free text: the value after a `Bearer` or `Basic` scheme word, and JWTs
 * anywhere. Two hand-written linear scans, no regular expression: each character is visited a
 * bounded number of times whatever the input (`'Bearer '.repeat(1e5)` included).
 *
 * @example
 * maskTokens('Authorization: Bearer abc.def') // 'Authorization: Bearer [REDACTED]'
 */
export function maskTokens (s: string): string {
  // JWTs first: a Basic scan would stop at the JWT's first dot and leave its signature. Every
  // JWT holds `eyJ`: a text without it skips the scan of its words.
  return maskAuthSchemes(s.includes('eyJ') ? maskJwts(s) : s)
}
