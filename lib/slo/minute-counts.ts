/** The most events one minute holds: past it (71 million a second), the minute's events are dropped. */
const MAX_PER_MINUTE = 0xffff_ffff

/** The counts of one minute, or of a span of minutes. */
export interface Counts {
  good: number
  total: number
}

/**
 * Good and total events per minute over a window of `minutes`, in rings indexed by the absolute
 * minute (epoch minute mod `minutes`), and whether the process saw each minute. Recording is
 * O(1): one slot. The sum over each tracked span (the whole window, the burn-rate windows) is
 * kept as it goes, so reading one is O(1) too: each span's sum holds its minutes before the
 * current one, and the current minute is added at the read; when the clock enters a new minute,
 * each span takes in the minute just ended and gives up the one that left it, O(spans).
 * Any other span is summed by a scan of at most `minutes` slots.
 */
export class MinuteCounts {
  readonly minutes: number
  readonly good: Uint32Array
  readonly total: Uint32Array
  /** 1 for a minute the process saw (alive for some of it), 0 for one it did not (before its start, or while it was down). */
  readonly seen: Uint8Array
  #head: number
  #seenCount = 0
  readonly #spans: number[]
  readonly #spanIndex = new Map<number, number>()
  readonly #goodBefore: Float64Array
  readonly #totalBefore: Float64Array

  /** `spans`: the lengths, in minutes (1 to `minutes`), whose sums are kept; the whole window always is. `minute`: now, seen. */
  constructor (minutes: number, spans: readonly number[], minute: number) {
    this.minutes = minutes
    this.good = new Uint32Array(minutes)
    this.total = new Uint32Array(minutes)
    this.seen = new Uint8Array(minutes)
    this.#spans = [...new Set([...spans, minutes])].filter((span) => span >= 1 && span <= minutes)
    this.#spans.forEach((span, i) => this.#spanIndex.set(span, i))
    this.#goodBefore = new Float64Array(this.#spans.length)
    this.#totalBefore = new Float64Array(this.#spans.length)
    this.#head = minute
    this.#markSeen(minute)
  }

  /** The newest minute: that of the latest event or read. */
  get head (): number {
    return this.#head
  }

  /** Minutes seen ÷ minutes of the window. */
  get coverage (): number {
    return this.#seenCount / this.minutes
  }

  /** One event at `minute` (an earlier minute, from a clock that went back, counts in the newest). */
  add (minute: number, good: boolean): void {
    if (minute > this.#head) this.advance(minute, true)
    const slot = mod(this.#head, this.minutes)
    if (this.total[slot] === MAX_PER_MINUTE) return
    this.total[slot]!++
    if (good) this.good[slot]!++
  }

  /** `total` events, `good` of them good, at `minute` (as add() places them); past the minute's limit, none. */
  addMany (minute: number, good: number, total: number): void {
    if (minute > this.#head) this.advance(minute, true)
    const slot = mod(this.#head, this.minutes)
    if (this.total[slot]! + total > MAX_PER_MINUTE) return
    this.total[slot]! += total
    this.good[slot]! += good
  }

  /**
   * Moves the newest minute to `minute`, clearing the minutes it passes. `alive`: whether the
   * process saw them (true while it runs; false for the time it was down, after a restore).
   * `minute` itself is marked seen. Does nothing for a minute not after the newest.
   */
  advance (minute: number, alive: boolean): void {
    const n = this.minutes
    if (minute <= this.#head) return
    if (minute - this.#head >= n) {
      this.good.fill(0)
      this.total.fill(0)
      this.seen.fill(alive ? 1 : 0)
      this.#seenCount = alive ? n : 0
      this.#goodBefore.fill(0)
      this.#totalBefore.fill(0)
      this.#head = minute
      this.#markSeen(minute)
      return
    }
    const spans = this.#spans
    for (let t = this.#head + 1; t <= minute; t++) {
      const ended = mod(t - 1, n)
      for (let i = 0; i < spans.length; i++) {
        // The minute that leaves a span of `s` minutes ending at t: t - s (for s = n, the slot t reuses: read before it is cleared).
        const left = mod(t - spans[i]!, n)
        this.#goodBefore[i]! += this.good[ended]! - this.good[left]!
        this.#totalBefore[i]! += this.total[ended]! - this.total[left]!
      }
      const slot = mod(t, n)
      this.good[slot] = 0
      this.total[slot] = 0
      this.#seenCount -= this.seen[slot]!
      const seen = alive || t === minute ? 1 : 0
      this.seen[slot] = seen
      this.#seenCount += seen
    }
    this.#head = minute
  }

  /** The events of the last `span` minutes, the newest included (`span` within 1 to `minutes`). */
  sum (span: number): Counts {
    const slot = mod(this.#head, this.minutes)
    const i = this.#spanIndex.get(span)
    if (i !== undefined) return { good: this.#goodBefore[i]! + this.good[slot]!, total: this.#totalBefore[i]! + this.total[slot]! }
    return this.#scan(span)
  }

  /**
   * Lays counts read back from a store over these (empty) rings: `head` their newest minute,
   * each array indexed like these. The spans' sums are recomputed. The caller then advances to
   * now, with `alive` false: the process was down in between.
   */
  restore (head: number, good: Uint32Array, total: Uint32Array, seen: Uint8Array): void {
    this.good.set(good)
    this.total.set(total)
    this.seen.set(seen)
    this.#head = head
    this.#seenCount = 0
    for (let i = 0; i < this.seen.length; i++) {
      if (this.seen[i] !== 0) this.seen[i] = 1
      this.#seenCount += this.seen[i]!
    }
    const slot = mod(head, this.minutes)
    this.#spans.forEach((span, i) => {
      const counts = this.#scan(span)
      this.#goodBefore[i] = counts.good - this.good[slot]!
      this.#totalBefore[i] = counts.total - this.total[slot]!
    })
  }

  #scan (span: number): Counts {
    const n = this.minutes
    let good = 0
    let total = 0
    for (let t = this.#head - Math.min(span, n) + 1; t <= this.#head; t++) {
      const slot = mod(t, n)
      good += this.good[slot]!
      total += this.total[slot]!
    }
    return { good, total }
  }

  #markSeen (minute: number): void {
    const slot = mod(minute, this.minutes)
    if (this.seen[slot] === 0) {
      this.seen[slot] = 1
      this.#seenCount++
    }
  }
}

function mod (a: number, n: number): number {
  const r = a % n
  return r < 0 ? r + n : r
}
