/** How a series is aggregated: StatsD `c` → counter; `ms`, `h` and `d` → timing; `g` → gauge. */
export type MetricKind = 'counter' | 'timing' | 'gauge'

/** The sliding windows of a snapshot. */
export type WindowName = '1m' | '5m' | '15m' | '60m'

/** A counter over a window: the sum of its increments, and that sum per second. */
export interface CounterStats {
  count: number
  ratePerSecond: number
}

/** Timings over a window, in the unit they were recorded in (ms for vigie's own). */
export interface TimingStats {
  count: number
  /** Exact. */
  min: number
  /** Exact. */
  max: number
  /** Exact. */
  mean: number
  /** From a DDSketch: within its relative accuracy of the exact value (docs/aggregation.md). */
  median: number
  p90: number
  p95: number
  p99: number
}

/** Gauge samples over a window. */
export interface GaugeStats {
  /** The latest sample. */
  last: number
  min: number
  max: number
  mean: number
  samples: number
}

export type Stats = CounterStats | TimingStats | GaugeStats

/** One series (a metric name and a tag set) over every window. */
export interface SeriesSnapshot {
  /** Without the StatsD prefix. */
  name: string
  kind: MetricKind
  /** `'k:v'` tags split at the first `:`; a tag without `:` maps to `''`. Global tags are not included. */
  tags: Record<string, string>
  /** null: nothing recorded in that window. */
  windows: Record<WindowName, Stats | null>
}

export interface Snapshot {
  /** Epoch ms when taken. */
  at: number
  /** Every series with a record in the last 60 minutes. */
  series: SeriesSnapshot[]
  maxSeries: number
  /** Records refused because maxSeries series already existed. */
  droppedRecords: number
}

/** One time bucket of a history. */
export interface HistoryPoint {
  /** Epoch ms of the bucket's start. */
  start: number
  /** null: nothing recorded in that bucket. */
  stats: Stats | null
}

/** Time buckets of one metric name, oldest first, the current partial bucket last. */
export interface History {
  resolution: '10s' | '1m'
  /** Points per group: 30 at `'10s'` (5 minutes), 60 at `'1m'` (60 minutes). */
  points: number
  /** By the value of the grouping tag (`''`: every series when not grouped, or lacking the tag). */
  groups: Record<string, HistoryPoint[]>
}

/** Where one series' values go; callers on a hot path keep it rather than look it up per call. */
export interface SeriesHandle {
  record: (value: number) => void
  /** The same at `time`, a reading of the aggregator's clock (Aggregator#now()): the records of one event share one reading. */
  recordAt: (value: number, time: number) => void
}
