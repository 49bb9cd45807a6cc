import type { CumulativeBins } from './cumulative-bins.ts'
import type { SeriesDelta } from './series-delta.ts'
import { tagEntries, tagRecord, type TagEntries } from './series-tags.ts'
import { LONG_BUCKETS, SHORT_BUCKETS, WINDOWS, longIndexOf, shortIndexOf, type MonotonicClock } from './time-buckets.ts'
import type { Total } from './totals.ts'
import type { MetricKind, SeriesHandle, Stats, WindowName } from './types.ts'

export const SHORT_WINDOWS = WINDOWS.filter((w) => w.ring === 'short')
export const LONG_WINDOWS = WINDOWS.filter((w) => w.ring === 'long')

/** One snapshot read, the same for every series. */
export interface WindowRead {
  /** Epoch ms. */
  readonly now: number
  /** The 10-s bucket `now` is in. */
  readonly nowIndex: number
  /** When recording began (or was last cleared), for rates. */
  readonly startedAt: number
  /** The aggregator's scratch sum of sketch bins, for timings. */
  readonly scratch: CumulativeBins
}

/** What identifies a series: its kind, its name and its tags (sorted). */
export interface SeriesIdentity {
  readonly kind: MetricKind
  readonly name: string
  readonly tags: readonly string[]
}

/** The aggregator holding a series: told when the series is recorded into, asked where an evicted one's records go. */
export interface SeriesOwner {
  /** `series` opened a new 10-s bucket: it is now the series recorded into most recently. */
  opened (series: Series<Total>): void
  /** The series holding `evicted`'s key now: found, or created in its place. */
  successorOf (evicted: Series<Total>): Series<Total>
}

const NO_INDICES = new Int32Array(0)

/**
 * One series' time buckets: a ring of 30 ten-second buckets and a ring of 60 one-minute ones.
 * A record goes into the current 10-s bucket only (the "open" one); when time has moved past
 * it, the open bucket is rolled up into its minute, once, by the next record or read. A slot
 * holds the bucket whose index is written beside it; a slot holding an older index is cleared
 * when reused. Nothing runs on a timer: buckets only change when the series is touched.
 *
 * Subclasses store the values (counts, sketches, gauge samples) and say how to clear, roll up
 * and add up a slot. Reads (windowStats(), addShortBucket(), addLongBucket()) come after settle().
 *
 * Once evicted (the aggregator needed its place), a series drops its buckets and is never read
 * again; whoever still holds it as a handle records on: each record goes to the series holding
 * its key then (SeriesOwner.successorOf()). Only the first record of each 10-s bucket looks
 * further than the open bucket, so that costs a live series nothing.
 */
export abstract class Series<T extends Total> implements SeriesHandle, SeriesIdentity {
  abstract readonly kind: MetricKind
  readonly name: string
  readonly tags: readonly string[]
  /** The aggregator's key of this series. */
  readonly key: string
  protected readonly clock: MonotonicClock
  readonly #owner: SeriesOwner
  #shortIndex: Int32Array
  #longIndex: Int32Array
  /** Index of the 10-s bucket records go to, not rolled up yet; -1 when none is open. */
  #open = -1
  #openSlot = 0
  /** Index of the latest 10-s bucket recorded into; -1 when none since the start or clear(). */
  #latest = -1
  #tagEntries: TagEntries | null = null
  #tagRecord: Readonly<Record<string, string>> | null = null
  #evicted = false
  /** Once evicted: the series its records went to last. */
  #successor: Series<Total> | null = null

  /** `donor`: a series being evicted, whose bucket storage this one takes over (see evict()). */
  constructor (name: string, tags: readonly string[], key: string, clock: MonotonicClock, owner: SeriesOwner, donor: Series<Total> | null) {
    this.name = name
    this.tags = tags
    this.key = key
    this.clock = clock
    this.#owner = owner
    this.#shortIndex = donor === null ? new Int32Array(SHORT_BUCKETS) : donor.#shortIndex
    this.#longIndex = donor === null ? new Int32Array(LONG_BUCKETS) : donor.#longIndex
    // Every slot empty: what a donor's slots still hold is never read, and is cleared when a slot is reused.
    this.#shortIndex.fill(-1)
    this.#longIndex.fill(-1)
  }

  /** `tags` split at their first `:`, for history(); built when first read (a series evicted unread never needs it). */
  get tagEntries (): TagEntries {
    this.#tagEntries ??= tagEntries(this.tags)
    return this.#tagEntries
  }

  /** The same as an object, copied into each snapshot. */
  get tagRecord (): Readonly<Record<string, string>> {
    this.#tagRecord ??= tagRecord(this.tagEntries)
    return this.#tagRecord
  }

  /** Adds one value now; a value this kind cannot hold (NaN, ±Infinity, a negative timing) is ignored. */
  record (value: number): void {
    this.recordAt(value, this.clock.now())
  }

