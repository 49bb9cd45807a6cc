// The deep copy behind Scrubber.value(): scrubbed by key and by value, bounded in depth,
// breadth, string length and total keys, safe on cycles, getters and Proxies. Never mutates,
// never throws.

import { maskCardNumbers } from './card-numbers.ts'
import { resolveLimits, type CopyLimits } from './copy-limits.ts'
import { boundedText, scrubText } from './free-text.ts'
import { UNREADABLE, boundedIterate, describeKey, read } from './guarded-read.ts'
import type { KeyMatcher } from './key-matcher.ts'
import { REDACTED } from './sensitive-keys.ts'
import { setKey } from './set-key.ts'
import { scrubUrl } from './url.ts'

export interface CopyRules {
  readonly matcher: KeyMatcher
  /** ScrubOptions.replace, already checked to be a function */
  readonly replace: ((value: unknown, path: readonly (string | number)[]) => unknown) | undefined
}

export type ScrubbedCopy = (input: unknown, limits?: Partial<CopyLimits>) => unknown

const NOT_A_LEAF = Symbol('not a leaf')

interface Walk {
  readonly limits: Readonly<CopyLimits>
  /** containers on the path from the root: met again, they are a cycle */
  readonly ancestors: Set<object>
  /** containers already copied elsewhere: met again, they are repeated, not re-copied */
  readonly seen: WeakSet<object>
  readonly path: (string | number)[]
  /** what is left of `maxTotalKeys`: keys and items are taken from it before they are copied */
  keysLeft: number
}

/**
 * Compiles a copy function for `rules`. Its rules, in order:
 * - strings: scrubText() then cut past `maxStringLength` with `…[truncated N chars]` (N counted
 *   on the input); integers of 13+ digits that mask as a card become the masked string; bigint →
 *   its decimal text; Date → ISO string; URL → scrubUrl(href); Buffer and typed arrays →
 *   `[Buffer 12 bytes]` / `[Uint8Array 12 bytes]`; streams → `[Stream]`; functions →
 *   `[Function: name]`; symbols → `[Symbol]`.
 * - a key whose name is sensitive keeps the key, with the value `[REDACTED]` (whatever its
 *   type, unread). `replace` is never called on it: the denylist beats the hook.
 * - arrays and Sets: the first `maxArrayItems` items, then `'[… N more items]'`. Plain objects,
 *   class instances and Maps (keyed by `String(key)`): the first `maxArrayItems` own enumerable
 *   string keys, then the key `'…'` with `'[… N more keys]'`. Objects with `toJSON` are copied
 *   through it, one level deeper.
 * - Error → `{ type, message, stack, ...own enumerable props, cause }`.
 * - at most `maxTotalKeys` keys and items in the whole copy. A container takes the keys it
 *   keeps from that budget before copying their values, so the subtree of its first key cannot
 *   crowd out its other keys; keys it cannot take are counted in the marker above. Once the
 *   budget is spent, a container met becomes `'[Object]'` / `'[Array]'` unread, so at most
 *   `maxTotalKeys + 1` objects are enumerated. V8 still lists every own key of each of those
 *   before the copy reads the first (Object.keys, for-in and Reflect.ownKeys alike): a cost per
 *   key that no enumeration avoids, measured by bench/key-enumeration.mjs.
 * - containers deeper than `maxDepth` → `'[Object]'` / `'[Array]'` (maxDepth 0 marks the root).
 * - a container met again on its own path → `'[Circular]'`; met again elsewhere →
 *   `'[Repeated]'`: each container is copied once, so the walk is linear in the input.
 * - a getter, a Proxy trap or a `toJSON` that throws → `'[Unreadable]'` for that key or object.
 * - `replace(value, path)` then sees each string, number and boolean leaf; a non-primitive
 *   return or a throw gives `[REDACTED]`.
 */
