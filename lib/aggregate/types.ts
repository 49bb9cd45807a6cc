import type { Snapshot as AppSnapshot, Stats } from '../types.ts'

export type { MetricKind, WindowName, CounterStats, TimingStats, GaugeStats, Stats, SeriesSnapshot } from '../types.ts'

/** What the aggregator knows of a snapshot: all of it but `metricsDropped`, which vigie adds (compose.ts). */
export type Snapshot = Omit<AppSnapshot, 'metricsDropped'>
export type { SeriesHandle } from '../metrics/metric-recorder.ts'

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
