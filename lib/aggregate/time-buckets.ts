import type { WindowName } from './types.ts'

/**
 * The two rings of time buckets every series keeps, aligned on the epoch: 30 buckets of 10 s
 * (the last 5 minutes) and 60 buckets of 1 minute (the last 60 minutes). The current bucket of
 * each ring is partial: a ring covers its span minus what is left of the current bucket.
 */
export const SHORT_BUCKET_MS = 10_000
export const SHORT_BUCKETS = 30
export const LONG_BUCKET_MS = 60_000
export const LONG_BUCKETS = 60
export const SHORT_PER_LONG = LONG_BUCKET_MS / SHORT_BUCKET_MS

export interface WindowSpec {
  readonly name: WindowName
  /** Which ring the window reads. */
  readonly ring: 'short' | 'long'
  /** How many buckets of that ring, the current partial one included. */
  readonly buckets: number
}

/** 1m and 5m read the 10-s buckets, 15m and 60m the 1-minute ones. */
export const WINDOWS: readonly WindowSpec[] = Object.freeze([
  { name: '1m', ring: 'short', buckets: 6 },
  { name: '5m', ring: 'short', buckets: 30 },
  { name: '15m', ring: 'long', buckets: 15 },
  { name: '60m', ring: 'long', buckets: 60 },
])

/** Index of the 10-s bucket holding `time` (epoch ms). */
export function shortIndexOf (time: number): number {
  return Math.floor(time / SHORT_BUCKET_MS)
}

/** Index of the 1-minute bucket holding the 10-s bucket `shortIndex`. */
export function longIndexOf (shortIndex: number): number {
  return Math.floor(shortIndex / SHORT_PER_LONG)
}

/**
 * Seconds a span of buckets really covers, for rates: from its start (or from when recording
 * began, if later) to `now` (or its end, if earlier). At least 1 s, so that a rate read right
 * after a start is not a count divided by almost nothing.
 */
export function coveredSeconds (start: number, end: number, now: number, startedAt: number): number {
  const ms = Math.min(end, now) - Math.max(start, startedAt)
  return Math.max(ms, 1000) / 1000
}

/**
 * Date.now() (or an injected clock) that never goes back: a clock set back by NTP would
 * otherwise write into buckets already rolled up or reused.
 */
export class MonotonicClock {
  readonly #source: () => number
  #last = 0

  constructor (source: () => number) {
    this.#source = source
  }

  now (): number {
    const time = this.#source()
    if (time > this.#last) this.#last = time
    return this.#last
  }
}

/** The buckets a read of the last `windowMs` adds up (Aggregator#readWindow()). */
export interface WindowSpan {
  readonly ring: 'short' | 'long'
  /** Oldest and newest bucket index of that ring (the newest is the current, partial one). */
  readonly first: number
  readonly last: number
  /** Epoch ms of the oldest bucket's start: the span covers from there to now. */
  readonly start: number
}

/**
 * The buckets that overlap the last `windowMs` before `now`: 10-s buckets while the short ring
 * holds them all (windows up to 4 min 50 s), else minutes. So a read covers at least the window
 * and at most one bucket more, except that the long ring holds 60 minutes: a 60-minute window
 * covers the 59 minutes before the current one, and what has gone of it.
 */
export function windowSpan (now: number, windowMs: number): WindowSpan {
  const last = shortIndexOf(now)
  const first = shortIndexOf(now - windowMs)
  if (last - first + 1 <= SHORT_BUCKETS) return { ring: 'short', first, last, start: first * SHORT_BUCKET_MS }
  const lastMinute = longIndexOf(last)
  const firstMinute = Math.max(longIndexOf(first), lastMinute - LONG_BUCKETS + 1)
  return { ring: 'long', first: firstMinute, last: lastMinute, start: firstMinute * LONG_BUCKET_MS }
}
