import { CumulativeBins } from './cumulative-bins.ts'
import { LONG_WINDOWS, SHORT_WINDOWS, Series, type SeriesOwner, type WindowRead } from './series.ts'
import { sketchFromWire, type SeriesDelta } from './series-delta.ts'
import { addToSketch, mergeIntoSketch, newSketch, timingStatsFrom, type Sketch } from './sketch.ts'
import { LONG_BUCKETS, SHORT_BUCKETS, longIndexOf, type MonotonicClock, type WindowSpec } from './time-buckets.ts'
import { SCRATCH_KEPT, TimingTotal } from './totals.ts'
import type { Stats, TimingStats, WindowName } from './types.ts'

/**
 * Most keys the kept bins of one window may span: at 2 % a key is about 4 % of value, so 1024 keys
 * cover a ratio of 10^17 between the smallest and the largest timing of an hour, and take 8 KiB.
 * The bins of a window spread wider than that are not kept: its buckets are merged afresh on each
 * read, until those that spread it have left the window.
 */
const WINDOW_SPAN = 1024
/** Below every bucket index (indices count 10 s or 1 minute from the epoch). */
const NO_INDEX = -(2 ** 30)

const NO_SKETCHES: Array<Sketch | null> = []
const NO_VALUES = new Float64Array(0)

/** The bins of the open 10-s bucket and of the current minute of the series being read. */
const OPEN_BINS = new CumulativeBins()
const CURRENT_BINS = new CumulativeBins()

/** What a window's closed buckets add up to, beside their bins and sums. */
interface ClosedScalars {
  count: number
  zeroCount: number
  /** As a merge of the buckets newest first gives it: on a tie (0 and -0), the newest bucket's. */
  min: number
  max: number
}

/**
 * What one window's closed buckets add up to, kept from one snapshot to the next: the buckets of
 * the ring, in [from, to], that the series still has. A read only adds the buckets that closed
 * since the last read and takes out those that left the window; a bucket whose slot is reused
 * while still in [from, to] is taken out then (forget()).
 *
 * Counts and bins are integers: taken out exactly. Extremes cannot be taken out: they are found
 * again after a bucket leaves. The sum, whose float rounding depends on the order of the
 * additions, is not kept: each read adds it up in the order a merge of the buckets would
 * (TimingSeries.windowStats()).
 */
class KeptWindow implements ClosedScalars {
  readonly bins = new CumulativeBins(WINDOW_SPAN)
  from = 0
  to = -1
  count = 0
  zeroCount = 0
  min = Infinity
  max = -Infinity
  /** A bucket left: min and max are to be found again. */
  extremesStale = false
  /** While the window's last closed bucket is below this, its bins span more than WINDOW_SPAN keys: not kept. */
  tooWideUntil = NO_INDEX

  forget (index: number, sketch: Sketch): void {
    if (index < this.from || index > this.to) return
    this.bins.subtract(sketch)
    this.count -= sketch.count
    this.zeroCount -= sketch.zeroCount
    this.extremesStale = true
  }

  empty (from: number): void {
    this.bins.clear()
    this.from = from
    this.to = from - 1
    this.count = 0
    this.zeroCount = 0
    this.min = Infinity
    this.max = -Infinity
    this.extremesStale = false
  }

  /**
   * Adds buckets newer than every bucket kept, oldest first; false, and nothing added, if their
   * bins would spread too wide.
   */
  addNewer (sketches: readonly Sketch[]): boolean {
    if (sketches.length === 0) return true
    if (!this.bins.addAll(sketches)) return false
    for (const sketch of sketches) {
      this.count += sketch.count
      this.zeroCount += sketch.zeroCount
      // Merged newest first, each comes before those kept: they replace its extremes only if beyond them.
      if (!(this.min < sketch.min)) this.min = sketch.min
      if (!(this.max > sketch.max)) this.max = sketch.max
    }
    return true
  }

