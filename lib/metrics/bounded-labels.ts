/**
 * Keeps the number of distinct values of one tag bounded over time: at most `max` values hold a
 * place, and a new value that finds every place taken becomes `overflowLabel`. Time goes by in
 * intervals (the owner calls nextInterval()); a value labeled in neither the current interval nor
 * the one before gives its place up, so at most `max` distinct values pass in any two intervals
 * in a row, and after a flood of values has stopped, new ones pass again within two intervals.
 * Places are swept when a new value finds them all taken, at most once per interval.
 *
 * A value is seen only when label() gives it. Whoever caches what label() gave must drop that
 * cache at each interval, or a value it keeps using would look unused (RequestMetrics does).
 *
 * `onOverflow` runs once, the first time a value overflows, and `overflowCount` says how many
 * times one has since.
 */
export class BoundedLabels {
  /** Each value holding a place, and the interval it was last labeled in. */
  readonly #seenIn = new Map<string, number>()
  readonly #max: number
  readonly #overflowLabel: string
  readonly #onOverflow: (label: string) => void
  #interval = 0
  #sweptIn = -1
  overflowCount = 0

  constructor (max: number, overflowLabel: string, onOverflow: (label: string) => void) {
    this.#max = max
    this.#overflowLabel = overflowLabel
    this.#onOverflow = onOverflow
  }

  label (value: string): string {
    const seenIn = this.#seenIn.get(value)
    if (seenIn !== undefined) {
      if (seenIn !== this.#interval) this.#seenIn.set(value, this.#interval)
      return value
    }
    if (this.#seenIn.size >= this.#max && this.#sweptIn !== this.#interval) this.#sweep()
    if (this.#seenIn.size < this.#max) {
      this.#seenIn.set(value, this.#interval)
      return value
    }
    if (this.overflowCount++ === 0) this.#onOverflow(value)
    return this.#overflowLabel
  }

  /** A new interval begins. */
  nextInterval (): void {
    this.#interval++
  }

  /** Frees the places of the values not labeled in this interval or the one before. */
  #sweep (): void {
    this.#sweptIn = this.#interval
    for (const [value, seenIn] of this.#seenIn) {
      if (seenIn < this.#interval - 1) this.#seenIn.delete(value)
    }
  }
}
