import type { FailureReporter } from '../core/failure-reporter.ts'
import type { LifecycleSubscriber } from '../core/lifecycle-events.ts'
import type { SharedCounts } from '../core/shared-counts.ts'
import type { VigieLogger } from '../core/exception-capture.ts'
import { NO_CONTROLLER, type RequestMetrics } from '../metrics/request-metrics.ts'
import type { DatabaseSettings } from '../options/resolve-features.ts'
import { acquire } from '../process-state.ts'
import type { Scrubber } from '../scrub/scrubber.ts'
import { installDriverHooks } from './driver-hooks.ts'
import type { TopQueries } from '../types.ts'
import { FingerprintTable, statementKey } from './fingerprint-table.ts'
import type { QueryEvent } from './query-event.ts'
import { QueryLines } from './query-lines.ts'
import { addQueryObserver } from './query-observers.ts'

/** The database feature, as the composition module wires it. */
export interface DatabaseFeature {
  readonly subscriber: LifecycleSubscriber
  /** The top statement fingerprints by total time (`app.vigie.queries()`). */
  queries: () => TopQueries
  /** The fingerprints' figures, shared with the app's other workers in a cluster (from this call on). */
  sharing: () => SharedCounts
}

export interface DatabaseParts {
  readonly metrics: Pick<RequestMetrics, 'recordQuery'>
  readonly reporter: Pick<FailureReporter, 'warnOnce'>
  readonly logger: VigieLogger
  readonly scrubber: Scrubber
}

/**
 * Database queries for one app: counter `db.query` and timing `db.query.response_time`, the
 * statement fingerprints' table, the `slow query` and `query failed` lines, and per request its
 * queries' count and time and the N+1 check. A query sent inside one of this app's requests is
 * counted under its controller; one sent inside another app's request is left to that app; one
 * sent outside any request is counted by every app that counts queries, under `none`. The driver
 * hooks are installed once per process, however many apps use them, and removed when the last
 * one closes.
 */
export function databaseFeature (owner: object, settings: DatabaseSettings, parts: DatabaseParts): DatabaseFeature {
  const { metrics, reporter } = parts
  const table = new FingerprintTable()
  const lines = new QueryLines(parts.logger, parts.scrubber)
  const observe = (event: QueryEvent): void => {
    const store = event.request
    const scope = store?.queries
    let controller = NO_CONTROLLER
    if (scope !== undefined) {
      if (scope.owner !== owner) return
      controller = scope.controller() ?? NO_CONTROLLER
    }
    // A statement sent again (the usual case) costs one Map lookup for its fingerprint and
    // operation together (the table's memo), not a fingerprint pass and a keyword scan.
    const facts = table.statementFacts(event.statement, event.system)
    const operation = facts.operation
    const failed = event.error !== undefined
    metrics.recordQuery(event.system, operation, failed ? 'error' : 'ok', controller, event.durationMs)
    const key = table.record(event, facts)
    scope?.add(key, event.durationMs)
    if (!failed && !(event.durationMs > settings.slowQueryMs)) return
    const db = lines.facts(event, operation, statementKey(key).fingerprint, settings.logParameters)
    const route = controller === NO_CONTROLLER ? undefined : controller
    if (failed && scope !== undefined) scope.failed = { ...db }
    lines.write(failed ? 'query failed' : 'slow query', db, store?.correlationId, route)
  }
  const removeObserver = addQueryObserver(observe, (key, message) => reporter.warnOnce(key, message))
  const release = acquire(globalThis, 'database-driver-hooks', installDriverHooks)
  const nPlusOne = settings.nPlusOne
  return {
    queries: () => table.top(),
    sharing () {
      table.startSharing()
      return {
        take: () => table.takeShared(),
        merge (items) {
          for (const item of items) table.mergeShared(item)
        },
      }
    },
    subscriber: {
      name: 'database',
      requestQueried: nPlusOne === null
        ? undefined
        : (controller, queries) => {
            for (const [key, count] of queries.repeatedOver(nPlusOne)) {
              const { system, fingerprint } = statementKey(key)
              lines.nPlusOne(controller, system, fingerprint, count, queries.correlationId)
            }
          },
      closing () {
        removeObserver()
        release()
        lines.close()
      },
    },
  }
}
