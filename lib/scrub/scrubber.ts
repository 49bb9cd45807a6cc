import { maskCardNumbers } from './card-numbers.js'
import { REDACTED, SENSITIVE_COOKIE_NAME_SNIPPETS, SENSITIVE_KEY_SNIPPETS, SENSITIVE_KEY_WORDS } from './sensitive-keys.js'
import { maskTokens } from './tokens.js'

export interface ScrubOptions {
  /** extra key snippets added to the default denylist (same normalisation) */
  keys?: readonly string[]
  /** called for every string/number/boolean leaf after the built-in rules; its return value replaces the leaf; if it throws, the leaf becomes REDACTED (fail closed) */
  replace?: (value: unknown, path: readonly (string | number)[]) => unknown
}

export interface CopyLimits { maxDepth: number, maxArrayItems: number, maxStringLength: number }

export interface Scrubber {
  /** deep, scrubbed, bounded, circular-safe copy; never mutates input; never throws */
  value(input: unknown, limits?: Partial<CopyLimits>): unknown
  /** card numbers, bearer tokens and JWTs masked in free text */
  text(s: string): string
  /** a copy of a Node IncomingHttpHeaders-like object with secrets masked; cookies pair by pair, failing closed */
  headers(h: Readonly<Record<string, unknown>>): Record<string, unknown>
  /** a URL or path+query string: sensitive query values → REDACTED, the rest through text(); never throws */
  url(u: string): string
  isSensitiveKey(key: string): boolean
}

export const DEFAULT_COPY_LIMITS: Readonly<CopyLimits> = Object.freeze({ maxDepth: 6, maxArrayItems: 50, maxStringLength: 8192 })

/** Larger limits are clamped to these, so a copy stays bounded and its recursion shallow. */
export const COPY_LIMIT_CEILINGS: Readonly<CopyLimits> = Object.freeze({ maxDepth: 64, maxArrayItems: 10_000, maxStringLength: 1_048_576 })

// Strings up to this length are masked whole before being cut; longer ones only their first
// part, so the work stays bounded. The margin past the cut lets a card number or token that
// straddles it be recognised whole.
const TEXT_SCAN_CHARS = 1_048_576
const TEXT_SCAN_MARGIN = 4096

const URL_HEADERS = new Set(['referer', 'referrer', 'location', 'content-location'])
const UNREADABLE = Symbol('unreadable')
const NOT_A_LEAF = Symbol('not a leaf')

interface Walk {
  readonly limits: CopyLimits
  /** containers on the path from the root: met again, they are a cycle */
  readonly ancestors: Set<object>
  /** containers already copied elsewhere: met again, they are repeated, not re-copied */
  readonly seen: WeakSet<object>
  readonly path: (string | number)[]
}

function isAlphanumeric (c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

function isUpper (c: number): boolean {
  return c >= 65 && c <= 90
}

function isLowerOrDigit (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57)
}

/** Lowercased, without `-`, `_`, `.` and spaces. */
function normaliseKey (key: string): string {
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

function hasWord (key: string, words: ReadonlySet<string>, longest: number): boolean {
  let start = -1
  for (let i = 0; i <= key.length; i++) {
    const alphanumeric = i < key.length && isAlphanumeric(key.charCodeAt(i))
    if (start >= 0 && (!alphanumeric || startsWord(key, i))) {
      if (i - start <= longest && words.has(key.slice(start, i).toLowerCase())) return true
      start = -1
    }
    if (alphanumeric && start < 0) start = i
  }
  return false
}

/** Sets `key` even when it is `__proto__`, which plain assignment would turn into a prototype change. */
function setKey (target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

function read (source: object, key: string | number): unknown {
  try {
    return (source as Record<string | number, unknown>)[key]
  } catch {
    return UNREADABLE
  }
}

function cutBeforeSurrogateSplit (s: string, length: number): string {
  if (s.length <= length) return s
  const last = s.charCodeAt(length - 1)
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length)
}

function describeKey (key: unknown): string {
  try {
    return typeof key === 'symbol' ? '[Symbol]' : String(key)
  } catch {
    return '[Unreadable]'
  }
}

function resolveLimit (value: unknown, fallback: number, ceiling: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, ceiling) : fallback
}

