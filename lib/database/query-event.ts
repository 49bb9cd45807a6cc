import type { RequestStore } from '../context/request-context.ts'

/** What a database driver hook reports of one finished query (pg, mysql2). */
export interface QueryEvent {
  readonly system: 'postgresql' | 'mysql'
  /** The database's name, when the connection says it. */
  readonly database: string | undefined
  /** The statement as sent: may hold literal values, so it is never logged or tagged as is. */
  readonly statement: string
  readonly durationMs: number
  /** Rows returned or affected, when the driver says. */
  readonly rows: number | undefined
  /** The driver's error; undefined when the query succeeded. */
  readonly error: unknown
  /**
   * The async context of the request that sent the query, read when it was sent; undefined
   * outside a request (or with `asyncContext: false`). Added by the driver hooks (optional field).
   */
  readonly request?: RequestStore
  /** The values sent with the statement (pg's `values`, mysql2's), when there were any. */
  readonly parameters?: unknown
}

/** Receives each finished query; never throws into the driver's path. */
export type QueryObserver = (event: QueryEvent) => void
