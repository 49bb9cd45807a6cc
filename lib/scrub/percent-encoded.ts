import { isAlphanumeric } from './char-classes.ts'
import { REDACTED } from './sensitive-keys.ts'

const ENCODED_REDACTED = encodeURIComponent(REDACTED)

/** What encodeURIComponent() leaves as it is (`A-Z a-z 0-9 - _ . ! ~ * ' ( )`), and `%`. */
function isRunChar (c: number): boolean {
  return isAlphanumeric(c) || c === 37 || c === 45 || c === 95 || c === 46 || c === 33 || c === 126 || c === 42 || c === 39 || c === 40 || c === 41
}

function isHexDigit (c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
}

function hasEscapeAt (s: string, i: number): boolean {
  return s.charCodeAt(i) === 37 && isHexDigit(s.charCodeAt(i + 1)) && isHexDigit(s.charCodeAt(i + 2))
}

/**
 * `encoded` decoded, masked and encoded again, with `[REDACTED]` left readable; undefined when it
 * does not decode or `mask` changed nothing. `[REDACTED]` alone when it cannot be encoded again
 * (a lone surrogate): what was masked is never given back.
 */
export function maskDecoded (encoded: string, decode: (s: string) => string, encode: (s: string) => string, mask: (decoded: string) => string): string | undefined {
  let decoded: string
  try {
    decoded = decode(encoded)
  } catch {
    return undefined
  }
  const masked = mask(decoded)
  if (masked === decoded) return undefined
  try {
    return encode(masked).replaceAll(ENCODED_REDACTED, REDACTED)
  } catch {
    return REDACTED
  }
}

/**
 * Secrets written percent-encoded in free text, as a URL in a message holds them
 * (`?ref=postgres%3A%2F%2Fapp%3As3cret%40db`, `/cards/4111%201111%201111%201111`): each run of
 * the characters encodeURIComponent() leaves as they are, and `%`, that holds an escape is
 * decoded and given to `mask`; when that masks something, the run is encoded again, with
 * `[REDACTED]` left readable (`postgres%3A%2F%2Fapp%3A[REDACTED]%40db`). A run stops at
 * anything else (`/ ? & = : @ #`, spaces, quotes), so a URL keeps its shape; a run that does not
 * decode is left as it is. Linear: each character is in one run, decoded and masked once.
 */
export function maskPercentEncoded (s: string, mask: (decoded: string) => string): string {
  if (!s.includes('%')) return s
  let out = ''
  let copiedUpTo = 0
  let i = 0
  while (i < s.length) {
    if (!isRunChar(s.charCodeAt(i))) {
      i++
      continue
    }
    const start = i
    let escaped = false
    for (; i < s.length && isRunChar(s.charCodeAt(i)); i++) escaped ||= hasEscapeAt(s, i)
    if (!escaped) continue
    const masked = maskDecoded(s.slice(start, i), decodeURIComponent, encodeURIComponent, mask)
    if (masked === undefined) continue
    out += s.slice(copiedUpTo, start) + masked
    copiedUpTo = i
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo)
}