function resolveLimits (limits: Partial<CopyLimits> | undefined): CopyLimits {
  if (limits === undefined || limits === null) return DEFAULT_COPY_LIMITS
  return {
    maxDepth: resolveLimit(limits.maxDepth, DEFAULT_COPY_LIMITS.maxDepth, COPY_LIMIT_CEILINGS.maxDepth),
    maxArrayItems: resolveLimit(limits.maxArrayItems, DEFAULT_COPY_LIMITS.maxArrayItems, COPY_LIMIT_CEILINGS.maxArrayItems),
    maxStringLength: resolveLimit(limits.maxStringLength, DEFAULT_COPY_LIMITS.maxStringLength, COPY_LIMIT_CEILINGS.maxStringLength),
  }
}

function compileSnippets (keys: readonly string[] | undefined): readonly string[] {
  if (keys === undefined) return SENSITIVE_KEY_SNIPPETS
  if (!Array.isArray(keys)) throw new TypeError('scrub.keys must be an array of strings')
  const extra = keys.map((key) => {
    const snippet = typeof key === 'string' ? normaliseKey(key) : ''
    // An empty snippet would be found in every key and redact everything.
    if (snippet === '') throw new TypeError(`scrub.keys entries must hold a letter or digit, got ${JSON.stringify(key)}`)
    return snippet
  })
  return [...new Set([...SENSITIVE_KEY_SNIPPETS, ...extra])]
}

/**
 * Compiles the scrubbing rules once: the default denylist plus `options.keys`, and the
 * optional `replace` hook. Key matching, documented in sensitive-keys.ts, is linear in the key.
 * Throws a TypeError for malformed options; the returned methods never throw.
 *
 * `value()` rules, in order:
 * - strings: text() then cut past `maxStringLength` with `…[truncated N chars]` (N counted on
 *   the input); integers of 13+ digits that mask as a card become the masked string; bigint →
 *   its decimal text; Date → ISO string; URL → url(href); Buffer and typed arrays →
 *   `[Buffer 12 bytes]` / `[Uint8Array 12 bytes]`; streams → `[Stream]`; functions →
 *   `[Function: name]`; symbols → `[Symbol]`.
 * - a key whose name is sensitive keeps the key, with the value `[REDACTED]` (whatever its
 *   type, unread). `replace` is never called on it: the denylist beats the hook.
 * - arrays and Sets: the first `maxArrayItems` items, then `'[… N more items]'`. Plain objects,
 *   class instances and Maps (keyed by `String(key)`): the first `maxArrayItems` own enumerable
 *   string keys, then the key `'…'` with `'[… N more keys]'`. Objects with `toJSON` are copied
 *   through it, one level deeper.
 * - Error → `{ type, message, stack, ...own enumerable props, cause }`.
 * - containers deeper than `maxDepth` → `'[Object]'` / `'[Array]'` (maxDepth 0 marks the root).
 * - a container met again on its own path → `'[Circular]'`; met again elsewhere →
 *   `'[Repeated]'`: each container is copied once, so the walk is linear in the input.
 * - a getter, a Proxy trap or a `toJSON` that throws → `'[Unreadable]'` for that key or object.
 * - `replace(value, path)` then sees each string, number and boolean leaf; a non-primitive
 *   return or a throw gives `[REDACTED]`.
 *
 * @example
 * const scrubber = buildScrubber({ keys: ['iban'] })
 * scrubber.value({ iban: 'FR76…', card: '4111 1111 1111 1111' }) // { iban: '[REDACTED]', card: '**** **** **** 1111' }
 */
