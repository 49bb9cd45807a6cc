// Password hashes in free text, by the formats their libraries write: a database error that quotes
// the INSERT it failed on carries the user's hash in its message.

import { isAlphanumeric, isDigit } from './char-classes.ts'
import { REDACTED } from './sensitive-keys.ts'

/** bcrypt's salt and hash: 22 + 31 characters of its own base64 alphabet. */
const BCRYPT_BODY = 53
/** Shortest last field (the hash itself) after another prefix: parameters alone are kept. */
const MIN_HASH_FIELD = 16

/** `$2a$`, `$2b$`, `$2x$`, `$2y$`: the bcrypt versions; two digits of cost and a `$` follow. */
function bcryptVersionAt (s: string, at: number): boolean {
  if (s.charCodeAt(at + 1) !== 50 || s.charCodeAt(at + 3) !== 36) return false // 2 $
  const v = s.charCodeAt(at + 2)
  return v === 97 || v === 98 || v === 120 || v === 121 // a b x y
}

/** `[./A-Za-z0-9]`: bcrypt's alphabet. */
function isBcryptChar (c: number): boolean {
  return isAlphanumeric(c) || c === 46 || c === 47
}

/** Base64 (standard and passlib's), the `$` between fields and argon2's `m=…,t=…,p=…`. */
function isHashFieldChar (c: number): boolean {
  return isAlphanumeric(c) || c === 36 || c === 43 || c === 47 || c === 61 || c === 44 || c === 46 // $ + / = , .
}

/** Modular-crypt prefixes whose fields follow, separated by `$` (argon2, passlib's scrypt and pbkdf2). */
const DOLLAR_PREFIXES = ['$argon2id$', '$argon2i$', '$argon2d$', '$scrypt$', '$pbkdf2$', '$pbkdf2-sha1$', '$pbkdf2-sha256$', '$pbkdf2-sha512$']
/** Django's prefixes: a word, then `$` and the fields. */
const WORD_PREFIXES = ['pbkdf2_sha256$', 'pbkdf2_sha1$', 'scrypt$']

/**
 * True when `s` may hold a hash: the scan below runs only then. Literal alternatives, so linear.
 */
const MAY_HOLD_HASH = /\$2[abxy]\$|\$argon2|\$scrypt\$|\$pbkdf2|pbkdf2_sha|scrypt\$/

/** Where the hash whose body starts at `from` ends, or -1 when the body is not one. */
function fieldsEnd (s: string, from: number): number {
  let end = from
  let lastDollar = -1
  while (end < s.length && isHashFieldChar(s.charCodeAt(end))) {
    if (s.charCodeAt(end) === 36) lastDollar = end
    end++
  }
  return lastDollar >= 0 && end - lastDollar - 1 >= MIN_HASH_FIELD ? end : -1
}

/** The prefix kept and where the hash starting at `at` ends, or null when none starts there. */
function hashAt (s: string, at: number): { prefixEnd: number, end: number } | null {
  const c = s.charCodeAt(at)
  if (c === 36) {
    if (bcryptVersionAt(s, at) && isDigit(s.charCodeAt(at + 4)) && isDigit(s.charCodeAt(at + 5)) && s.charCodeAt(at + 6) === 36) {
      const bodyStart = at + 7
      let end = bodyStart
      while (end < s.length && isBcryptChar(s.charCodeAt(end))) end++
      return end - bodyStart >= BCRYPT_BODY ? { prefixEnd: bodyStart, end } : null
    }
    for (const prefix of DOLLAR_PREFIXES) {
      if (!s.startsWith(prefix, at)) continue
      const end = fieldsEnd(s, at + prefix.length)
      return end < 0 ? null : { prefixEnd: at + prefix.length, end }
    }
    return null
  }
  // `p` or `s`, as the scan below only asks at `$`, `p` and `s`.
  if (at > 0 && (isAlphanumeric(s.charCodeAt(at - 1)) || s.charCodeAt(at - 1) === 95)) return null
  for (const prefix of WORD_PREFIXES) {
    if (!s.startsWith(prefix, at)) continue
    const end = fieldsEnd(s, at + prefix.length)
    return end < 0 ? null : { prefixEnd: at + prefix.length, end }
  }
  return null
}

/**
 * bcrypt (`$2a$`, `$2b$`, `$2x$`, `$2y$`, two digits of cost, `$`, then 53 or more of
 * `[./A-Za-z0-9]`), argon2 (`$argon2id$`, `$argon2i$`, `$argon2d$`), scrypt (`$scrypt$`, Django's
 * `scrypt$`) and PBKDF2 (Django's `pbkdf2_sha256$` and `pbkdf2_sha1$`, passlib's `$pbkdf2…$`)
 * hashes keep their prefix, which only names the algorithm, and lose the rest:
 * `$2b$10$N9qo…` → `$2b$10$[REDACTED]`. After a prefix other than bcrypt's, the hash is the run of
 * base64 characters, `$`, `=` and `,` that follows, when it holds a `$` and its last field (the
 * hash) is 16 characters or more. Linear: a body that fails holds no other prefix, so each
 * character is scanned a bounded number of times.
 */
export function maskPasswordHashes (s: string): string {
  if (!MAY_HOLD_HASH.test(s)) return s
  let out = ''
  let copiedUpTo = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 36 && c !== 112 && c !== 115) continue // $ p s
    const hash = hashAt(s, i)
    if (hash === null) continue
    out += s.slice(copiedUpTo, hash.prefixEnd) + REDACTED
    copiedUpTo = hash.end
    i = hash.end - 1
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo)
}
