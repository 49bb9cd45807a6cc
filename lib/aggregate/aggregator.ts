import { wallClockMs } from '../context/wall-clock.ts'
import { CumulativeBins } from './cumulative-bins.ts'
import { CounterSeries } from './counter-series.ts'
import { GaugeSeries } from './gauge-series.ts'
import { HistoryMemos } from './history-memo.ts'
import type { Series, SeriesOwner, WindowRead } from './series.ts'
import { isSeriesDelta, type SeriesDelta } from './series-delta.ts'
import { canonicalTags, seriesKey, tagValue, type TagEntries } from './series-tags.ts'
import {
  LONG_BUCKET_MS, LONG_BUCKETS, MonotonicClock, SHORT_BUCKET_MS, SHORT_BUCKETS, coveredSeconds, longIndexOf, shortIndexOf, windowSpan,
} from './time-buckets.ts'
import { TimingSeries } from './timing-series.ts'
import { newTotal, type Total } from './totals.ts'
import type { History, HistoryPoint, MetricKind, SeriesHandle, SeriesSnapshot, Snapshot, Stats } from './types.ts'

/** One metric over one window (Aggregator#readWindow()). */
export interface WindowReading {
  /** The kind of the series read. */
  readonly kind: MetricKind
  /** What they add up to; null when nothing was recorded in the window (counters say 0 instead). */
  readonly stats: Stats | null
  /** How many series were added up. */
  readonly series: number
}

export interface AggregatorOptions {
  /** Most series kept; past it, a new series takes the place of the one recorded least recently. */
  readonly maxSeries: number
  /** Epoch ms; Date.now (as wallClockMs() reads it) by default (tests inject a fake one). */
  readonly now?: () => number
  /** Called once, the first time a series is evicted to make room (again after clear()). */
  readonly onFirstEviction?: () => void
}

type AnySeries = Series<Total>

const NO_SERIES: ReadonlySet<AnySeries> = new Set()

/**
 * In-process aggregation of metrics, per name and tag set, over sliding windows (1, 5, 15 and
 * 60 minutes) and as histories of time buckets. Memory is bounded: at most `maxSeries` series,
 * each with a fixed number of buckets and bin-limited sketches. Past `maxSeries`, a new series
 * takes the place of the one recorded least recently, so that a flood of new series cannot hide
 * what comes after it. Nothing runs on a timer: old buckets are reused when a series is next
 * touched. See docs/aggregation.md.
 */
