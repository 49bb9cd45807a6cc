// The public scrubber: checks ScrubOptions once and composes key matching, the scrubbed copy
// and the header, URL and free-text scrubbing into one Scrubber.

import { invalidOption, type InvalidOption } from '../errors.ts'
import type { CopyLimits } from './copy-limits.ts'
import { scrubText } from './free-text.ts'
import { scrubHeaders } from './headers.ts'
import { buildKeyMatcher, normaliseKey } from './key-matcher.ts'
import { buildScrubbedCopy } from './scrubbed-copy.ts'
import { scrubUrl } from './url.ts'

export type { CopyLimits } from './copy-limits.ts'

export interface ScrubOptions {
  /** extra key snippets added to the default denylist (same normalisation) */
  keys?: readonly string[]
  /** called for every string/number/boolean leaf after the built-in rules; its return value replaces the leaf; if it throws, the leaf becomes REDACTED (fail closed) */
  replace?: (value: unknown, path: readonly (string | number)[]) => unknown
}

export interface Scrubber {
  /** deep, scrubbed, bounded, circular-safe copy; never mutates input; never throws */
  value(input: unknown, limits?: Partial<CopyLimits>): unknown
  /** free text with every value rule applied: cards, credentials, provider tokens, password hashes, URL passwords, PEM keys, sensitive pairs */
  text(s: string): string
  /** a copy of a Node IncomingHttpHeaders-like object with secrets masked; cookies pair by pair, failing closed */
  headers(h: Readonly<Record<string, unknown>>): Record<string, unknown>
  /** a URL or path+query string: sensitive query values → REDACTED, the rest through text(); never throws */
  url(u: string): string
  isSensitiveKey(key: string): boolean
}

// An empty snippet would be found in every key and redact everything.
function checkKeys (keys: unknown, invalid: InvalidOption): readonly string[] {
  if (keys === undefined) return []
  if (!Array.isArray(keys)) throw invalid('scrub.keys', 'an array of non-empty strings', keys)
  keys.forEach((key: unknown, i) => {
    if (typeof key !== 'string' || normaliseKey(key) === '') {
      throw invalid(`scrub.keys[${i}]`, 'a string with a character other than "-", "_", "." and space', key)
    }
  })
  return [...keys]
}

/**
 * Validates scrub options and returns a frozen copy: the one check used by buildScrubber,
 * loggerOptions() and the plugin's resolveOptions(). Throws VIGIE_ERR_INVALID_OPTION, or what
 * `invalid` builds (resolveOptions() passes one that names an environment variable).
 */
export function checkScrubOptions (options: ScrubOptions, invalid: InvalidOption = invalidOption): Readonly<ScrubOptions> {
  const replace = options.replace
  if (replace !== undefined && typeof replace !== 'function') throw invalid('scrub.replace', 'a function', replace)
  const keys = checkKeys(options.keys, invalid)
  return Object.freeze(replace === undefined ? { keys } : { keys, replace })
}

/**
 * Compiles the scrubbing rules once: the default denylist plus `options.keys` (key-matcher.ts),
 * and the optional `replace` hook. Throws a VigieError (VIGIE_ERR_INVALID_OPTION) for malformed
 * options; the returned methods never throw. The rules of `value()` are listed in
 * scrubbed-copy.ts.
 *
 * @example
 * const scrubber = buildScrubber({ keys: ['vat'] })
 * scrubber.value({ vat: 'FR40…', card: '4111 1111 1111 1111' }) // { vat: '[REDACTED]', card: '**** **** **** 1111' }
 */
export function buildScrubber (options: ScrubOptions = {}): Scrubber {
  const { keys, replace } = checkScrubOptions(options)
  const matcher = buildKeyMatcher(keys ?? [])
  return {
    value: buildScrubbedCopy({ matcher, replace }),
    text: scrubText,
    headers: (h) => scrubHeaders(h, matcher),
    url: (u) => scrubUrl(u, matcher),
    isSensitiveKey: matcher.isSensitiveKey,
  }
}

const DEFAULT_SCRUBBER = buildScrubber()

/**
 * A deep, scrubbed, bounded copy of `value` with the default rules and limits (see
 * buildScrubber). Never throws, never mutates its input.
 *
 * @example
 * scrub({ user: 'ana', password: 'hunter2' }) // { user: 'ana', password: '[REDACTED]' }
 */
export function scrub (value: unknown): unknown {
  return DEFAULT_SCRUBBER.value(value)
}
