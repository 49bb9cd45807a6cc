// Credentials recognised by the prefix and shape their issuer publishes (GitHub's, GitLab's,
// Stripe's, Slack's, Google's, npm's and AWS's documented formats, as secret scanners list them):
// never by how random a string looks.

import { isAlphanumeric } from './char-classes.ts'
import { REDACTED } from './sensitive-keys.ts'

interface TokenShape {
  readonly prefix: string
  /** What the characters after the prefix may be. */
  readonly body: (c: number) => boolean
  readonly minLength: number
  /** The body's length must be exactly minLength (an ID, not a secret of varying length). */
  readonly exact: boolean
}

function isUpperOrDigit (c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
}

function isWordChar (c: number): boolean {
  return isAlphanumeric(c) || c === 95
}

function isDashedWordChar (c: number): boolean {
  return isWordChar(c) || c === 45
}

function shape (prefix: string, body: (c: number) => boolean, minLength: number, exact = false): TokenShape {
  return { prefix, body, minLength, exact }
}

/** Every shape, by the first character of its prefix. */
const SHAPES: ReadonlyMap<number, readonly TokenShape[]> = groupByFirstChar([
  // AWS access key IDs (long-term, temporary, and the other documented four-letter kinds).
  ...['AKIA', 'ASIA', 'ABIA', 'ACCA'].map((prefix) => shape(prefix, isUpperOrDigit, 16, true)),
  // GitHub: personal, OAuth, user-to-server, server-to-server and refresh tokens; fine-grained PATs.
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map((prefix) => shape(prefix, isAlphanumeric, 36)),
  shape('github_pat_', isWordChar, 22),
  shape('glpat-', isDashedWordChar, 20),
  // Stripe secret and restricted keys (publishable `pk_` keys are public by design).
  ...['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_'].map((prefix) => shape(prefix, isAlphanumeric, 10)),
  ...['xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-'].map((prefix) => shape(prefix, isDashedWordChar, 10)),
  shape('AIza', isDashedWordChar, 35, true),
  shape('npm_', isAlphanumeric, 36, true),
])

/**
 * True when `s` holds a prefix of SHAPES: the scan below runs only then. Literal alternatives
 * and no quantifier, so the test is linear; irregexp runs it several times faster than a loop.
 */
const MAY_HOLD_TOKEN = /AKIA|ASIA|ABIA|ACCA|AIza|gh[pousr]_|github_pat_|glpat-|[sr]k_(?:live|test)_|xox[abprs]-|npm_/

/** 1 for the char codes a prefix starts with: the scan asks the map only at those. */
const STARTS = new Uint8Array(128)
for (const first of SHAPES.keys()) STARTS[first] = 1

function groupByFirstChar (shapes: readonly TokenShape[]): Map<number, TokenShape[]> {
  const groups = new Map<number, TokenShape[]>()
  for (const one of shapes) {
    const first = one.prefix.charCodeAt(0)
    const group = groups.get(first)
    if (group === undefined) groups.set(first, [one])
    else group.push(one)
  }
  return groups
}

/** Where the token of `one` starting at `at` ends, or -1 when `s` holds none there. */
function tokenEnd (s: string, at: number, one: TokenShape): number {
  if (!s.startsWith(one.prefix, at)) return -1
  const bodyStart = at + one.prefix.length
  // An exact shape looks one character past its length, no further: a failed scan stays short,
  // and a longer one succeeds and is skipped, so the whole scan stays linear.
  const limit = one.exact ? Math.min(s.length, bodyStart + one.minLength + 1) : s.length
  let end = bodyStart
  while (end < limit && one.body(s.charCodeAt(end))) end++
  const length = end - bodyStart
  if (length < one.minLength || (one.exact && length !== one.minLength)) return -1
  return end
}

/**
 * `ghp_…` → `ghp_[REDACTED]`: each token of a published shape keeps its prefix (which says what
 * leaked, and is no secret) and loses the rest. A token must not follow a letter, digit or `_`.
 * One linear scan: a position is looked at once, plus once per character of a token found there.
 */
export function maskProviderTokens (s: string): string {
  if (!MAY_HOLD_TOKEN.test(s)) return s
  let out = ''
  let copiedUpTo = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || STARTS[c] === 0 || (i > 0 && isWordChar(s.charCodeAt(i - 1)))) continue
    for (const one of SHAPES.get(c)!) {
      const end = tokenEnd(s, i, one)
      if (end < 0) continue
      out += s.slice(copiedUpTo, i + one.prefix.length) + REDACTED
      copiedUpTo = end
      i = end - 1
      break
    }
  }
  return copiedUpTo === 0 ? s : out + s.slice(copiedUpTo)
}
