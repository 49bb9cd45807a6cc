import type { VigieLogger } from '../core/exception-capture.ts'
import { LineBudget, type LineSummary } from '../logging/line-budget.ts'
import type { Scrubber } from '../scrub/scrubber.ts'
import type { QueryEvent } from './query-event.ts'

/** Full `slow query` / `query failed` lines per fingerprint and interval; the rest are summarised. */
export const QUERY_LINES_PER_INTERVAL = 5
export const QUERY_LINES_INTERVAL_MS = 60_000
/** One `possible N+1` line per route and fingerprint per this long. */
export const N_PLUS_ONE_INTERVAL_MS = 600_000
/** Route and fingerprint pairs remembered for the N+1 interval; beyond it, the oldest go. */
export const MAX_N_PLUS_ONE_KEYS = 1000
const MAX_PARAMETER_ITEMS = 50

/** What a `slow query` or `query failed` line says of the query (`db` in the line). */
export interface QueryFacts {
  readonly system: QueryEvent['system']
  readonly name?: string
  readonly operation: string
  /** The fingerprint: no literal value. */
  readonly statement: string
  readonly durationMs: number
  readonly rows?: number
  /** The driver's code: SQLSTATE (pg) or errno/code (mysql2). */
  readonly code?: string | number
  /** Scrubbed, only with `database.logParameters`. */
  readonly parameters?: unknown
}

type LineKind = 'slow query' | 'query failed'

interface SummaryKind {
  readonly msg: LineKind
  readonly statement: string
  readonly system: QueryEvent['system']
}

/**
 * The lines vigie writes of queries, at level `warn`: `slow query`, `query failed` (each
 * rate-limited per fingerprint: QUERY_LINES_PER_INTERVAL full lines an interval, then one summary
 * with a count) and `possible N+1` (once per route and fingerprint per N_PLUS_ONE_INTERVAL_MS).
 */
export class QueryLines {
  readonly #logger: VigieLogger
  readonly #scrubber: Scrubber
  readonly #budget: LineBudget<SummaryKind>
  readonly #nPlusOneSeen = new Map<string, number>()

  constructor (logger: VigieLogger, scrubber: Scrubber) {
    this.#logger = logger
    this.#scrubber = scrubber
    this.#budget = new LineBudget({ perInterval: QUERY_LINES_PER_INTERVAL, intervalMs: QUERY_LINES_INTERVAL_MS }, (summary) => this.#summary(summary))
  }

  /** The `db` fields of a line, from a query's event and fingerprint. */
  facts (event: QueryEvent, operation: string, fingerprint: string, logParameters: boolean): QueryFacts {
    const facts: { -readonly [K in keyof QueryFacts]: QueryFacts[K] } = {
      system: event.system,
      operation,
      statement: fingerprint,
      durationMs: Math.round(event.durationMs * 1000) / 1000,
    }
    if (typeof event.database === 'string') facts.name = event.database
    if (typeof event.rows === 'number') facts.rows = event.rows
    if (event.error !== undefined) {
      const code = driverCode(event.error)
      if (code !== undefined) facts.code = code
    }
    if (logParameters && event.parameters !== undefined) facts.parameters = this.#scrubber.value(event.parameters, { maxArrayItems: MAX_PARAMETER_ITEMS })
    return facts
  }

  /** Writes one `slow query` or `query failed` line, unless its fingerprint is over its budget. */
  write (msg: LineKind, db: QueryFacts, correlationId: string | undefined, route: string | undefined): void {
    const admitted = this.#budget.admit(`${msg}\u0000${db.system}\u0000${db.statement}`, { msg, statement: db.statement, system: db.system }, correlationId)
    if (!admitted) return
    const fields: Record<string, unknown> = { vigie: msg === 'slow query' ? 'slow-query' : 'query-failed', db }
    if (correlationId !== undefined) fields.correlationId = correlationId
    if (route !== undefined) fields.route = route
    this.#logger.warn(fields, msg)
  }

  /** One `possible N+1` line for `count` queries of `fingerprint` in one request, unless one was written for the pair lately. */
  nPlusOne (route: string, system: QueryEvent['system'], fingerprint: string, count: number, correlationId: string): void {
    const key = `${route}\u0000${system}\u0000${fingerprint}`
    const now = Date.now()
    const last = this.#nPlusOneSeen.get(key)
    if (last !== undefined && now - last < N_PLUS_ONE_INTERVAL_MS) return
    this.#nPlusOneSeen.delete(key)
    if (this.#nPlusOneSeen.size >= MAX_N_PLUS_ONE_KEYS) this.#nPlusOneSeen.delete(this.#nPlusOneSeen.keys().next().value!)
    this.#nPlusOneSeen.set(key, now)
    this.#logger.warn({ vigie: 'n-plus-one', db: { system, statement: fingerprint, queries: count }, correlationId, route }, `possible N+1: ${count} × ${fingerprint}`)
  }

  /** Writes the pending summaries. */
  close (): void {
    this.#budget.close()
  }

  #summary ({ kind, suppressed, correlationIds }: LineSummary<SummaryKind>): void {
    const within = `in the last ${QUERY_LINES_INTERVAL_MS / 1000} s`
    if (kind === null) {
      this.#logger.warn({ vigie: 'query-summary', overflow: true, suppressed, correlationIds }, `${suppressed} more slow or failed queries of other statements ${within}`)
      return
    }
    const noun = kind.msg === 'slow query' ? 'slow' : 'failed'
    this.#logger.warn({ vigie: 'query-summary', line: kind.msg, db: { system: kind.system, statement: kind.statement }, suppressed, correlationIds },
      `${suppressed} more ${noun} ${suppressed === 1 ? 'query' : 'queries'} like ${kind.statement} ${within}`)
  }
}

/** pg's SQLSTATE (`code`), or mysql2's `code` (ER_…) with its `errno`; undefined for anything else. */
function driverCode (error: unknown): string | number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { code, errno } = error as { code?: unknown, errno?: unknown }
  if (typeof code === 'string' && code.length <= 64) return code
  if (typeof errno === 'number') return errno
  return undefined
}
