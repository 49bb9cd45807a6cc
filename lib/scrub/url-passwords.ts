import { isAlphanumeric } from './char-classes.ts'
import { REDACTED } from './sensitive-keys.ts'

const SEPARATOR = '://'
const MAX_SCHEME_LENGTH = 32

function isSchemeChar (c: number): boolean {
  return isAlphanumeric(c) || c === 43 || c === 45 || c === 46 // + - .
}

/** Where a URL's authority ends: `/ ? #`, whitespace, quotes, `< > \` or the end of the text. */
function isAuthorityEnd (c: number): boolean {
  return c === 47 || c === 63 || c === 35 || c <= 32 || c === 34 || c === 39 || c === 96 || c === 60 || c === 62 || c === 92
}

/**
 * The password of every URL with userinfo in the text → `[REDACTED]`:
 * `postgres://app:s3cret@db/prod` → `postgres://app:[REDACTED]@db/prod`, and
 * `redis://:s3cret@cache:6379` → `redis://:[REDACTED]@cache:6379`. The user name is kept (it is
 * often the only clue to which credentials leaked); a URL with no `:` in its userinfo is left as
 * it is (`ssh://git@host`). Linear: each character is looked at a bounded number of times.
 */
export function maskUrlPasswords (s: string): string {
  let separator = s.indexOf(SEPARATOR)
  if (separator < 0) return s
  let out = ''
  let copiedUpTo = 0
  while (separator >= 0) {
    let schemeStart = separator
    while (schemeStart > 0 && separator - schemeStart < MAX_SCHEME_LENGTH && isSchemeChar(s.charCodeAt(schemeStart - 1))) schemeStart--
    const authorityStart = separator + SEPARATOR.length
    let authorityEnd = authorityStart
    let at = -1
    let colon = -1
    for (; authorityEnd < s.length; authorityEnd++) {
      const c = s.charCodeAt(authorityEnd)
      if (isAuthorityEnd(c)) break
      if (c === 64) at = authorityEnd // '@': the last one ends the userinfo
      else if (c === 58 && colon < 0) colon = authorityEnd
    }
    if (schemeStart < separator && at > 0 && colon >= 0 && colon < at - 1) {
      out += s.slice(copiedUpTo, colon + 1) + REDACTED
      copiedUpTo = at
    }
    // The authority ends at the `/` of a `://` glued to it (`…host:8080http://u:p@h`): look again from there.
    separator = s.indexOf(SEPARATOR, Math.max(authorityEnd - 1, authorityStart))
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo)
}
