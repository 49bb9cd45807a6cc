import type { Aggregator } from '../aggregate/aggregator.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { CapturedException, LifecycleSubscriber } from '../core/lifecycle-events.ts'
import type { SharedCounts } from '../core/shared-counts.ts'
import type { Endpoint } from '../core/vigie.ts'
import type { MetricsDropped } from '../types.ts'
import type { StatusProviders } from './dashboard-data.ts'
import { DashboardHandler } from './dashboard-handler.ts'
import { RECENT_EXCEPTIONS_CAPACITY, RecentExceptions, type RecentException } from './recent-exceptions.ts'

/** Longest text of a shared exception taken in (a message is cut to 500 characters, a route is bounded upstream). */
const MAX_TEXT = 4096

/** The dashboard, as the composition module wires it. */
export interface Dashboard {
  readonly endpoint: Endpoint
  readonly subscriber: LifecycleSubscriber
  /** The exceptions it lists, shared with the app's other workers in a cluster. */
  sharing: () => SharedCounts
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
  // Captured here since the other workers were last sent them: at most a list's worth.
  let unshared: RecentException[] | null = null
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
        const exception = exceptions.add({
          at,
          correlationId: record.correlationId,
          method: record.req.method,
          controller,
          status: record.res.statusCode,
          name: record.err?.type ?? `HTTP ${record.res.statusCode}`,
          message: record.err?.message ?? '',
        })
        if (unshared !== null) {
          if (unshared.length >= RECENT_EXCEPTIONS_CAPACITY) unshared.shift()
          unshared.push(exception)
        }
      },
    },
    sharing () {
      unshared ??= []
      return {
        take () {
          const taken = unshared ?? []
          unshared = []
          return taken
        },
        merge (items) {
          for (const item of items) {
            if (!isRecentException(item)) continue
            const { at, correlationId, method, controller, status, name, message } = item
            exceptions.add({ at, correlationId, method, controller, status, name, message })
          }
        },
      }
    },
  }
}

function isRecentException (item: unknown): item is RecentException {
  if (item === null || typeof item !== 'object') return false
  const { at, correlationId, method, controller, status, name, message } = item as Record<string, unknown>
  return typeof at === 'number' && typeof status === 'number' &&
    [correlationId, method, controller, name, message].every((text) => typeof text === 'string' && text.length <= MAX_TEXT)
}
