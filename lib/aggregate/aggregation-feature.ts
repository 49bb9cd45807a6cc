import type { StatsD } from 'hot-shots'
import type { FailureReporter } from '../core/failure-reporter.js'
import type { LifecycleSubscriber } from '../core/lifecycle-events.js'
import { Aggregator } from './aggregator.js'
import { recordStatsdSends, type StatsdRecording } from './statsd-recording.js'

/** In-process aggregation, as the composition module wires it. */
export interface Aggregation {
  /** Follows every metric vigie sends (RequestMetrics records into it). */
  readonly aggregator: Aggregator
  /** Follows what the app sends through its client; null for a client that cannot be followed. */
  readonly recording: StatsdRecording | null
  readonly subscriber: LifecycleSubscriber
}

/**
 * Aggregates every metric sent, vigie's own and those sent through `client`, over sliding
 * windows (`app.vigie.snapshot()`). Closing stops following the client.
 */
export function aggregation (maxSeries: number, client: StatsD, reporter: FailureReporter): Aggregation {
  const aggregator = new Aggregator({
    maxSeries,
    onFirstEviction: () => reporter.warnOnce('series-cap',
      `vigie: ${maxSeries} aggregated series reached; each new series now evicts the one recorded least recently, counted in snapshot().evictedSeries (raise aggregation.maxSeries if that many series are legitimate)`,
      { maxSeries }),
  })
  const recording = recordStatsdSends(client, aggregator, (err) => reporter.report('aggregation', err))
  return {
    aggregator,
    recording,
    subscriber: { name: 'aggregation', closing: () => recording?.restore() },
  }
}
