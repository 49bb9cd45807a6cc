import type { MetricKind } from '../types.ts'

/**
 * Where one series' values go; callers on a hot path keep it rather than look it up per call. It
 * stays good when the recorder evicts its series: what it records then goes to the series that
 * holds the same name and tags.
 */
export interface SeriesHandle {
  record: (value: number) => void
  /** The same at `time`, a reading of the recorder's clock (now()): the records of one event share one reading. */
  recordAt: (value: number, time: number) => void
}

/**
 * What follows every metric vigie sends (the in-process aggregation implements it): series are
 * looked up once and kept by the sender, the rarer metrics are recorded by name and tags.
 */
export interface MetricRecorder {
  now: () => number
  series: (kind: MetricKind, name: string, tags: readonly string[]) => SeriesHandle
  record: (kind: MetricKind, name: string, tags: readonly string[], value: number) => void
}

/** The recording of what is sent through the app's StatsD client: vigie mutes it around its own sends, recorded already. */
export interface SendRecording {
  muted: boolean
}
