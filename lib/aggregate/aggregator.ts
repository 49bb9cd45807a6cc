import { CumulativeBins } from './cumulative-bins.js'
import { CounterSeries } from './counter-series.js'
import { GaugeSeries } from './gauge-series.js'
import { HistoryMemos } from './history-memo.js'
import type { Series, WindowRead } from './series.js'
import { canonicalTags, seriesKey, tagValue } from './series-tags.js'
import {
  LONG_BUCKET_MS, LONG_BUCKETS, MonotonicClock, SHORT_BUCKET_MS, SHORT_BUCKETS, coveredSeconds, longIndexOf, shortIndexOf,
} from './time-buckets.js'
import { TimingSeries } from './timing-series.js'
import { newTotal, type Total } from './totals.js'
import type { History, HistoryPoint, MetricKind, SeriesHandle, SeriesSnapshot, Snapshot, Stats } from './types.js'

export interface AggregatorOptions {
  /** Most series kept; records into further series are dropped and counted. */
  readonly maxSeries: number
  /** Epoch ms; Date.now by default (tests inject a fake one). */
  readonly now?: () => number
  /** Called once, the first time a new series is refused because maxSeries series exist. */
  readonly onSeriesCap?: () => void
}

type AnySeries = Series<Total>

/**
 * In-process aggregation of metrics, per name and tag set, over sliding windows (1, 5, 15 and
 * 60 minutes) and as histories of time buckets. Memory is bounded: at most `maxSeries` series,
 * each with a fixed number of buckets and bin-limited sketches. Nothing runs on a timer: old
 * buckets are reused when a series is next touched. See docs/aggregation.md.
 */
export class Aggregator {
  readonly #maxSeries: number
  readonly #clock: MonotonicClock
  readonly #onSeriesCap: () => void
  readonly #series = new Map<string, AnySeries>()
  /** The handle of every series refused by the cap: it only counts. */
  readonly #refused: SeriesHandle
  /** Scratch bins for merging timing sketches during a read; empty between reads. */
  readonly #scratch = new CumulativeBins()
  /** The closed points of the histories read lately. */
  readonly #historyMemos = new HistoryMemos()
  #startedAt: number
  #droppedRecords = 0
  #capReached = false

  constructor (options: AggregatorOptions) {
    this.#maxSeries = options.maxSeries
    this.#clock = new MonotonicClock(options.now ?? Date.now)
    this.#onSeriesCap = options.onSeriesCap ?? (() => {})
    this.#startedAt = this.#clock.now()
    const drop = (): void => {
      this.#droppedRecords++
    }
    this.#refused = { record: drop, recordAt: drop }
  }

