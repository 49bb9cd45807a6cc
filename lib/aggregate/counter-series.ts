import { LONG_WINDOWS, SHORT_WINDOWS, Series, type WindowRead } from './series.js'
import { LONG_BUCKET_MS, LONG_BUCKETS, SHORT_BUCKET_MS, SHORT_BUCKETS, coveredSeconds, longIndexOf, type WindowSpec } from './time-buckets.js'
import { CounterTotal } from './totals.js'
import type { CounterStats, Stats, WindowName } from './types.js'

/**
 * Bucket values added exactly whatever the order: integers below 2^46, of which 60 add up to less
 * than 2^53 (where doubles stop holding every integer).
 */
const EXACT = 2 ** 46

function exact (value: number): boolean {
  return Number.isInteger(value) && Math.abs(value) < EXACT
}

/**
 * What one window's closed buckets add up to, kept from one snapshot to the next, as timings
 * keep theirs (KeptWindow in timing-series.ts): the buckets of the ring in [from, to] that the
 * series still has. Their sum is only used while every one of them is an integer (`inexact` is
 * 0): a sum of those does not depend on the order of the additions, while one of fractions does,
 * in its last bits. Counters usually count whole things, so this is the usual case; otherwise the
 * window's buckets are added up afresh, in order.
 */
class KeptCounts {
  from = 0
  to = -1
  sum = 0
  buckets = 0
  /** Buckets kept whose value is not exact(). */
  inexact = 0

  forget (index: number, value: number): void {
    if (index >= this.from && index <= this.to) this.takeOut(value)
  }

  add (value: number): void {
    this.sum += value
    this.buckets++
    if (!exact(value)) this.inexact++
  }

  takeOut (value: number): void {
    this.sum -= value
    this.buckets--
    // Back to integers only: their sum is to be added up again, without the rounding the others left in it.
    if (!exact(value) && --this.inexact === 0) this.sum = NaN
  }

  empty (from: number): void {
    this.from = from
    this.to = from - 1
    this.sum = 0
    this.buckets = 0
    this.inexact = 0
  }
}

/** A counter: the sum of its increments per bucket (a decrement is a negative increment). */
export class CounterSeries extends Series<CounterTotal> {
  readonly kind = 'counter'
  readonly #short = new Float64Array(SHORT_BUCKETS)
  readonly #long = new Float64Array(LONG_BUCKETS)
  /** Per window of SHORT_WINDOWS, then of LONG_WINDOWS; null until the first read of the windows. */
  #kept: KeptCounts[] | null = null

  record (value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return
    this.#short[this.slotAt(this.clock.now())] += value
  }

  newTotal (): CounterTotal {
    return new CounterTotal()
  }

  /**
   * Each window is its buckets added up newest first: the open 10-s bucket (in a minute, what was
   * rolled up, then the open bucket), then the closed ones, whose sum is kept (KeptCounts).
   */
  windowStats ({ now, nowIndex, startedAt }: WindowRead): Record<WindowName, Stats | null> {
    const kept = this.#kept ??= [...SHORT_WINDOWS, ...LONG_WINDOWS].map(() => new KeptCounts())
    const windows = {} as Record<WindowName, Stats | null>
    const open = this.shortSlotOf(nowIndex)
    for (let w = 0; w < SHORT_WINDOWS.length; w++) {
      const spec = SHORT_WINDOWS[w]
      const seconds = coveredSeconds((nowIndex - spec.buckets + 1) * SHORT_BUCKET_MS, Infinity, now, startedAt)
      windows[spec.name] = this.#stats(kept[w], spec, false, nowIndex, -1, open, seconds)
    }
    const minute = longIndexOf(nowIndex)
    const current = this.longSlotOf(minute)
    for (let w = 0; w < LONG_WINDOWS.length; w++) {
      const spec = LONG_WINDOWS[w]
      const seconds = coveredSeconds((minute - spec.buckets + 1) * LONG_BUCKET_MS, Infinity, now, startedAt)
      windows[spec.name] = this.#stats(kept[SHORT_WINDOWS.length + w], spec, true, minute, current, open, seconds)
    }
    return windows
  }

  override clear (): void {
    this.#kept = null
    super.clear()
  }

  protected clearShort (slot: number): void {
    if (this.#kept !== null) {
      for (let w = 0; w < SHORT_WINDOWS.length; w++) this.#kept[w].forget(this.shortIndexAt(slot), this.#short[slot])
    }
    this.#short[slot] = 0
  }

  protected clearLong (slot: number): void {
    if (this.#kept !== null) {
      for (let w = 0; w < LONG_WINDOWS.length; w++) this.#kept[SHORT_WINDOWS.length + w].forget(this.longIndexAt(slot), this.#long[slot])
    }
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

  /**
   * One window: the current minute's slot `minuteSlot` (long windows; -1 if none), the open 10-s
   * bucket's slot `openSlot` (-1 if none), then the closed buckets of the ring before `current`.
   */
  #stats (kept: KeptCounts, spec: WindowSpec, long: boolean, current: number, minuteSlot: number, openSlot: number, seconds: number): CounterStats | null {
    const from = current - spec.buckets + 1
    const to = current - 1
    this.#bringUpToDate(kept, from, to, long)
    const minuteValue = minuteSlot === -1 ? 0 : this.#long[minuteSlot]
    const openValue = openSlot === -1 ? 0 : this.#short[openSlot]
    if (kept.inexact === 0 && exact(minuteValue) && exact(openValue)) {
      const buckets = kept.buckets + (minuteSlot === -1 ? 0 : 1) + (openSlot === -1 ? 0 : 1)
      const count = minuteValue + openValue + kept.sum
      return buckets === 0 ? null : { count, ratePerSecond: count / seconds }
    }
    const total = new CounterTotal()
    if (minuteSlot !== -1) total.add(minuteValue)
    if (openSlot !== -1) total.add(openValue)
    const values = long ? this.#long : this.#short
    for (let index = to; index >= from; index--) {
      const slot = long ? this.longSlotOf(index) : this.shortSlotOf(index)
      if (slot !== -1) total.add(values[slot])
    }
    return total.stats(seconds)
  }

  /** Moves `kept` to the closed buckets [from, to]. */
  #bringUpToDate (kept: KeptCounts, from: number, to: number, long: boolean): void {
    const values = long ? this.#long : this.#short
    if (from > kept.to) {
      kept.empty(from)
    } else {
      for (let index = kept.from; index < from; index++) {
        const slot = long ? this.longSlotOf(index) : this.shortSlotOf(index)
        if (slot !== -1) kept.takeOut(values[slot])
      }
      kept.from = from
    }
    for (let index = kept.to + 1; index <= to; index++) {
      const slot = long ? this.longSlotOf(index) : this.shortSlotOf(index)
      if (slot !== -1) kept.add(values[slot])
    }
    kept.to = to
    // A sum that buckets now gone left inexact (see takeOut()): added up again from those kept.
    if (Number.isNaN(kept.sum)) {
      kept.sum = 0
      for (let index = from; index <= to; index++) {
        const slot = long ? this.longSlotOf(index) : this.shortSlotOf(index)
        if (slot !== -1) kept.sum += values[slot]
      }
    }
  }
}
