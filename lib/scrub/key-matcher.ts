// Decides which key, header, query or cookie names are sensitive: the denylist of
// sensitive-keys.ts plus the caller's extra keys, compiled once, matched in time linear in the key.
import { isAlphanumeric, isLowerOrDigit, isUpper } from './char-classes.js'
import { SENSITIVE_COOKIE_NAME_SNIPPETS, SENSITIVE_KEY_SNIPPETS, SENSITIVE_KEY_WORDS } from './sensitive-keys.js'

export interface KeyMatcher {
  /** a normalised snippet is a substring of the key, or a short name is one of its words */
  isSensitiveKey(key: string): boolean
  /** isSensitiveKey, or a cookie-only snippet (`.sid`, `__Host-`, …) in the lowercased name */
  isSensitiveCookieName(name: string): boolean
}

const WORDS: ReadonlySet<string> = new Set(SENSITIVE_KEY_WORDS)
const LONGEST_WORD = Math.max(...SENSITIVE_KEY_WORDS.map((w) => w.length))
const MAX_CACHED_KEYS = 2048
const MAX_CACHED_KEY_LENGTH = 64

/** Lowercased, without `-`, `_`, `.` and spaces. */
export function normaliseKey (key: string): string {
  // A single character class with no quantifier: each character is tested once.
  return key.toLowerCase().replace(/[-_. ]/g, '')
}

/** A camelCase hump starts a word at `i`: `userPin` (r|P) and `PINCode` (N|C). */
function startsWord (key: string, i: number): boolean {
  if (!isUpper(key.charCodeAt(i))) return false
  const before = key.charCodeAt(i - 1)
  if (isLowerOrDigit(before)) return true
  const after = i + 1 < key.length ? key.charCodeAt(i + 1) : 0
  return isUpper(before) && after >= 97 && after <= 122
}

function hasWord (key: string): boolean {
  let start = -1
  for (let i = 0; i <= key.length; i++) {
    const alphanumeric = i < key.length && isAlphanumeric(key.charCodeAt(i))
    if (start >= 0 && (!alphanumeric || startsWord(key, i))) {
      if (i - start <= LONGEST_WORD && WORDS.has(key.slice(start, i).toLowerCase())) return true
      start = -1
    }
    if (alphanumeric && start < 0) start = i
  }
  return false
}

/**
 * Compiles the denylist once: the default snippets plus `extraKeys`, normalised the same way.
 * Each extra key must still hold something once normalised (an empty snippet would match every
 * key); scrubber.ts checks that before calling. The returned functions need no `this`.
 */
export function buildKeyMatcher (extraKeys: readonly string[] = []): KeyMatcher {
  const snippets = extraKeys.length === 0
    ? SENSITIVE_KEY_SNIPPETS
    : [...new Set([...SENSITIVE_KEY_SNIPPETS, ...extraKeys.map(normaliseKey)])]

  // Bodies repeat the same few key names: the answer is remembered per name, in a bounded
  // cache (cleared when full, so hostile key variety costs at most the uncached price).
  const cache = new Map<string, boolean>()

  function matches (key: string): boolean {
    const normal = normaliseKey(key)
    for (const snippet of snippets) {
      if (normal.includes(snippet)) return true
    }
    return hasWord(key)
  }

  function isSensitiveKey (key: string): boolean {
    if (typeof key !== 'string') return false
    let sensitive = cache.get(key)
    if (sensitive === undefined) {
      sensitive = matches(key)
      if (key.length <= MAX_CACHED_KEY_LENGTH) {
        if (cache.size >= MAX_CACHED_KEYS) cache.clear()
        cache.set(key, sensitive)
      }
    }
    return sensitive
  }

  function isSensitiveCookieName (name: string): boolean {
    if (isSensitiveKey(name)) return true
    const lower = name.toLowerCase()
    return SENSITIVE_COOKIE_NAME_SNIPPETS.some((snippet) => lower.includes(snippet))
  }

  return { isSensitiveKey, isSensitiveCookieName }
}
