import type { Aggregator } from '../aggregate/aggregator.js'
import type { FailureReporter } from '../core/failure-reporter.js'
import type { CapturedException, LifecycleSubscriber } from '../core/lifecycle-events.js'
import type { Endpoint } from '../core/vigie.js'
import type { MetricsDropped } from '../types.js'
import type { StatusProviders } from './dashboard-data.js'
import { DashboardHandler } from './dashboard-handler.js'
import { RecentExceptions } from './recent-exceptions.js'

/** The dashboard, as the composition module wires it. */
export interface Dashboard {
  readonly endpoint: Endpoint
  readonly subscriber: LifecycleSubscriber
}

/**
 * The live page at `options.path`: charts from `aggregator` (null when aggregation is off), the
 * latest exceptions, which it follows from the lifecycle, `metricsDropped()`, and the SLOs,
 * alerts and query fingerprints from `providers` (read at each poll; one that throws shows as
 * an empty list).
 */
export function dashboard (options: { readonly path: string, readonly token: string | undefined }, aggregator: Aggregator | null,
  metricsDropped: () => MetricsDropped | null, reporter: FailureReporter, providers: StatusProviders): Dashboard {
  const exceptions = new RecentExceptions()
  const handler = new DashboardHandler({
    aggregator,
    reporter,
    recentExceptions: () => exceptions.list(),
    metricsDropped,
    slos: () => providers.slos(),
    alerts: () => providers.alerts(),
    queries: () => providers.queries(),
  }, options)
  return {
    endpoint: handler,
    subscriber: {
      name: 'dashboard',
      exceptionCaptured ({ at, controller, record }: CapturedException) {
        exceptions.add({
          at,
          correlationId: record.correlationId,
          method: record.req.method,
          controller,
          status: record.res.statusCode,
          name: record.err?.type ?? `HTTP ${record.res.statusCode}`,
          message: record.err?.message ?? '',
        })
      },
    },
  }
}