  /** Adds one value at `time`, a reading of this series' clock. */
  abstract recordAt (value: number, time: number): void
  /**
   * Adds what another process recorded into this series (`delta`, of its kind) to the bucket of
   * `time`. Dropped when this series was evicted: the aggregator merges into live series only.
   */
  abstract mergeAt (delta: SeriesDelta, time: number): void
  /** `bins`: the aggregator's scratch sum of sketch bins, for timings. */
  abstract newTotal (bins: CumulativeBins): T
  protected abstract clearShort (slot: number): void
  protected abstract clearLong (slot: number): void
  /** Adds 10-s slot `shortSlot` into 1-minute slot `longSlot`. */
  protected abstract rollUp (shortSlot: number, longSlot: number): void
  protected abstract addShort (total: T, slot: number): void
  protected abstract addLong (total: T, slot: number): void
  /** Lets go of every bucket's storage, for evict(). */
  protected abstract dropBuckets (): void

  /**
   * The slot of the current 10-s bucket, at `time`, where `value` goes; -1 when this series was
   * evicted: `value` went to its successor.
   */
  protected slotFor (value: number, time: number): number {
    const index = shortIndexOf(time)
    return index === this.#open ? this.#openSlot : this.#openBucket(index, value, time)
  }

  /** The slot of the current 10-s bucket at `time`, for a merge; -1 when this series was evicted. */
  protected mergeSlot (time: number): number {
    return this.#evicted ? -1 : this.slotFor(0, time)
  }

  /**
   * Buckets are dropped (never read again), records go to the successor from now on. A series
   * created in its place may have taken its storage over first: typed arrays are slow to
   * allocate, and a flood of new series at the cap would otherwise allocate them for each.
   */
  evict (): void {
    this.#evicted = true
    this.#open = -1
    this.#latest = -1
    this.#shortIndex = NO_INDICES
    this.#longIndex = NO_INDICES
    this.dropBuckets()
  }

  /** Before a read at 10-s bucket `nowIndex`: rolls up the open bucket if time has moved past it. */
  settle (nowIndex: number): void {
    if (this.#open !== -1 && this.#open < nowIndex) this.#closeOpen()
  }

  /** Index of the latest 10-s bucket recorded into (-1: none): before 60 minutes ago, every window is null. */
  get latestBucket (): number {
    return this.#latest
  }

  /**
   * The stats of every window (WINDOWS) at `read.now`, as its buckets added up newest first give
   * them (in a minute: what was rolled up, then the open 10-s bucket). Each kind reads its own
   * arrays; timings keep what their closed buckets add up to from one read to the next.
   */
  abstract windowStats (read: WindowRead): Record<WindowName, Stats | null>

  /** Adds the 10-s bucket `index` to `total`, if this series has it. */
  addShortBucket (total: T, index: number): void {
    const slot = index % SHORT_BUCKETS
    if (this.#shortIndex[slot] === index) this.addShort(total, slot)
  }

  /** Adds the minute `minute` to `total`: what was rolled up, and the open bucket if it is in that minute. */
  addLongBucket (total: T, minute: number): void {
    const slot = minute % LONG_BUCKETS
    if (this.#longIndex[slot] === minute) this.addLong(total, slot)
    if (this.#open !== -1 && longIndexOf(this.#open) === minute) this.addShort(total, this.#openSlot)
  }

  /** Forgets every bucket. */
  clear (): void {
    for (let slot = 0; slot < SHORT_BUCKETS; slot++) this.clearShort(slot)
    for (let slot = 0; slot < LONG_BUCKETS; slot++) this.clearLong(slot)
    this.#shortIndex.fill(-1)
    this.#longIndex.fill(-1)
    this.#open = -1
    this.#latest = -1
  }

  /** The slot holding 10-s bucket `index`, or -1 when this series does not have it. */
  protected shortSlotOf (index: number): number {
    const slot = index % SHORT_BUCKETS
    return this.#shortIndex[slot] === index ? slot : -1
  }

  /** The slot holding minute `minute`, or -1 when this series does not have it. */
  protected longSlotOf (minute: number): number {
    const slot = minute % LONG_BUCKETS
    return this.#longIndex[slot] === minute ? slot : -1
  }

  /** The index of the 10-s bucket held in `slot` (-1: none), read by clearShort() before it is replaced. */
  protected shortIndexAt (slot: number): number {
    return this.#shortIndex[slot]
  }

  /** The minute held in `slot` (-1: none), read by clearLong() before it is replaced. */
  protected longIndexAt (slot: number): number {
    return this.#longIndex[slot]
  }

  #openBucket (index: number, value: number, time: number): number {
    if (this.#evicted) {
      let successor = this.#successor
      if (successor === null || successor.#evicted) successor = this.#successor = this.#owner.successorOf(this)
      successor.recordAt(value, time)
      return -1
    }
    this.#owner.opened(this)
    if (this.#open !== -1) this.#closeOpen()
    const slot = index % SHORT_BUCKETS
    if (this.#shortIndex[slot] !== index) {
      this.clearShort(slot)
      this.#shortIndex[slot] = index
    }
    this.#open = index
    this.#openSlot = slot
    this.#latest = index
    return slot
  }

  #closeOpen (): void {
    const minute = longIndexOf(this.#open)
    const slot = minute % LONG_BUCKETS
    if (this.#longIndex[slot] !== minute) {
      this.clearLong(slot)
      this.#longIndex[slot] = minute
    }
    this.rollUp(this.#openSlot, slot)
    this.#open = -1
  }
}
