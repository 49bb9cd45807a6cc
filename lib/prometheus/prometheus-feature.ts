import type { VigieLogger } from '../core/exception-capture.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { LifecycleSubscriber } from '../core/lifecycle-events.ts'
import type { Endpoint } from '../core/vigie.ts'
import type { PrometheusSettings } from '../options/resolve-features.ts'
import { PrometheusEndpoint, type FleetExposition } from './prometheus-endpoint.ts'
import { PrometheusRegistry } from './prometheus-registry.ts'
import { serveMetrics } from './metrics-server.ts'

/** The Prometheus endpoint, as the composition module wires it. */
export interface PrometheusExposition {
  /** Follows every metric recorded (beside the aggregation, through one fan-out). */
  readonly registry: PrometheusRegistry
  /** What the app serves; null when the metrics have their own port. */
  readonly endpoint: Endpoint | null
  readonly subscriber: LifecycleSubscriber
}

/**
 * The registry of every metric, cumulative since start, at `settings.path` on the app, or on a
 * server of its own at `host:port` that closes with the app. At most `maxSeries` series. The
 * first series dropped is named in the warning, through `scrub`.
 */
export function prometheus (settings: PrometheusSettings, maxSeries: number, logger: VigieLogger, reporter: FailureReporter,
  scrub: (text: string) => string, fleet: FleetExposition | null = null): PrometheusExposition {
  const registry = new PrometheusRegistry({
    maxSeries,
    onFirstDrop: (reason, detail) => reporter.warnOnce(`prometheus-${reason}`, reason === 'series_cap'
      ? `vigie: ${maxSeries} Prometheus series reached; new series are not exposed, counted in vigie_prometheus_dropped_total{reason="series_cap"} (raise aggregation.maxSeries if that many series are legitimate)`
      : 'vigie: two metrics have the same Prometheus name; the first keeps it, the other is not exposed, counted in vigie_prometheus_dropped_total{reason="name_conflict"} (rename one of them)',
    { firstDropped: scrub(detail.slice(0, 200)), maxSeries }),
  })
  const endpoint = new PrometheusEndpoint(registry, settings, fleet)
  if (settings.port === null) return { registry, endpoint, subscriber: { name: 'prometheus' } }
  const server = serveMetrics(endpoint, settings.host, settings.port, logger, reporter)
  return { registry, endpoint: null, subscriber: { name: 'prometheus', closing: () => server.close() } }
}