export function buildScrubbedCopy ({ matcher, replace }: CopyRules): ScrubbedCopy {
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
      case 'bigint': return leaf(scrubText(value.toString()), walk)
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
    return typeof name === 'string' && name !== '' ? `[Function: ${scrubText(name)}]` : '[Function]'
  }

  /** Objects that are copied as one string, whatever their depth. */
  function describeLeafObject (obj: object, walk: Walk): unknown {
    if (Buffer.isBuffer(obj)) return `[Buffer ${obj.length} bytes]`
    if (ArrayBuffer.isView(obj)) return `[${Object.prototype.toString.call(obj).slice(8, -1)} ${obj.byteLength} bytes]`
    if (obj instanceof ArrayBuffer || obj instanceof SharedArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`
    if (obj instanceof Date) return leaf(Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString(), walk)
    if (obj instanceof URL) return leaf(scrubUrl(obj.href, matcher), walk)
    if (typeof read(obj, 'pipe') === 'function') return '[Stream]'
    return NOT_A_LEAF
  }

  function copyObject (obj: object, depth: number, walk: Walk): unknown {
    const described = describeLeafObject(obj, walk)
    if (described !== NOT_A_LEAF) return described
    if (walk.ancestors.has(obj)) return '[Circular]'
    if (walk.seen.has(obj)) return '[Repeated]'
    const isArray = Array.isArray(obj)
    if (depth >= walk.limits.maxDepth || walk.keysLeft === 0) return isArray ? '[Array]' : '[Object]'
    walk.seen.add(obj)
    walk.ancestors.add(obj)
    try {
      if (isArray) return copyItems(obj, obj.length, depth, walk)
      if (obj instanceof Set) return copyItems([...boundedIterate(obj.values(), keptCount(obj.size, walk))], obj.size, depth, walk)
      if (obj instanceof Map) return copyMap(obj, depth, walk)
      if (obj instanceof Error) return copyError(obj, depth, walk)
      const toJSON = read(obj, 'toJSON')
      if (typeof toJSON === 'function') return copyValue(toJSON.call(obj), depth + 1, walk)
      return copyEntries(obj, Object.keys(obj), {}, depth, walk)
    } finally {
      walk.ancestors.delete(obj)
    }
  }

  /** How many of a container's `total` keys or items are kept: per container, then from the budget. */
  function keptCount (total: number, walk: Walk): number {
    return Math.min(total, walk.limits.maxArrayItems, walk.keysLeft)
  }

  function takeKeys (total: number, walk: Walk): number {
    const count = keptCount(total, walk)
    walk.keysLeft -= count
    return count
  }

  function copyItems (items: ArrayLike<unknown>, total: number, depth: number, walk: Walk): unknown[] {
    const count = takeKeys(total, walk)
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
    const count = takeKeys(map.size, walk)
    for (const [key, item] of boundedIterate(map.entries(), count)) {
      const name = describeKey(key)
      if (!redactedKey(out, name, walk)) copyKeyValue(out, name, item, depth, walk)
    }
    if (map.size > count) setKey(out, '…', `[… ${map.size - count} more keys]`)
    return out
  }

  function copyError (err: Error, depth: number, walk: Walk): Record<string, unknown> {
    const name = read(err, 'name')
    const message = read(err, 'message')
    const stack = read(err, 'stack')
    const out: Record<string, unknown> = { type: typeof name === 'string' ? scrubText(name) : 'Error' }
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
    const count = takeKeys(keys.length, walk)
    for (let i = 0; i < count; i++) {
      // A sensitive key's value is never read: its getter, if any, does not run.
      if (!redactedKey(out, keys[i], walk)) copyKeyValue(out, keys[i], read(source, keys[i]), depth, walk)
    }
    if (keys.length > count) setKey(out, '…', `[… ${keys.length - count} more keys]`)
    return out
  }

  /** Writes `[REDACTED]` under a sensitive key and says so. */
  function redactedKey (out: Record<string, unknown>, key: string, walk: Walk): boolean {
    if (!matcher.isSensitiveKey(key)) return false
    setKey(out, boundedText(key, walk.limits.maxStringLength), REDACTED)
    return true
  }

  function copyKeyValue (out: Record<string, unknown>, key: string, item: unknown, depth: number, walk: Walk): void {
    walk.path.push(key)
    setKey(out, boundedText(key, walk.limits.maxStringLength), item === UNREADABLE ? '[Unreadable]' : copyValue(item, depth + 1, walk))
    walk.path.pop()
  }

  return function scrubbedCopy (input: unknown, limits?: Partial<CopyLimits>): unknown {
    try {
      const resolved = resolveLimits(limits)
      const walk: Walk = { limits: resolved, ancestors: new Set(), seen: new WeakSet(), path: [], keysLeft: resolved.maxTotalKeys }
      return copyValue(input, 0, walk)
    } catch {
      return '[Unreadable]'
    }
  }
}
