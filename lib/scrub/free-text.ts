// Free text: secrets of a known shape masked (see scrubText()), and long strings cut after masking,
// with the work bounded however long the input is.

import { maskCardNumbers } from './card-numbers.ts'
import { maskPasswordHashes } from './password-hashes.ts'
import { maskPemBlocks } from './pem-blocks.ts'
import { maskPercentEncoded } from './percent-encoded.ts'
import { maskProviderTokens } from './provider-tokens.ts'
import { maskTextPairs } from './text-pairs.ts'
import { REDACTED } from './sensitive-keys.ts'
import { maskTokens } from './tokens.ts'
import { maskUrlPasswords } from './url-passwords.ts'

// Strings up to this length are masked whole before being cut; longer ones only their first
// part, so the work stays bounded. The margin past the cut lets a card number or token that
// straddles it be recognised whole.
const SCAN_CEILING = 1_048_576
const SCAN_MARGIN = 4096

// What each scan needs to find anything, as bits of TRIGGERS by character: most strings of a
// body ("ada@example.com", "A1") hold none, and one pass over them skips every scan.
const PEM = 1
const URL_PASSWORD = 2
const PROVIDER_TOKEN = 4
const JWT_OR_SCHEME = 8
const PAIR = 16
const PASSWORD_HASH = 32
const TRIGGERS = new Uint8Array(128)
TRIGGERS[45] = PEM | PROVIDER_TOKEN // - (-----BEGIN, glpat-, xoxb-)
TRIGGERS[64] = URL_PASSWORD // @
TRIGGERS[95] = PROVIDER_TOKEN // _ (ghp_, sk_live_, npm_)
TRIGGERS[65] = PROVIDER_TOKEN // A (AKIA, AIza)
TRIGGERS[74] = JWT_OR_SCHEME // J (eyJ)
TRIGGERS[66] = JWT_OR_SCHEME // B (Bearer, Basic)
TRIGGERS[98] = JWT_OR_SCHEME // b
TRIGGERS[58] = PAIR // :
TRIGGERS[61] = PAIR // =
TRIGGERS[36] = PASSWORD_HASH // $ ($2b$, $argon2id$, pbkdf2_sha256$)
const CARD_DIGITS = 13

function maskShapes (s: string): string {
  let found = 0
  let digits = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) digits++
    else if (c < 128) found |= TRIGGERS[c]!
  }
  if ((found & PEM) !== 0) s = maskPemBlocks(s)
  if ((found & URL_PASSWORD) !== 0) s = maskUrlPasswords(s)
  if ((found & PROVIDER_TOKEN) !== 0) s = maskProviderTokens(s)
  if ((found & PASSWORD_HASH) !== 0) s = maskPasswordHashes(s)
  if ((found & JWT_OR_SCHEME) !== 0) s = maskTokens(s)
  if ((found & PAIR) !== 0) s = maskTextPairs(s)
  return digits >= CARD_DIGITS ? maskCardNumbers(s) : s
}

/**
 * Private-key PEM blocks, URL passwords, provider tokens of a published shape, password hashes,
 * bearer and basic credentials, JWTs, values of sensitive `key=value` pairs and card numbers
 * masked, as written and once percent-decoded; anything but a string → REDACTED.
 */
export function scrubText (s: string): string {
  return typeof s === 'string' ? maskPercentEncoded(maskShapes(s), maskShapes) : REDACTED
}

/** How many characters (or bytes) of a long input are scanned when `max` of them are kept. */
export function scanLength (max: number): number {
  return Math.max(SCAN_CEILING, max + SCAN_MARGIN)
}

/** The part of `s` that is scanned when `max` of it is kept: all of it up to 1 MiB, else its start. */
export function scanWindow (s: string, max: number): string {
  return s.length <= SCAN_CEILING ? s : s.slice(0, scanLength(max))
}

function cutBeforeSurrogateSplit (s: string, length: number): string {
  if (s.length <= length) return s
  const last = s.charCodeAt(length - 1)
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length)
}

/** scrubText(), then cut past `max` characters with `…[truncated N chars]` (N counted on the input). */
export function boundedText (s: string, max: number): string {
  if (s.length <= max) return scrubText(s)
  return `${cutBeforeSurrogateSplit(scrubText(scanWindow(s, max)), max)}…[truncated ${s.length - max} chars]`
}
