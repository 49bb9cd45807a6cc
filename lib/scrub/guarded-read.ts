// Reading objects vigie does not own (getters, Proxies, iterators) without ever throwing or
// running unbounded.

/** What read() returns when the read throws. */
export const UNREADABLE = Symbol('unreadable')

export function read (source: object, key: string | number): unknown {
  try {
    return (source as Record<string | number, unknown>)[key]
  } catch {
    return UNREADABLE
  }
}

/** A Map key or message as a string: `[Symbol]` for symbols, `[Unreadable]` when String() throws. */
export function describeKey (key: unknown): string {
  try {
    return typeof key === 'symbol' ? '[Symbol]' : String(key)
  } catch {
    return '[Unreadable]'
  }
}

/** At most `max` items of `iterator`. */
export function * boundedIterate<T> (iterator: Iterator<T>, max: number): Generator<T> {
  for (let i = 0; i < max; i++) {
    const next = iterator.next()
    if (next.done === true) return
    yield next.value
  }
}
