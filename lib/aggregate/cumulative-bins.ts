import type { Sketch } from './sketch.ts'

const NO_COUNTS = new Float64Array(0)
// The key range of empty bins, as in a sketch: integers, not ±Infinity.
const EMPTY_MIN = 2 ** 30
const EMPTY_MAX = -(2 ** 30)
/** Keys of room left on each side when the array grows: a range drifting a little does not reallocate. */
const SLACK = 16
/** addAll()'s scratch: the bins being added, key by key; zeros between calls. */
let added = new Float64Array(256)
/** Past this span, addAll() adds the sketches one by one rather than grow its scratch further. */
const ADDED_MAX = 4096

/**
 * The bins of several sketches, summed key by key, and kept as cumulative counts: at(key) is how
 * many values lie in the bins up to `key`. What one sketch merging them all would hold, every bin
 * kept (none collapsed), read by binary search rather than by a walk over the bins.
 *
 * Bin counts are integers, so a sketch added can be subtracted again exactly: that is what lets a
 * window drop its oldest bucket without being rebuilt. `[minKey, maxKey]` is kept tight: the
 * lowest and the highest key whose bin is not empty.
 */
export class CumulativeBins {
  /** Most keys the bins may span; a sketch that would stretch them further is refused. */
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

  /** Adds the sketch's bins; false, and nothing added, if they would then span more than maxSpan keys. */
  add (sketch: Sketch): boolean {
    const binned = inBins(sketch)
    if (binned === 0) return true
    const minKey = Math.min(this.minKey, sketch.minKey)
    const maxKey = Math.max(this.maxKey, sketch.maxKey)
    if (maxKey - minKey + 1 > this.maxSpan) return false
    this.#cover(minKey, maxKey)
    this.#addCumulated(sketch, 1)
    this.count += binned
    return true
  }

  /**
   * Adds the bins of every sketch, in one pass over the cumulative counts (adding them one by one
   * would pass over them once each); false, and nothing added, if they would then span more than
   * maxSpan keys.
   */
  addAll (sketches: readonly Sketch[]): boolean {
    let minKey = this.minKey
    let maxKey = this.maxKey
    let count = 0
    for (const sketch of sketches) {
      const binned = inBins(sketch)
      if (binned === 0) continue
      minKey = Math.min(minKey, sketch.minKey)
      maxKey = Math.max(maxKey, sketch.maxKey)
      count += binned
    }
    if (count === 0) return true
    if (maxKey - minKey + 1 > this.maxSpan) return false
    if (maxKey - minKey + 1 > ADDED_MAX) {
      for (const sketch of sketches) this.add(sketch)
      return true
    }
    this.#cover(minKey, maxKey)
    // The sketches' bins, summed key by key from minKey, then cumulated into the counts.
    if (added.length < maxKey - minKey + 1) added = new Float64Array(maxKey - minKey + 1 + 2 * SLACK)
    for (const sketch of sketches) {
      if (inBins(sketch) === 0) continue
      const bins = sketch.bins
      const shift = sketch.offset - minKey
      for (let at = sketch.minKey - sketch.offset, last = sketch.maxKey - sketch.offset; at <= last; at++) added[at + shift] += bins[at]
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

  /** Takes out the bins of a sketch added before (and not changed since). */
  subtract (sketch: Sketch): void {
    const binned = inBins(sketch)
    if (binned === 0) return
    this.#addCumulated(sketch, -1)
    this.count -= binned
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

  /** Empties the bins and adds one sketch's. */
  load (sketch: Sketch): void {
    this.clear()
    this.add(sketch)
  }

  /** Adds `sign` × the sketch's bins to every cumulative count from its lowest key up to maxKey. */
  #addCumulated (sketch: Sketch, sign: 1 | -1): void {
    const counts = this.#counts
    const bins = sketch.bins
    const end = this.maxKey - this.#offset
    let running = 0
    let at = sketch.minKey - this.#offset
    for (let from = sketch.minKey - sketch.offset, last = sketch.maxKey - sketch.offset; from <= last; from++, at++) {
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

/** How many values the sketch holds in its bins. */
function inBins (sketch: Sketch): number {
  return sketch.count - sketch.zeroCount
}