  /** Takes out a bucket older than every other bucket kept. */
  takeOutOldest (sketch: Sketch): void {
    this.bins.subtract(sketch)
    this.count -= sketch.count
    this.zeroCount -= sketch.zeroCount
    this.extremesStale = true
  }
}

/**
 * Timings: one DDSketch per bucket that saw a value (count, min, max and sum exact beside the
 * bins, BIN_LIMIT bins at most). A record inserts into the current 10-s bucket's sketch only;
 * the minute's sketch gets it merged in when that bucket is rolled up.
 *
 * Reads: a window's stats are those of one sketch merging its buckets' sketches, newest first,
 * every bin kept. For the buckets that can no longer change (closed 10-s buckets, past minutes),
 * each window keeps what they add up to between reads (KeptWindow), so a read only adds the open
 * 10-s bucket (and the current minute) to it, and finds quantiles by binary search over cumulative
 * counts. Sums are added up on each read, from an array holding each bucket's side by side.
 */
export class TimingSeries extends Series<TimingTotal> {
  readonly kind = 'timing'
  #short: Array<Sketch | null>
  #long: Array<Sketch | null>
  /**
   * The sum of each closed 10-s bucket and of each minute (as of its latest roll-up), and their
   * min and max (at 2 × slot and 2 × slot + 1): a read finds them side by side rather than in
   * sketches scattered over the heap.
   */
  #shortSums: Float64Array
  #longSums: Float64Array
  #shortExtremes: Float64Array
  #longExtremes: Float64Array
  /** Per window of SHORT_WINDOWS, then of LONG_WINDOWS; null until the first read of the windows. */
  #kept: KeptWindow[] | null = null

  constructor (name: string, tags: readonly string[], key: string, clock: MonotonicClock, owner: SeriesOwner, donor: TimingSeries | null) {
    super(name, tags, key, clock, owner, donor)
    if (donor === null) {
      this.#short = new Array<Sketch | null>(SHORT_BUCKETS).fill(null)
      this.#long = new Array<Sketch | null>(LONG_BUCKETS).fill(null)
      this.#shortSums = new Float64Array(SHORT_BUCKETS)
      this.#longSums = new Float64Array(LONG_BUCKETS)
      this.#shortExtremes = new Float64Array(2 * SHORT_BUCKETS)
      this.#longExtremes = new Float64Array(2 * LONG_BUCKETS)
    } else {
      // The donor's sketches go now rather than when their slots are reused.
      this.#short = donor.#short.fill(null)
      this.#long = donor.#long.fill(null)
      this.#shortSums = donor.#shortSums
      this.#longSums = donor.#longSums
      this.#shortExtremes = donor.#shortExtremes
      this.#longExtremes = donor.#longExtremes
    }
  }

