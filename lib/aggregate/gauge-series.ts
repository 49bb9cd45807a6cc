import { LONG_WINDOWS, SHORT_WINDOWS, Series, type SeriesOwner, type WindowRead } from './series.ts'
import { LONG_BUCKETS, SHORT_BUCKETS, longIndexOf, type MonotonicClock } from './time-buckets.ts'
import type { SeriesDelta } from './series-delta.ts'
import { GaugeTotal } from './totals.ts'
import type { Stats, WindowName } from './types.ts'

// Per slot, in one Float64Array: the latest sample and when it came, min, max, sum, samples.
const LAST = 0
const LAST_AT = 1
const MIN = 2
const MAX = 3
const SUM = 4
const SAMPLES = 5
const FIELDS = 6
const NO_SAMPLES = new Float64Array(0)

/** Gauges: per bucket, the latest sample, the extremes, the sum and the number of samples. */
export class GaugeSeries extends Series<GaugeTotal> {
  readonly kind = 'gauge'
  #short: Float64Array
  #long: Float64Array

  constructor (name: string, tags: readonly string[], key: string, clock: MonotonicClock, owner: SeriesOwner, donor: GaugeSeries | null) {
    super(name, tags, key, clock, owner, donor)
    this.#short = donor === null ? new Float64Array(SHORT_BUCKETS * FIELDS) : donor.#short
    this.#long = donor === null ? new Float64Array(LONG_BUCKETS * FIELDS) : donor.#long
  }

  recordAt (value: number, time: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return
    const slot = this.slotFor(value, time)
    if (slot === -1) return
    const at = slot * FIELDS
    const short = this.#short
    short[at + LAST] = value
    short[at + LAST_AT] = time
    if (value < short[at + MIN]) short[at + MIN] = value
    if (value > short[at + MAX]) short[at + MAX] = value
    short[at + SUM] += value
    short[at + SAMPLES]++
  }

  mergeAt (delta: SeriesDelta, time: number): void {
    if (delta.kind !== 'gauge' || !(delta.samples > 0) || ![delta.last, delta.min, delta.max, delta.sum].every(Number.isFinite)) return
    const slot = this.mergeSlot(time)
    if (slot === -1) return
    const at = slot * FIELDS
    const short = this.#short
    short[at + LAST] = delta.last
    short[at + LAST_AT] = time
    if (delta.min < short[at + MIN]) short[at + MIN] = delta.min
    if (delta.max > short[at + MAX]) short[at + MAX] = delta.max
    short[at + SUM] += delta.sum
    short[at + SAMPLES] += delta.samples
  }

  newTotal (): GaugeTotal {
    return new GaugeTotal()
  }

  windowStats ({ nowIndex }: WindowRead): Record<WindowName, Stats | null> {
    const windows = {} as Record<WindowName, Stats | null>
    let total = new GaugeTotal()
    let added = 0
    for (const spec of SHORT_WINDOWS) {
      for (; added < spec.buckets; added++) {
        const slot = this.shortSlotOf(nowIndex - added)
        if (slot !== -1) addSlot(total, this.#short, slot * FIELDS)
      }
      windows[spec.name] = total.stats()
    }
    const minute = longIndexOf(nowIndex)
    const open = this.shortSlotOf(nowIndex)
    total = new GaugeTotal()
    added = 0
    for (const spec of LONG_WINDOWS) {
      for (; added < spec.buckets; added++) {
        const slot = this.longSlotOf(minute - added)
        if (slot !== -1) addSlot(total, this.#long, slot * FIELDS)
        if (added === 0 && open !== -1) addSlot(total, this.#short, open * FIELDS)
      }
      windows[spec.name] = total.stats()
    }
    return windows
  }

  protected clearShort (slot: number): void {
    clearSlot(this.#short, slot * FIELDS)
  }

  protected clearLong (slot: number): void {
    clearSlot(this.#long, slot * FIELDS)
  }

  protected rollUp (shortSlot: number, longSlot: number): void {
    const from = shortSlot * FIELDS
    const to = longSlot * FIELDS
    const short = this.#short
    const long = this.#long
    if (short[from + LAST_AT] >= long[to + LAST_AT]) {
      long[to + LAST] = short[from + LAST]
      long[to + LAST_AT] = short[from + LAST_AT]
    }
    if (short[from + MIN] < long[to + MIN]) long[to + MIN] = short[from + MIN]
    if (short[from + MAX] > long[to + MAX]) long[to + MAX] = short[from + MAX]
    long[to + SUM] += short[from + SUM]
    long[to + SAMPLES] += short[from + SAMPLES]
  }

  protected addShort (total: GaugeTotal, slot: number): void {
    addSlot(total, this.#short, slot * FIELDS)
  }

  protected addLong (total: GaugeTotal, slot: number): void {
    addSlot(total, this.#long, slot * FIELDS)
  }

  protected dropBuckets (): void {
    this.#short = this.#long = NO_SAMPLES
  }
}

function clearSlot (values: Float64Array, at: number): void {
  values[at + LAST] = 0
  values[at + LAST_AT] = -Infinity
  values[at + MIN] = Infinity
  values[at + MAX] = -Infinity
  values[at + SUM] = 0
  values[at + SAMPLES] = 0
}

function addSlot (total: GaugeTotal, values: Float64Array, at: number): void {
  total.add(values[at + LAST], values[at + LAST_AT], values[at + MIN], values[at + MAX], values[at + SUM], values[at + SAMPLES])
}
