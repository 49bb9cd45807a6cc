// Decides which key, header, query or cookie names are sensitive: the denylist of
// sensitive-keys.ts plus the caller's extra keys, matched by words, in time linear in the key.
import { isAlphanumeric, isDigit, isLowerOrDigit, isUpper } from './char-classes.ts'
import { KEY_QUALIFIERS, SENSITIVE_COOKIE_NAME_SNIPPETS, SENSITIVE_KEY_SNIPPETS, SENSITIVE_KEY_WORDS } from './sensitive-keys.ts'

export interface KeyMatcher {
  /** a normalised snippet is a substring of the key, or a short name is one of its words */
  isSensitiveKey(key: string): boolean
  /** isSensitiveKey, or a cookie-only snippet (`.sid`, `__Host-`, …) in the lowercased name */
  isSensitiveCookieName(name: string): boolean
}

const WORDS: ReadonlySet<string> = new Set(SENSITIVE_KEY_WORDS)
const QUALIFIERS: ReadonlySet<string> = new Set(KEY_QUALIFIERS)
const PLURAL_S = 115
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

/** The key's words, lowercased: split at anything that is not an ASCII letter or digit, and at camelCase humps. */
function keyWords (key: string): string[] {
  const words: string[] = []
  let start = -1
  for (let i = 0; i <= key.length; i++) {
    const alphanumeric = i < key.length && isAlphanumeric(key.charCodeAt(i))
    if (start >= 0 && (!alphanumeric || startsWord(key, i))) {
      words.push(key.slice(start, i).toLowerCase())
      start = -1
    }
    if (alphanumeric && start < 0) start = i
  }
  return words
}

/** A word ends at `end`, or after an `s` and digits there (`tokens`, `password2`, `secrets3`). */
function endsWord (joined: string, wordEnds: Uint8Array, end: number): boolean {
  if (wordEnds[end] === 1) return true
  let at = end
  if (joined.charCodeAt(at) === PLURAL_S) at++
  while (at < joined.length && isDigit(joined.charCodeAt(at))) at++
  return at > end && wordEnds[at] === 1
}

/**
 * The default rules: no word is a qualifier, and a word is a short name or a snippet ends where
 * a word ends (an `s` and digits may follow) in the words joined.
 */
function matchesDefaults (key: string): boolean {
  const words = keyWords(key)
  if (words.some((word) => QUALIFIERS.has(word))) return false
  if (words.some((word) => word.length <= LONGEST_WORD && WORDS.has(word))) return true
  const joined = words.join('')
  const wordEnds = new Uint8Array(joined.length + 2)
  let at = 0
  for (const word of words) wordEnds[at += word.length] = 1
  for (const snippet of SENSITIVE_KEY_SNIPPETS) {
    for (let i = joined.indexOf(snippet); i >= 0; i = joined.indexOf(snippet, i + 1)) {
      if (endsWord(joined, wordEnds, i + snippet.length)) return true
    }
  }
  return false
}

/**
 * Compiles the denylist once: the default rules (matchesDefaults()) plus `extraKeys`, normalised
 * and matched as substrings of the normalised key. Each extra key must still hold something once
 * normalised (an empty snippet would match every key); scrubber.ts checks that before calling.
 * The returned functions need no `this`.
 */
export function buildKeyMatcher (extraKeys: readonly string[] = []): KeyMatcher {
  const extraSnippets = [...new Set(extraKeys.map(normaliseKey))]

  // Bodies repeat the same few key names: the answer is remembered per name, in a bounded
  // cache (cleared when full, so hostile key variety costs at most the uncached price).
  const cache = new Map<string, boolean>()

  function matches (key: string): boolean {
    if (extraSnippets.length > 0) {
      const normal = normaliseKey(key)
      if (extraSnippets.some((snippet) => normal.includes(snippet))) return true
    }
    return matchesDefaults(key)
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