  /** A negative, NaN or infinite duration is ignored (a clock that went back, a bad caller). */
  recordAt (value: number, time: number): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) return
    const slot = this.slotFor(value, time)
    if (slot !== -1) addToSketch(this.#short[slot] ??= newSketch(), value)
  }

  mergeAt (delta: SeriesDelta, time: number): void {
    if (delta.kind !== 'timing') return
    const sketch = sketchFromWire(delta.sketch)
    if (sketch === null || sketch.count === 0) return
    const slot = this.mergeSlot(time)
    if (slot !== -1) mergeIntoSketch(this.#short[slot] ??= newSketch(), sketch)
  }

  newTotal (bins: CumulativeBins): TimingTotal {
    return new TimingTotal(bins)
  }

  windowStats ({ nowIndex, scratch }: WindowRead): Record<WindowName, Stats | null> {
    const kept = this.#kept ??= [...SHORT_WINDOWS, ...LONG_WINDOWS].map(() => new KeptWindow())
    const windows = {} as Record<WindowName, Stats | null>

    // 10-s buckets, newest first: the open one, then the closed ones.
    const open = this.#shortAt(nowIndex)
    const openBins = open === null ? null : loaded(OPEN_BINS, open)
    let sum = 0
    if (open !== null) sum += open.sum
    let added = 1
    for (let w = 0; w < SHORT_WINDOWS.length; w++) {
      const spec = SHORT_WINDOWS[w]
      for (; added < spec.buckets; added++) {
        const slot = this.shortSlotOf(nowIndex - added)
        if (slot !== -1) sum += this.#shortSums[slot]
      }
      windows[spec.name] = this.#stats(kept[w], spec, false, nowIndex, sum, open, null, openBins, null, scratch)
    }

    // Minutes, newest first: the current one (what was rolled up, then the open 10-s bucket), then the past ones.
    const minute = longIndexOf(nowIndex)
    const current = this.#longAt(minute)
    const currentBins = current === null ? null : loaded(CURRENT_BINS, current)
    sum = 0
    if (current !== null) sum += current.sum
    if (open !== null) sum += open.sum
    added = 1
    for (let w = 0; w < LONG_WINDOWS.length; w++) {
      const spec = LONG_WINDOWS[w]
      for (; added < spec.buckets; added++) {
        const slot = this.longSlotOf(minute - added)
        if (slot !== -1) sum += this.#longSums[slot]
      }
      windows[spec.name] = this.#stats(kept[SHORT_WINDOWS.length + w], spec, true, minute, sum, current, open, currentBins, openBins, scratch)
    }
    return windows
  }

  override clear (): void {
    this.#kept = null
    super.clear()
  }

  protected clearShort (slot: number): void {
    const sketch = this.#short[slot]
    if (sketch === null) return
    if (this.#kept !== null) {
      for (let w = 0; w < SHORT_WINDOWS.length; w++) this.#kept[w].forget(this.shortIndexAt(slot), sketch)
    }
    this.#short[slot] = null
  }

  protected clearLong (slot: number): void {
    const sketch = this.#long[slot]
    if (sketch === null) return
    if (this.#kept !== null) {
      for (let w = 0; w < LONG_WINDOWS.length; w++) this.#kept[SHORT_WINDOWS.length + w].forget(this.longIndexAt(slot), sketch)
    }
    this.#long[slot] = null
  }

  protected rollUp (shortSlot: number, longSlot: number): void {
    const sketch = this.#short[shortSlot]
    if (sketch === null) return
    const minute = this.#long[longSlot] ??= newSketch()
    mergeIntoSketch(minute, sketch)
    this.#shortSums[shortSlot] = sketch.sum
    this.#shortExtremes[2 * shortSlot] = sketch.min
    this.#shortExtremes[2 * shortSlot + 1] = sketch.max
    this.#longSums[longSlot] = minute.sum
    this.#longExtremes[2 * longSlot] = minute.min
    this.#longExtremes[2 * longSlot + 1] = minute.max
  }

  protected addShort (total: TimingTotal, slot: number): void {
    const sketch = this.#short[slot]
    if (sketch !== null) total.add(sketch)
  }

  protected addLong (total: TimingTotal, slot: number): void {
    const sketch = this.#long[slot]
    if (sketch !== null) total.add(sketch)
  }

  protected dropBuckets (): void {
    this.#short = this.#long = NO_SKETCHES
    this.#shortSums = this.#longSums = this.#shortExtremes = this.#longExtremes = NO_VALUES
    this.#kept = null
  }

  /**
   * One window's stats, as the merge of its buckets newest first gives them: `x` then `y` (the
   * buckets that may still change, null if absent, with their bins loaded in `xBins`, `yBins`),
   * then the closed buckets of the ring before `current`, from what the window keeps (brought up
   * to date first). `sum`: every bucket's sum, added up in that order.
   */
  #stats (kept: KeptWindow, spec: WindowSpec, long: boolean, current: number, sum: number, x: Sketch | null, y: Sketch | null,
    xBins: CumulativeBins | null, yBins: CumulativeBins | null, scratch: CumulativeBins): TimingStats | null {
    const from = current - spec.buckets + 1
    const to = current - 1
    let closed: ClosedScalars
    let bins: CumulativeBins
    if (to >= kept.tooWideUntil && this.#bringUpToDate(kept, from, to, long)) {
      closed = kept
      bins = kept.bins
    } else {
      // Too wide to keep: the closed buckets merged afresh, their bins in the scratch ones.
      closed = { count: 0, zeroCount: 0, min: Infinity, max: -Infinity }
      bins = scratch
      for (let index = to; index >= from; index--) {
        const sketch = this.#at(long, index)
        if (sketch === null) continue
        addOlder(closed, sketch)
        scratch.add(sketch)
      }
    }

    let count = 0
    let zeroCount = 0
    let min = Infinity
    let max = -Infinity
    // In merge order, an extreme is replaced only by one strictly beyond it.
    if (x !== null) {
      count += x.count
      zeroCount += x.zeroCount
      min = x.min
      max = x.max
    }
    if (y !== null) {
      count += y.count
      zeroCount += y.zeroCount
      if (y.min < min) min = y.min
      if (y.max > max) max = y.max
    }
    count += closed.count
    zeroCount += closed.zeroCount
    if (closed.min < min) min = closed.min
    if (closed.max > max) max = closed.max
    const stats = count === 0 ? null : timingStatsFrom({ count, zeroCount, min, max, sum }, bins, xBins, yBins)
    if (bins === scratch) scratch.clear(SCRATCH_KEPT)
    return stats
  }

  /** Moves `kept` to the closed buckets [from, to]; false (and `kept` emptied) if their bins spread too wide. */
  #bringUpToDate (kept: KeptWindow, from: number, to: number, long: boolean): boolean {
    if (from > kept.to) {
      kept.empty(from)
    } else {
      for (let index = kept.from; index < from; index++) {
        const sketch = this.#at(long, index)
        if (sketch !== null) kept.takeOutOldest(sketch)
      }
      kept.from = from
    }
    if (kept.extremesStale) {
      const extremes = long ? this.#longExtremes : this.#shortExtremes
      kept.min = Infinity
      kept.max = -Infinity
      for (let index = kept.to; index >= kept.from; index--) {
        const slot = long ? this.longSlotOf(index) : this.shortSlotOf(index)
        if (slot === -1) continue
        if (extremes[2 * slot] < kept.min) kept.min = extremes[2 * slot]
        if (extremes[2 * slot + 1] > kept.max) kept.max = extremes[2 * slot + 1]
      }
      kept.extremesStale = false
    }
    if (kept.to === to) return true
    const newer: Sketch[] = []
    for (let index = kept.to + 1; index <= to; index++) {
      const sketch = this.#at(long, index)
      if (sketch !== null) newer.push(sketch)
    }
    if (!kept.addNewer(newer)) {
      // Kept again once every bucket there now has left the window.
      kept.empty(from)
      kept.tooWideUntil = to + (to - from + 1)
      return false
    }
    kept.to = to
    return true
  }

  #at (long: boolean, index: number): Sketch | null {
    return long ? this.#longAt(index) : this.#shortAt(index)
  }

  #shortAt (index: number): Sketch | null {
    const slot = this.shortSlotOf(index)
    return slot === -1 ? null : this.#short[slot]
  }

  #longAt (minute: number): Sketch | null {
    const slot = this.longSlotOf(minute)
    return slot === -1 ? null : this.#long[slot]
  }
}

/** Adds the scalars of a bucket older than every other one added (merge order: newest first). */
function addOlder (into: ClosedScalars, sketch: Sketch): void {
  into.count += sketch.count
  into.zeroCount += sketch.zeroCount
  if (sketch.min < into.min) into.min = sketch.min
  if (sketch.max > into.max) into.max = sketch.max
}

function loaded (bins: CumulativeBins, sketch: Sketch): CumulativeBins {
  bins.load(sketch)
  return bins
}