export class Aggregator {
  readonly #maxSeries: number
  readonly #clock: MonotonicClock
  readonly #onFirstEviction: () => void
  /** By key, in the order they were created: reads list them in that order. */
  readonly #series = new Map<string, AnySeries>()
  /**
   * The same series, from the one whose latest 10-s bucket opened first (or that was never
   * recorded into) to the one whose opened last: the first is the next to be evicted.
   */
  readonly #recency = new Set<AnySeries>()
  /** The same series by name, each set in the order they were created: readWindow() looks a name up. */
  readonly #byName = new Map<string, Set<AnySeries>>()
  readonly #owner: SeriesOwner = {
    opened: (series) => {
      // Deleted and added again: it goes last.
      this.#recency.delete(series)
      this.#recency.add(series)
    },
    successorOf: (evicted) => this.#series.get(evicted.key) ?? this.#create(evicted.key, evicted.kind, evicted.name, evicted.tags),
  }

  /** Scratch bins for merging timing sketches during a read; empty between reads. */
  readonly #scratch = new CumulativeBins()
  /** The closed points of the histories read lately. */
  readonly #historyMemos = new HistoryMemos()
  #startedAt: number
  #evictedSeries = 0

  constructor (options: AggregatorOptions) {
    this.#maxSeries = options.maxSeries
    this.#clock = new MonotonicClock(options.now ?? wallClockMs)
    this.#onFirstEviction = options.onFirstEviction ?? (() => {})
    this.#startedAt = this.#clock.now()
  }

  /**
   * The handle of one series, created on first use. Once `maxSeries` series exist, a new one
   * evicts the series recorded least recently (its latest 10-s bucket is the oldest; one never
   * recorded into counts as recorded when created). A handle stays good after its series is
   * evicted: what it records goes to the series holding its key then, created again if need be.
   */
  series (kind: MetricKind, name: string, tags: readonly string[]): SeriesHandle {
    const canonical = canonicalTags(tags)
    const key = seriesKey(kind, name, canonical)
    return this.#series.get(key) ?? this.#create(key, kind, name, canonical)
  }

  /** A reading of the clock the series record with, for SeriesHandle#recordAt(). */
  now (): number {
    return this.#clock.now()
  }

  record (kind: MetricKind, name: string, tags: readonly string[], value: number): void {
    this.series(kind, name, tags).record(value)
  }

  /**
   * Adds what another process recorded into one series (a worker of the same app: see
   * cluster/), now: counters add, timing sketches merge, gauges combine. A delta of the wrong
   * shape is ignored; one for a name already held as another kind makes a series of its kind,
   * as record() would.
   */
  merge (delta: SeriesDelta): void {
    if (!isSeriesDelta(delta)) return
    const series = this.series(delta.kind, delta.name, delta.tags) as AnySeries
    series.mergeAt(delta, this.#clock.now())
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
    return { at: now, series, maxSeries: this.#maxSeries, evictedSeries: this.#evictedSeries }
  }

  /**
   * One metric name over time: per bucket (oldest first, the current partial one last), every
   * series of that name added up (counters summed, timing sketches merged, gauges combined),
   * grouped by the value of tag `groupByTag` (a series without it goes to group `''`). Without
   * `groupByTag` there is one group, `''`, present even when nothing was recorded. Series of
   * another kind than the name's first series are left out. The points of closed buckets are
   * kept from one call to the next (history-memo.ts): a call merges the current bucket only.
   * A series evicted since keeps its part in the points kept; a point merged after it was
   * evicted leaves it out.
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

    const memo = kind === undefined ? null : this.#historyMemos.of(name, kind, resolution, groupByTag, points)
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
   * One metric over the last `windowMs` (10 s to 60 minutes): every series of that name and of
   * one of `kinds` whose tags include `tags` (other tags may be anything), added up as history()
   * adds them. The kind read is that of the first such series (in the order they were created);
   * series of another kind are left out. Reads the buckets windowSpan() says: at least the
   * window, at most a bucket more (the 60-minute window excepted). Rates are per second of what
   * those buckets cover, since recording began. Null when no series matches; a counter with
   * nothing in the window reads 0. Nothing is kept from one call to the next: the cost is the
   * series of that name times the buckets of the window (docs/alerts.md, "Overhead").
   */
  readWindow (name: string, kinds: readonly MetricKind[], tags: TagEntries, windowMs: number): WindowReading | null {
    const now = this.#clock.now()
    const nowIndex = shortIndexOf(now)
    const span = windowSpan(now, windowMs)
    let kind: MetricKind | undefined
    let total: Total | undefined
    let matched = 0
    for (const one of this.#byName.get(name) ?? NO_SERIES) {
      if ((kind === undefined ? !kinds.includes(one.kind) : one.kind !== kind) || !hasTags(one.tagEntries, tags)) continue
      if (kind === undefined) {
        kind = one.kind
        total = newTotal(kind, this.#scratch)
      }
      matched++
      one.settle(nowIndex)
      for (let index = span.first; index <= span.last; index++) {
        if (span.ring === 'short') one.addShortBucket(total!, index)
        else one.addLongBucket(total!, index)
      }
    }
    if (kind === undefined || total === undefined) return null
    const stats = total.stats(coveredSeconds(span.start, Infinity, now, this.#startedAt))
    return { kind, stats: stats === null && kind === 'counter' ? { count: 0, ratePerSecond: 0 } : stats, series: matched }
  }

  /**
   * Forgets everything recorded, and the evictions counted. Series stay known (handles held by
   * callers keep recording into them) and keep counting against maxSeries; a snapshot leaves out
   * series with nothing recorded.
   */
  clear (): void {
    for (const one of this.#series.values()) one.clear()
    this.#evictedSeries = 0
    this.#startedAt = this.#clock.now()
    this.#historyMemos.clear()
  }

  /**
   * A new series, last in both orders. At the cap, the series recorded least recently makes
   * room, and gives the new one its storage if it is of the same kind.
   */
  #create (key: string, kind: MetricKind, name: string, tags: readonly string[]): AnySeries {
    let victim: AnySeries | null = null
    if (this.#series.size >= this.#maxSeries) {
      victim = this.#recency.values().next().value as AnySeries
      this.#recency.delete(victim)
      this.#series.delete(victim.key)
      const named = this.#byName.get(victim.name)!
      named.delete(victim)
      if (named.size === 0) this.#byName.delete(victim.name)
    }
    const series = createSeries(kind, name, tags, key, this.#clock, this.#owner, victim)
    this.#series.set(key, series)
    this.#recency.add(series)
    let named = this.#byName.get(name)
    if (named === undefined) this.#byName.set(name, named = new Set())
    named.add(series)
    if (victim !== null) {
      victim.evict()
      if (this.#evictedSeries++ === 0) this.#onFirstEviction()
    }
    return series
  }
}

/** Whether a series' tags hold every one of `wanted`. */
function hasTags (entries: TagEntries, wanted: TagEntries): boolean {
  for (const [key, value] of wanted) {
    if (tagValue(entries, key) !== value) return false
  }
  return true
}

/** `victim`: the series evicted to make room, if any; its storage is taken over when it is of `kind`. */
function createSeries (kind: MetricKind, name: string, tags: readonly string[], key: string, clock: MonotonicClock, owner: SeriesOwner, victim: AnySeries | null): AnySeries {
  switch (kind) {
    case 'counter': return new CounterSeries(name, tags, key, clock, owner, victim instanceof CounterSeries ? victim : null)
    case 'timing': return new TimingSeries(name, tags, key, clock, owner, victim instanceof TimingSeries ? victim : null)
    case 'gauge': return new GaugeSeries(name, tags, key, clock, owner, victim instanceof GaugeSeries ? victim : null)
  }
}
