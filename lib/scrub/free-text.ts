// Free text: secrets of a known shape masked (see scrubText()), and long strings cut after masking,
// with the work bounded however long the input is.

import { maskCardNumbers } from './card-numbers.js'
import { maskPemBlocks } from './pem-blocks.js'
import { maskPercentEncoded } from './percent-encoded.js'
import { maskProviderTokens } from './provider-tokens.js'
import { maskTextPairs } from './text-pairs.js'
import { REDACTED } from './sensitive-keys.js'
import { maskTokens } from './tokens.js'
import { maskUrlPasswords } from './url-passwords.js'

// Strings up to this length are masked whole before being cut; longer ones only their first
// part, so the work stays bounded. The margin past the cut lets a card number or token that
// straddles it be recognised whole.
const SCAN_CEILING = 1_048_576
const SCAN_MARGIN = 4096

function maskShapes (s: string): string {
  return maskCardNumbers(maskTextPairs(maskTokens(maskProviderTokens(maskUrlPasswords(maskPemBlocks(s))))))
}

/**
 * Private-key PEM blocks, URL passwords, provider tokens of a published shape, bearer and basic
 * credentials, JWTs, values of sensitive `key=value` pairs and card numbers masked, as written
 * and once percent-decoded; anything but a string → REDACTED.
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
