import { LONG_WINDOWS, SHORT_WINDOWS, Series, type SeriesOwner, type WindowRead } from './series.ts'
import { LONG_BUCKET_MS, LONG_BUCKETS, SHORT_BUCKET_MS, SHORT_BUCKETS, coveredSeconds, longIndexOf, type MonotonicClock } from './time-buckets.ts'
import type { SeriesDelta } from './series-delta.ts'
import { CounterTotal } from './totals.ts'
import type { Stats, WindowName } from './types.ts'

const NO_COUNTS = new Float64Array(0)

/** A counter: the sum of its increments per bucket (a decrement is a negative increment). */
export class CounterSeries extends Series<CounterTotal> {
  readonly kind = 'counter'
  #short: Float64Array
  #long: Float64Array

  constructor (name: string, tags: readonly string[], key: string, clock: MonotonicClock, owner: SeriesOwner, donor: CounterSeries | null) {
    super(name, tags, key, clock, owner, donor)
    this.#short = donor === null ? new Float64Array(SHORT_BUCKETS) : donor.#short
    this.#long = donor === null ? new Float64Array(LONG_BUCKETS) : donor.#long
  }

  recordAt (value: number, time: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return
    const slot = this.slotFor(value, time)
    if (slot !== -1) this.#short[slot] += value
  }

  mergeAt (delta: SeriesDelta, time: number): void {
    if (delta.kind !== 'counter' || !Number.isFinite(delta.sum)) return
    const slot = this.mergeSlot(time)
    if (slot !== -1) this.#short[slot] += delta.sum
  }

  newTotal (): CounterTotal {
    return new CounterTotal()
  }

  windowStats ({ now, nowIndex, startedAt }: WindowRead): Record<WindowName, Stats | null> {
    const windows = {} as Record<WindowName, Stats | null>
    let total = new CounterTotal()
    let added = 0
    for (const spec of SHORT_WINDOWS) {
      for (; added < spec.buckets; added++) {
        const slot = this.shortSlotOf(nowIndex - added)
        if (slot !== -1) total.add(this.#short[slot])
      }
      windows[spec.name] = total.stats(coveredSeconds((nowIndex - spec.buckets + 1) * SHORT_BUCKET_MS, Infinity, now, startedAt))
    }
    const minute = longIndexOf(nowIndex)
    const open = this.shortSlotOf(nowIndex)
    total = new CounterTotal()
    added = 0
    for (const spec of LONG_WINDOWS) {
      for (; added < spec.buckets; added++) {
        const slot = this.longSlotOf(minute - added)
        if (slot !== -1) total.add(this.#long[slot])
        if (added === 0 && open !== -1) total.add(this.#short[open])
      }
      windows[spec.name] = total.stats(coveredSeconds((minute - spec.buckets + 1) * LONG_BUCKET_MS, Infinity, now, startedAt))
    }
    return windows
  }

  protected clearShort (slot: number): void {
    this.#short[slot] = 0
  }

  protected clearLong (slot: number): void {
    this.#long[slot] = 0
  }

  protected rollUp (shortSlot: number, longSlot: number): void {
    this.#long[longSlot] += this.#short[shortSlot]
  }

  protected addShort (total: CounterTotal, slot: number): void {
    total.add(this.#short[slot])
  }

  protected addLong (total: CounterTotal, slot: number): void {
    total.add(this.#long[slot])
  }

  protected dropBuckets (): void {
    this.#short = this.#long = NO_COUNTS
  }
}