export function buildScrubber (options: ScrubOptions = {}): Scrubber {
  const snippets = compileSnippets(options.keys)
  const words = new Set(SENSITIVE_KEY_WORDS)
  const longestWord = Math.max(...SENSITIVE_KEY_WORDS.map((w) => w.length))
  const replace = options.replace
  if (replace !== undefined && typeof replace !== 'function') throw new TypeError('scrub.replace must be a function')

  function isSensitiveKey (key: string): boolean {
    if (typeof key !== 'string') return false
    const normal = normaliseKey(key)
    for (const snippet of snippets) {
      if (normal.includes(snippet)) return true
    }
    return hasWord(key, words, longestWord)
  }

  function isSensitiveCookieName (name: string): boolean {
    if (isSensitiveKey(name)) return true
    const lower = name.toLowerCase()
    return SENSITIVE_COOKIE_NAME_SNIPPETS.some((snippet) => lower.includes(snippet))
  }

  function text (s: string): string {
    return typeof s === 'string' ? maskCardNumbers(maskTokens(s)) : REDACTED
  }

  function boundedText (s: string, max: number): string {
    if (s.length <= max) return text(s)
    const scanned = text(s.length <= TEXT_SCAN_CHARS ? s : s.slice(0, Math.max(TEXT_SCAN_CHARS, max + TEXT_SCAN_MARGIN)))
    return `${cutBeforeSurrogateSplit(scanned, max)}…[truncated ${s.length - max} chars]`
  }

  // ---- value() ----

  function leaf (value: unknown, walk: Walk): unknown {
    if (replace === undefined) return value
    try {
      const replaced = replace(value, walk.path.slice())
      const type = typeof replaced
      return replaced === null || type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined' ? replaced : REDACTED
    } catch {
      return REDACTED
    }
  }

  function copyNumber (n: number): number | string {
    if (!Number.isSafeInteger(n) || Math.abs(n) < 1e12) return n
    const digits = String(n)
    const masked = maskCardNumbers(digits)
    return masked === digits ? n : masked
  }

  function copyValue (value: unknown, depth: number, walk: Walk): unknown {
    switch (typeof value) {
      case 'string': return leaf(boundedText(value, walk.limits.maxStringLength), walk)
      case 'number': return leaf(copyNumber(value), walk)
      case 'boolean': return leaf(value, walk)
      case 'bigint': return leaf(text(value.toString()), walk)
      case 'undefined': return undefined
      case 'symbol': return '[Symbol]'
      case 'function': return describeFunction(value)
    }
    if (value === null) return null
    try {
      return copyObject(value as object, depth, walk)
    } catch {
      return '[Unreadable]'
    }
  }

  function describeFunction (fn: unknown): string {
    const name = read(fn as object, 'name')
    return typeof name === 'string' && name !== '' ? `[Function: ${text(name)}]` : '[Function]'
  }

  /** Objects that are copied as one string, whatever their depth. */
  function describeLeafObject (obj: object, walk: Walk): unknown {
    if (Buffer.isBuffer(obj)) return `[Buffer ${obj.length} bytes]`
    if (ArrayBuffer.isView(obj)) return `[${Object.prototype.toString.call(obj).slice(8, -1)} ${obj.byteLength} bytes]`
    if (obj instanceof ArrayBuffer || obj instanceof SharedArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`
    if (obj instanceof Date) return leaf(Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString(), walk)
    if (obj instanceof URL) return leaf(url(obj.href), walk)
    if (typeof read(obj, 'pipe') === 'function') return '[Stream]'
    return NOT_A_LEAF
  }

  function copyObject (obj: object, depth: number, walk: Walk): unknown {
    const described = describeLeafObject(obj, walk)
    if (described !== NOT_A_LEAF) return described
    if (walk.ancestors.has(obj)) return '[Circular]'
    if (walk.seen.has(obj)) return '[Repeated]'
    const isArray = Array.isArray(obj)
    if (depth >= walk.limits.maxDepth) return isArray ? '[Array]' : '[Object]'
    walk.seen.add(obj)
    walk.ancestors.add(obj)
    try {
      if (isArray) return copyItems(obj, obj.length, depth, walk)
      if (obj instanceof Set) return copyItems([...boundedIterate(obj.values(), walk.limits.maxArrayItems)], obj.size, depth, walk)
      if (obj instanceof Map) return copyMap(obj, depth, walk)
      if (obj instanceof Error) return copyError(obj, depth, walk)
      const toJSON = read(obj, 'toJSON')
      if (typeof toJSON === 'function') return copyValue(toJSON.call(obj), depth + 1, walk)
      return copyEntries(obj, Object.keys(obj), {}, depth, walk)
    } finally {
      walk.ancestors.delete(obj)
    }
  }

  function * boundedIterate<T> (iterator: Iterator<T>, max: number): Generator<T> {
    for (let i = 0; i < max; i++) {
      const next = iterator.next()
      if (next.done === true) return
      yield next.value
    }
  }

  function copyItems (items: ArrayLike<unknown>, total: number, depth: number, walk: Walk): unknown[] {
    const count = Math.min(total, walk.limits.maxArrayItems)
    const out: unknown[] = []
    for (let i = 0; i < count; i++) {
      walk.path.push(i)
      const item = read(items, i)
      out.push(item === UNREADABLE ? '[Unreadable]' : copyValue(item, depth + 1, walk))
      walk.path.pop()
    }
    if (total > count) out.push(`[… ${total - count} more items]`)
    return out
  }

  function copyMap (map: Map<unknown, unknown>, depth: number, walk: Walk): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [key, item] of boundedIterate(map.entries(), walk.limits.maxArrayItems)) {
      const name = describeKey(key)
      if (!redactedKey(out, name, walk)) copyKeyValue(out, name, item, depth, walk)
    }
    if (map.size > walk.limits.maxArrayItems) setKey(out, '…', `[… ${map.size - walk.limits.maxArrayItems} more keys]`)
    return out
  }

  function copyError (err: Error, depth: number, walk: Walk): Record<string, unknown> {
    const name = read(err, 'name')
    const message = read(err, 'message')
    const stack = read(err, 'stack')
    const out: Record<string, unknown> = { type: typeof name === 'string' ? text(name) : 'Error' }
    walk.path.push('message')
    out.message = message === UNREADABLE ? '[Unreadable]' : leaf(boundedText(describeKey(message ?? ''), walk.limits.maxStringLength), walk)
    walk.path.pop()
    if (typeof stack === 'string') out.stack = boundedText(stack, walk.limits.maxStringLength)
    const keys = Object.keys(err).filter((key) => key !== 'message' && key !== 'stack' && key !== 'type')
    // `cause` is an own but non-enumerable property when set through `new Error(msg, { cause })`.
    if (Object.prototype.hasOwnProperty.call(err, 'cause') && !keys.includes('cause')) keys.push('cause')
    return copyEntries(err, keys, out, depth, walk)
  }

  function copyEntries (source: object, keys: string[], out: Record<string, unknown>, depth: number, walk: Walk): Record<string, unknown> {
    const count = Math.min(keys.length, walk.limits.maxArrayItems)
    for (let i = 0; i < count; i++) {
      // A sensitive key's value is never read: its getter, if any, does not run.
      if (!redactedKey(out, keys[i], walk)) copyKeyValue(out, keys[i], read(source, keys[i]), depth, walk)
    }
    if (keys.length > count) setKey(out, '…', `[… ${keys.length - count} more keys]`)
    return out
  }

  /** Writes `[REDACTED]` under a sensitive key and says so. */
  function redactedKey (out: Record<string, unknown>, key: string, walk: Walk): boolean {
    if (!isSensitiveKey(key)) return false
    setKey(out, boundedText(key, walk.limits.maxStringLength), REDACTED)
    return true
  }

  function copyKeyValue (out: Record<string, unknown>, key: string, item: unknown, depth: number, walk: Walk): void {
    walk.path.push(key)
    setKey(out, boundedText(key, walk.limits.maxStringLength), item === UNREADABLE ? '[Unreadable]' : copyValue(item, depth + 1, walk))
    walk.path.pop()
  }

  function value (input: unknown, limits?: Partial<CopyLimits>): unknown {
    try {
      const walk: Walk = { limits: resolveLimits(limits), ancestors: new Set(), seen: new WeakSet(), path: [] }
      return copyValue(input, 0, walk)
    } catch {
      return '[Unreadable]'
    }
  }

  // ---- headers() ----

  function isCookieName (name: string): boolean {
    if (name === '') return false
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i)
      // RFC 6265 token: visible ASCII minus separators.
      if (c <= 32 || c >= 127 || '()<>@,;:\\"/[]?={}'.includes(name[i])) return false
    }
    return true
  }

  /** One `name=value` pair, or undefined when it cannot be parsed. */
  function scrubCookiePair (pair: string): string | undefined {
    const eq = pair.indexOf('=')
    if (eq < 0 || !isCookieName(pair.slice(0, eq).trim())) return undefined
    const head = pair.slice(0, eq + 1)
    return isSensitiveCookieName(pair.slice(0, eq).trim()) ? head + REDACTED : head + text(pair.slice(eq + 1))
  }

  function scrubCookieHeader (header: string): string {
    const pairs = header.split(';')
    for (let i = 0; i < pairs.length; i++) {
      if (pairs[i].trim() === '') continue
      const scrubbed = scrubCookiePair(pairs[i])
      if (scrubbed === undefined) return REDACTED
      pairs[i] = scrubbed
    }
    return pairs.join(';')
  }

  /** `name=value; Path=/; HttpOnly`: the pair is scrubbed, the attributes kept. */
  function scrubSetCookie (header: string): string {
    const semicolon = header.indexOf(';')
    const pair = scrubCookiePair(semicolon < 0 ? header : header.slice(0, semicolon))
    return pair === undefined ? REDACTED : pair + (semicolon < 0 ? '' : header.slice(semicolon))
  }

  function mapHeaderValue (value: unknown, scrubOne: (s: string) => string): unknown {
    if (typeof value === 'string') return scrubOne(value)
    if (typeof value === 'number') return value
    if (Array.isArray(value)) return value.map((one) => typeof one === 'string' ? scrubOne(one) : REDACTED)
    return REDACTED
  }

  function scrubHeader (name: string, value: unknown): unknown {
    if (value === undefined) return undefined
    if (name === 'cookie') return mapHeaderValue(value, scrubCookieHeader)
    if (name === 'set-cookie') return mapHeaderValue(value, scrubSetCookie)
    if (isSensitiveKey(name)) return REDACTED
    if (URL_HEADERS.has(name)) return mapHeaderValue(value, url)
    return mapHeaderValue(value, text)
  }

  function headers (h: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    let names: string[]
    try {
      names = Object.keys(h)
    } catch {
      return out
    }
    for (const name of names) {
      try {
        setKey(out, name, scrubHeader(name.toLowerCase(), h[name]))
      } catch {
        setKey(out, name, REDACTED)
      }
    }
    return out
  }

  // ---- url() ----

  /** Percent-decoded, `+` read as a space; the input itself when it is not valid encoding. */
  function decodeComponent (s: string): string {
    if (!s.includes('%') && !s.includes('+')) return s
    try {
      return decodeURIComponent(s.replaceAll('+', ' '))
    } catch {
      return s
    }
  }

  /**
   * text() on the value as written; when that finds nothing and the value is encoded, text()
   * on the decoded value too (`4111%201111…`), re-encoded only if something was masked.
   */
  function scrubQueryValue (raw: string): string {
    const masked = text(raw)
    if (masked !== raw) return masked
    const decoded = decodeComponent(raw)
    if (decoded === raw) return raw
    const maskedDecoded = text(decoded)
    if (maskedDecoded === decoded) return raw
    try {
      return encodeURIComponent(maskedDecoded).replaceAll('%5BREDACTED%5D', REDACTED)
    } catch {
      return REDACTED
    }
  }

  function scrubQuery (query: string): string {
    const pairs = query.split('&')
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]
      const eq = pair.indexOf('=')
      if (eq < 0) pairs[i] = scrubQueryValue(pair)
      else if (isSensitiveKey(decodeComponent(pair.slice(0, eq)))) pairs[i] = `${pair.slice(0, eq)}=${REDACTED}`
      else pairs[i] = `${scrubQueryValue(pair.slice(0, eq))}=${scrubQueryValue(pair.slice(eq + 1))}`
    }
    return pairs.join('&')
  }

  /** Scheme, authority and path: a password in `user:password@host` → REDACTED, then text(). */
  function scrubUrlHead (head: string): string {
    const scheme = head.indexOf('://')
    if (scheme >= 0) {
      const authorityStart = scheme + 3
      const slash = head.indexOf('/', authorityStart)
      const at = head.lastIndexOf('@', slash < 0 ? head.length : slash)
      const colon = head.indexOf(':', authorityStart)
      if (at >= authorityStart && colon >= 0 && colon < at) {
        head = head.slice(0, colon + 1) + REDACTED + head.slice(at)
      }
    }
    return text(head)
  }

  function url (u: string): string {
    if (typeof u !== 'string') return REDACTED
    try {
      const hash = u.indexOf('#')
      const question = u.indexOf('?')
      const hasQuery = question >= 0 && (hash < 0 || question < hash)
      let out = scrubUrlHead(u.slice(0, hasQuery ? question : hash >= 0 ? hash : u.length))
      if (hasQuery) out += '?' + scrubQuery(u.slice(question + 1, hash >= 0 ? hash : u.length))
      // Fragments are scrubbed like queries: OAuth implicit flow puts access_token there.
      if (hash >= 0) out += '#' + scrubQuery(u.slice(hash + 1))
      return out
    } catch {
      return REDACTED
    }
  }

  return { value, text, headers, url, isSensitiveKey }
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