  /**
   * The handle of one series, created on first use. Once `maxSeries` series exist, a new one is
   * refused: the handle returned only counts `droppedRecords`.
   */
  series (kind: MetricKind, name: string, tags: readonly string[]): SeriesHandle {
    const canonical = canonicalTags(tags)
    const key = seriesKey(kind, name, canonical)
    const found = this.#series.get(key)
    if (found !== undefined) return found
    if (this.#series.size >= this.#maxSeries) {
      if (!this.#capReached) {
        this.#capReached = true
        this.#onSeriesCap()
      }
      return this.#refused
    }
    const series = createSeries(kind, name, canonical, this.#clock)
    this.#series.set(key, series)
    return series
  }

  /** A reading of the clock the series record with, for SeriesHandle#recordAt(). */
  now (): number {
    return this.#clock.now()
  }

  record (kind: MetricKind, name: string, tags: readonly string[], value: number): void {
    this.series(kind, name, tags).record(value)
  }

  /** Every series with a record in the last 60 minutes, over each window. */
  snapshot (): Snapshot {
    const now = this.#clock.now()
    const nowIndex = shortIndexOf(now)
    // A series whose latest record is in a minute before this one's window of 60 has nothing to show.
    const oldestMinute = longIndexOf(nowIndex) - LONG_BUCKETS + 1
    const read: WindowRead = { now, nowIndex, startedAt: this.#startedAt, scratch: this.#scratch }
    const series: SeriesSnapshot[] = []
    for (const one of this.#series.values()) {
      if (one.latestBucket === -1 || longIndexOf(one.latestBucket) < oldestMinute) continue
      one.settle(nowIndex)
      const windows = one.windowStats(read)
      // A spread copies each tag as an own property, `__proto__` too: a new object, the caller's to change.
      series.push({ name: one.name, kind: one.kind, tags: { ...one.tagRecord }, windows })
    }
    return { at: now, series, maxSeries: this.#maxSeries, droppedRecords: this.#droppedRecords }
  }

  /**
   * One metric name over time: per bucket (oldest first, the current partial one last), every
   * series of that name added up (counters summed, timing sketches merged, gauges combined),
   * grouped by the value of tag `groupByTag` (a series without it goes to group `''`). Without
   * `groupByTag` there is one group, `''`, present even when nothing was recorded. Series of
   * another kind than the name's first series are left out. The points of closed buckets are
   * kept from one call to the next (history-memo.ts): a call merges the current bucket only.
   */
  history (name: string, resolution: '10s' | '1m', groupByTag?: string): History {
    const now = this.#clock.now()
    const nowIndex = shortIndexOf(now)
    const short = resolution === '10s'
    const points = short ? SHORT_BUCKETS : LONG_BUCKETS
    const bucketMs = short ? SHORT_BUCKET_MS : LONG_BUCKET_MS
    const current = short ? nowIndex : longIndexOf(nowIndex)

    let kind: MetricKind | undefined
    const groups = new Map<string, AnySeries[]>()
    if (groupByTag === undefined) groups.set('', [])
    for (const one of this.#series.values()) {
      if (one.name !== name || (kind !== undefined && one.kind !== kind)) continue
      kind = one.kind
      one.settle(nowIndex)
      const group = groupByTag === undefined ? '' : (tagValue(one.tagEntries, groupByTag) ?? '')
      let members = groups.get(group)
      if (members === undefined) groups.set(group, members = [])
      members.push(one)
    }

    const memo = kind === undefined ? null : this.#historyMemos.of(name, resolution, groupByTag, points)
    const result: Record<string, HistoryPoint[]> = {}
    for (const [group, members] of groups) {
      const line: HistoryPoint[] = []
      for (let index = current - points + 1; index <= current; index++) {
        const start = index * bucketMs
        let stats: Stats | null = null
        if (kind !== undefined && memo !== null) {
          const kept = memo.get(group, index)
          if (kept === undefined) {
            const total = newTotal(kind, this.#scratch)
            for (const one of members) {
              if (short) one.addShortBucket(total, index)
              else one.addLongBucket(total, index)
            }
            stats = total.stats(coveredSeconds(start, start + bucketMs, now, this.#startedAt))
            // Only a closed bucket's stats are final; the caller gets a copy of those kept.
            if (index < current) memo.set(group, index, stats === null ? null : { ...stats })
          } else {
            stats = kept === null ? null : { ...kept }
          }
        }
        line.push({ start, stats })
      }
      result[group] = line
    }
    return { resolution, points, groups: result }
  }

  /**
   * Forgets everything recorded, and the records dropped. Series stay known (so that handles
   * held by callers keep working) and keep counting against maxSeries; a snapshot leaves out
   * series with nothing recorded.
   */
  clear (): void {
    for (const one of this.#series.values()) one.clear()
    this.#droppedRecords = 0
    this.#capReached = false
    this.#startedAt = this.#clock.now()
    this.#historyMemos.clear()
  }
}

function createSeries (kind: MetricKind, name: string, tags: readonly string[], clock: MonotonicClock): AnySeries {
  switch (kind) {
    case 'counter': return new CounterSeries(name, tags, clock)
    case 'timing': return new TimingSeries(name, tags, clock)
    case 'gauge': return new GaugeSeries(name, tags, clock)
  }
}
