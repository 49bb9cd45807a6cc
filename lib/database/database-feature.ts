import type { FailureReporter } from '../core/failure-reporter.js'
import type { LifecycleSubscriber } from '../core/lifecycle-events.js'
import { NO_CONTROLLER, type RequestMetrics } from '../metrics/request-metrics.js'
import { acquire } from '../process-state.js'
import { installDriverHooks } from './driver-hooks.js'
import type { QueryEvent } from './query-event.js'
import { addQueryObserver } from './query-observers.js'
import { statementOperation } from './statement-operation.js'

/**
 * Database query metrics for one app: counter `db.query` and timing `db.query.response_time`,
 * tagged `db_system`, `db_operation`, `outcome` and `controller`. A query sent inside one of
 * this app's requests is counted under its controller; one sent inside another app's request is
 * left to that app; one sent outside any request is counted by every app that counts queries,
 * under `none`. The driver hooks are installed once per process, however many apps use them, and
 * removed when the last one closes.
 */
export function databaseMetrics (owner: object, metrics: Pick<RequestMetrics, 'recordQuery'>, reporter: Pick<FailureReporter, 'warnOnce'>): LifecycleSubscriber {
  const observe = (event: QueryEvent): void => {
    const scope = event.request?.queries
    let controller = NO_CONTROLLER
    if (scope !== undefined) {
      if (scope.owner !== owner) return
      controller = scope.controller() ?? NO_CONTROLLER
    }
    metrics.recordQuery(event.system, statementOperation(event.statement), event.error === undefined ? 'ok' : 'error', controller, event.durationMs)
  }
  const removeObserver = addQueryObserver(observe, (key, message) => reporter.warnOnce(key, message))
  const release = acquire(globalThis, 'database-driver-hooks', installDriverHooks)
  return {
    name: 'database',
    closing () {
      removeObserver()
      release()
    },
  }
}
