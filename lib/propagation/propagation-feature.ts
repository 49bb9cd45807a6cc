import type { OutgoingPolicy } from '../context/request-context.ts'
import type { LifecycleSubscriber } from '../core/lifecycle-events.ts'
import type { RequestMetrics } from '../metrics/request-metrics.ts'
import { acquire } from '../process-state.ts'
import { installOutgoingInstrumentation } from './outgoing.ts'

/** Outgoing propagation, as the composition module wires it. */
export interface Propagation {
  /** What each request of the app carries in its async context, for its outgoing calls. */
  readonly policy: OutgoingPolicy
  readonly subscriber: LifecycleSubscriber
}

/**
 * Adds the correlation header to the outgoing calls made inside the app's requests (to the
 * targets `allows` accepts) and counts them. The instrumentation is installed once per process,
 * however many apps use it, and removed when the last one closes.
 */
export function propagation (header: string, allows: (url: URL) => boolean, metrics: Pick<RequestMetrics, 'recordClientRequest'>): Propagation {
  const policy: OutgoingPolicy = Object.freeze({
    header,
    allows,
    record: (host: string, method: string, outcome: number | 'error', durationMs: number) =>
      metrics.recordClientRequest(host, method, outcome, durationMs),
  })
  const release = acquire(globalThis, 'outgoing-http', installOutgoingInstrumentation)
  return { policy, subscriber: { name: 'propagation', closing: release } }
}
