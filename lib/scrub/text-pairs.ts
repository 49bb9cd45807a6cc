import { isAlphanumeric } from './char-classes.ts'
import { buildKeyMatcher } from './key-matcher.ts'
import { REDACTED } from './sensitive-keys.ts'

/** The default denylist: free text has no options of its own. */
const matcher = buildKeyMatcher()
const MAX_KEY_LENGTH = 64

function isKeyChar (c: number): boolean {
  return isAlphanumeric(c) || c === 95 || c === 45 || c === 46 // _ - .
}

function isSpace (c: number): boolean {
  return c === 32 || c === 9
}

/** Where an unquoted value ends: whitespace, `,` `;` `&` `)` `]` `}` `"` `'` or the end. */
function isValueEnd (c: number): boolean {
  return c <= 32 || c === 44 || c === 59 || c === 38 || c === 41 || c === 93 || c === 125 || c === 34 || c === 39
}

/**
 * The value of every `key=value`, `key: value` and `key = 'value'` in free text whose key is
 * sensitive (the default denylist: `password`, `api_key`, `token`…) → `[REDACTED]`, as a log
 * message, a database error or a `text/plain` body writes them:
 * `login failed for password=hunter2` → `login failed for password=[REDACTED]`. A quoted value
 * is masked up to its closing quote (or the end of the text), an unquoted one up to whitespace
 * or punctuation, except a short lower-case word after a colon (prose: `no token: anyone…`). Keys are runs of letters, digits, `_`, `-` and `.` of at most 64 characters.
 * Linear: each separator looks back at most 64 characters and forward over its value once.
 */
export function maskTextPairs (s: string): string {
  let nextEquals = s.indexOf('=')
  let nextColon = s.indexOf(':')
  if (nextEquals < 0 && nextColon < 0) return s
  let out = ''
  let copiedUpTo = 0
  for (let i = 0; i < s.length; i++) {
    // Straight to the next `=` or `:`, found natively.
    if (nextEquals >= 0 && nextEquals < i) nextEquals = s.indexOf('=', i)
    if (nextColon >= 0 && nextColon < i) nextColon = s.indexOf(':', i)
    if (nextEquals < 0 && nextColon < 0) break
    i = nextEquals < 0 ? nextColon : nextColon < 0 ? nextEquals : Math.min(nextEquals, nextColon)
    const c = s.charCodeAt(i)
    const next = s.charCodeAt(i + 1)
    // `://` (a URL), and `:` glued to a digit (a stack frame's `file.js:12:5`, a `host:5432`): not pairs.
    if (c === 58 && (next === 47 || (next >= 48 && next <= 57))) continue
    const key = keyBefore(s, i, copiedUpTo)
    if (key === null || !matcher.isSensitiveKey(key)) continue
    let valueStart = i + 1
    while (valueStart < s.length && isSpace(s.charCodeAt(valueStart))) valueStart++
    if (s.startsWith(REDACTED, valueStart)) continue // masked already: scrubbing twice changes nothing
    const quote = s.charCodeAt(valueStart)
    let valueEnd: number
    if (quote === 34 || quote === 39) {
      const close = s.indexOf(quote === 34 ? '"' : '\'', valueStart + 1)
      valueStart++
      valueEnd = close < 0 ? s.length : close
    } else {
      // `Authorization: Bearer …`: the credential after the scheme word is maskTokens()'s.
      if (AUTH_SCHEME.test(s.slice(valueStart, valueStart + 7))) continue
      valueEnd = valueStart
      while (valueEnd < s.length && !isValueEnd(s.charCodeAt(valueEnd))) valueEnd++
      // `no token: anyone who…` is prose: after a colon, a short lower-case word is not a secret.
      if (c === 58 && isShortLowerCaseWord(s, valueStart, valueEnd)) continue
    }
    if (valueEnd === valueStart) continue
    out += s.slice(copiedUpTo, valueStart) + REDACTED
    copiedUpTo = valueEnd
    i = valueEnd - 1
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo)
}

const MAX_SHORT_WORD = 11

/** Lower-case ASCII letters only, fewer than 12 of them. */
function isShortLowerCaseWord (s: string, from: number, to: number): boolean {
  if (to - from > MAX_SHORT_WORD) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 97 || c > 122) return false
  }
  return true
}

/** `Bearer ` or `Basic ` in any case: anchored, with no quantifier. */
const AUTH_SCHEME = /^(?:bearer|basic)[ \t]/i

/**
 * The key that ends just before the separator at `at` (spaces and one closing quote between
 * them allowed, as in `"password": …`), not before `from`; null when there is none. It must not
 * be part of a longer run of key characters (then it is longer than MAX_KEY_LENGTH).
 */
function keyBefore (s: string, at: number, from: number): string | null {
  let keyEnd = at
  while (keyEnd > from && isSpace(s.charCodeAt(keyEnd - 1))) keyEnd--
  const quote = keyEnd > from ? s.charCodeAt(keyEnd - 1) : 0
  const quoted = quote === 34 || quote === 39
  if (quoted) keyEnd--
  let keyStart = keyEnd
  while (keyStart > from && keyEnd - keyStart <= MAX_KEY_LENGTH && isKeyChar(s.charCodeAt(keyStart - 1))) keyStart--
  if (keyStart === keyEnd || keyEnd - keyStart > MAX_KEY_LENGTH) return null
  if (quoted && (keyStart === 0 || s.charCodeAt(keyStart - 1) !== quote)) return null
  return s.slice(keyStart, keyEnd)
}
