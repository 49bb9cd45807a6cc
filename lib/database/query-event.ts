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
}

/** Receives each finished query; never throws into the driver's path. */
export type QueryObserver = (event: QueryEvent) => void
