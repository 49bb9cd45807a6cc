import type { Sketch } from './sketch.js'

export type Store = Sketch['store']

const NO_COUNTS = new Float64Array(0)
// The key range of empty bins. Keys are small integers (about ±18 000 cover every double): with
// integer bounds rather than ±Infinity, the engine keeps the arithmetic on keys in integers.
const EMPTY_MIN = 2 ** 30
const EMPTY_MAX = -(2 ** 30)
/** Keys of room left on each side when the array grows: a range drifting a little does not reallocate. */
const SLACK = 16
/** addAll()'s scratch: the bins being added, key by key; zeros between calls. */
let added = new Float64Array(256)
/** Past this span, addAll() adds the stores one by one rather than grow its scratch further. */
const ADDED_MAX = 4096

/**
 * The bins of several sketches' stores, summed key by key, and kept as cumulative counts: at(key)
 * is how many values lie in the bins up to `key`. What one store merging them all would hold,
 * every bin kept, read the way DenseStore.keyAtRank() reads it, but by binary search rather than
 * by a walk over the bins.
 *
 * Bin counts are integers, so a store added can be subtracted again exactly: that is what lets a
 * window drop its oldest bucket without being rebuilt. `[minKey, maxKey]` is kept tight: the
 * lowest and the highest key whose bin is not empty.
 */
export class CumulativeBins {
  /** Most keys the bins may span; a store that would stretch them further is refused. */
  readonly maxSpan: number
  /** EMPTY_MIN when empty. */
  minKey = EMPTY_MIN
  /** EMPTY_MAX when empty. */
  maxKey = EMPTY_MAX
  /** How many values the bins hold. */
  count = 0
  /** The cumulative count of key k is `#counts[k - #offset]`, for k within [minKey, maxKey]. */
  #counts = NO_COUNTS
  #offset = 0

  constructor (maxSpan = Infinity) {
    this.maxSpan = maxSpan
  }

  /** How many values lie in the bins of keys up to `key`. */
  at (key: number): number {
    if (key < this.minKey) return 0
    if (key >= this.maxKey) return this.count
    return this.#counts[key - this.#offset]
  }

  /** Adds the store's bins; false, and nothing added, if they would then span more than maxSpan keys. */
  add (store: Store): boolean {
    if (store.count === 0) return true
    const minKey = Math.min(this.minKey, store.minKey | 0)
    const maxKey = Math.max(this.maxKey, store.maxKey | 0)
    if (maxKey - minKey + 1 > this.maxSpan) return false
    this.#cover(minKey, maxKey)
    this.#addCumulated(store, 1)
    this.count += store.count
    return true
  }

  /**
   * Adds the bins of every store, in one pass over the cumulative counts (adding them one by one
   * would pass over them once each); false, and nothing added, if they would then span more than
   * maxSpan keys.
   */
  addAll (stores: readonly Store[]): boolean {
    let minKey = this.minKey
    let maxKey = this.maxKey
    let count = 0
    for (const store of stores) {
      if (store.count === 0) continue
      minKey = Math.min(minKey, store.minKey | 0)
      maxKey = Math.max(maxKey, store.maxKey | 0)
      count += store.count
    }
    if (count === 0) return true
    if (maxKey - minKey + 1 > this.maxSpan) return false
    if (maxKey - minKey + 1 > ADDED_MAX) {
      for (const store of stores) this.add(store)
      return true
    }
    this.#cover(minKey, maxKey)
    // The stores' bins, summed key by key from minKey, then cumulated into the counts.
    if (added.length < maxKey - minKey + 1) added = new Float64Array(maxKey - minKey + 1 + 2 * SLACK)
    for (const store of stores) {
      if (store.count === 0) continue
      const { first, last } = binRange(store)
      const bins = store.bins
      const shift = (store.offset | 0) - minKey
      for (let at = first; at <= last; at++) added[at + shift] += bins[at]
    }
    const counts = this.#counts
    let running = 0
    for (let key = minKey, at = minKey - this.#offset; key <= maxKey; key++, at++) {
      running += added[key - minKey]
      counts[at] += running
    }
    added.fill(0, 0, maxKey - minKey + 1)
    this.count += count
    return true
  }

  /** Takes out the bins of a store added before (and not changed since). */
  subtract (store: Store): void {
    if (store.count === 0) return
    this.#addCumulated(store, -1)
    this.count -= store.count
    if (this.count === 0) {
      this.clear()
      return
    }
    const counts = this.#counts
    while (counts[this.minKey - this.#offset] === 0) this.minKey++
    while (this.maxKey > this.minKey && counts[this.maxKey - 1 - this.#offset] === this.count) this.maxKey--
  }

  /** Empties the bins; the array is kept for the next use, unless longer than `keepAtMost`. */
  clear (keepAtMost = Infinity): void {
    if (this.#counts.length > keepAtMost) this.#counts = NO_COUNTS
    this.minKey = EMPTY_MIN
    this.maxKey = EMPTY_MAX
    this.count = 0
  }

  /** Empties the bins and adds one store's. */
  load (store: Store): void {
    this.clear()
    this.add(store)
  }

  /** Adds `sign` × the store's bins to every cumulative count from its lowest key up to maxKey. */
  #addCumulated (store: Store, sign: 1 | -1): void {
    const counts = this.#counts
    const bins = store.bins
    const { first, last } = binRange(store)
    const end = this.maxKey - this.#offset
    let running = 0
    let at = (store.minKey | 0) - this.#offset
    for (let from = first; from <= last; from++, at++) {
      running += sign * bins[from]
      counts[at] += running
    }
    for (; at <= end; at++) counts[at] += running
  }

  /** Makes [minKey, maxKey] the range kept: keys below the old range count 0, keys above it all. */
  #cover (minKey: number, maxKey: number): void {
    if (minKey < this.#offset || maxKey >= this.#offset + this.#counts.length) {
      const offset = minKey - SLACK
      const counts = new Float64Array(maxKey - minKey + 1 + 2 * SLACK)
      if (this.count > 0) counts.set(this.#counts.subarray(this.minKey - this.#offset, this.maxKey - this.#offset + 1), this.minKey - offset)
      this.#counts = counts
      this.#offset = offset
    }
    const counts = this.#counts
    if (this.count === 0) {
      counts.fill(0, minKey - this.#offset, maxKey - this.#offset + 1)
    } else {
      counts.fill(0, minKey - this.#offset, this.minKey - this.#offset)
      counts.fill(this.count, this.maxKey + 1 - this.#offset, maxKey - this.#offset + 1)
    }
    this.minKey = minKey
    this.maxKey = maxKey
  }
}

/**
 * The indices in `store.bins` of its lowest and highest key, as integers: a store's key fields
 * start at ±Infinity, so the engine holds them as doubles, and loops indexed by them would be too.
 * The store must not be empty.
 */
function binRange (store: Store): { first: number, last: number } {
  const offset = store.offset | 0
  return { first: (store.minKey | 0) - offset, last: (store.maxKey | 0) - offset }
}
