import type { FailureReporter } from '../core/failure-reporter.ts'
import type { LifecycleSubscriber } from '../core/lifecycle-events.ts'
import type { Endpoint } from '../core/vigie.ts'
import type { ResolvedHealth } from '../options/resolve-options.ts'
import { HealthHandler } from './health-handler.ts'

/** The health endpoints, as the composition module wires them. */
export interface Health {
  readonly endpoint: Endpoint
  readonly subscriber: LifecycleSubscriber
  /** `app.vigie.drain()`: ready answers fail ("draining") from now on. */
  readonly drain: () => void
}

/**
 * Liveness and readiness at `options.path` (docs/health.md). Check failures are scrubbed with
 * `scrubText`; vigie's own failures go to `reporter`. Closing drains, and stops the event-loop
 * histogram when the threshold on it holds one.
 */
export function health (options: ResolvedHealth, scrubText: (text: string) => string, reporter: Pick<FailureReporter, 'report'>): Health {
  const handler = new HealthHandler(options, scrubText, reporter)
  return {
    endpoint: handler,
    subscriber: {
      name: 'health',
      closing () {
        handler.close()
      },
    },
    drain () {
      handler.drain()
    },
  }
}
