/**
 * Keeps the number of distinct values of one tag bounded: the first `max` values pass, later new
 * ones become `overflowLabel`. `onOverflow` runs once, the first time that happens, and
 * `overflowCount` says how many times it has since.
 */
export class BoundedLabels {
  readonly #seen = new Set<string>()
  readonly #max: number
  readonly #overflowLabel: string
  readonly #onOverflow: (label: string) => void
  overflowCount = 0

  constructor (max: number, overflowLabel: string, onOverflow: (label: string) => void) {
    this.#max = max
    this.#overflowLabel = overflowLabel
    this.#onOverflow = onOverflow
  }

  label (value: string): string {
    if (this.#seen.has(value)) return value
    if (this.#seen.size < this.#max) {
      this.#seen.add(value)
      return value
    }
    if (this.overflowCount++ === 0) this.#onOverflow(value)
    return this.#overflowLabel
  }
}
