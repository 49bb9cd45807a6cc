import type { StatsD } from 'hot-shots'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { LifecycleSubscriber } from '../core/lifecycle-events.ts'
import type { MetricRecorder } from '../metrics/metric-recorder.ts'
import { Aggregator } from './aggregator.ts'
import { recordStatsdSends, type StatsdRecording } from './statsd-recording.ts'

/**
 * In-process aggregation over sliding windows (`app.vigie.snapshot()`): the aggregator, which
 * follows every metric sent once the composition module hands it to followSends() (with the
 * Prometheus registry, if any, through one fan-out).
 */
export function aggregation (maxSeries: number, reporter: FailureReporter): Aggregator {
  return new Aggregator({
    maxSeries,
    onFirstEviction: () => reporter.warnOnce('series-cap',
      `vigie: ${maxSeries} aggregated series reached; each new series now evicts the one recorded least recently, counted in snapshot().evictedSeries (raise aggregation.maxSeries if that many series are legitimate)`,
      { maxSeries }),
  })
}

/** What the app sends through its client, followed. */
export interface FollowedSends {
  /** Null for a client that cannot be followed. */
  readonly recording: StatsdRecording | null
  readonly subscriber: LifecycleSubscriber
}

/** Records into `recorder` what is sent through `client` (vigie's own sends are muted: recorded already); closing stops following it. */
export function followSends (client: StatsD, recorder: MetricRecorder, reporter: FailureReporter): FollowedSends {
  const recording = recordStatsdSends(client, recorder, (err) => reporter.report('aggregation', err))
  return { recording, subscriber: { name: 'aggregation', closing: () => recording?.restore() } }
}
