import diagnostics from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import { currentRequestStore, type RequestStore } from '../context/request-context.js'
import { commentInFlight } from './mysql2-comment.js'
import { publishQuery, reportHookFailure } from './query-observers.js'
import { withoutComment } from './sql-comment.js'

/** mysql2 publishes these TracingChannels from 3.20 on (lib/tracing.js). */
export const MYSQL2_CHANNELS = ['mysql2:query', 'mysql2:execute'] as const
/** The first mysql2 version that publishes them. */
export const MYSQL2_CHANNELS_SINCE = '3.20.0'

/** What mysql2 puts in a channel's context object (`query`, `database`…), and what vigie adds to it. */
interface Mysql2Context {
  readonly query?: unknown
  readonly values?: unknown
  readonly database?: unknown
  readonly result?: unknown
  readonly error?: unknown
}

interface Started {
  readonly start: number
  readonly request: RequestStore | undefined
  /** The sqlcommenter comment vigie's `query` wrapper added (mysql2-comment.ts), taken back out of the statement reported. */
  readonly comment: string | undefined
}

// The context object mysql2 passes to every event of one query: the start is kept beside it.
const started = new WeakMap<object, Started>()

/**
 * Subscribes to mysql2's TracingChannels, whichever copy of mysql2 is loaded, before or after
 * vigie, through `require` or `import`: channels are process-wide by name. `start` is published
 * synchronously in the caller's async context (the request is read there), `asyncStart` once
 * the callback or the command's end is reached, with `result` or `error` on the context. Returns
 * the function that unsubscribes.
 */
export function subscribeMysql2Channels (): () => void {
  const handlers = {
    start (message: unknown): void {
      try {
        started.set(message as object, { start: performance.now(), request: currentRequestStore(), comment: commentInFlight() })
      } catch (err) {
        reportHookFailure('mysql2', err)
      }
    },
    end () {},
    asyncStart (message: unknown): void {
      try {
        const context = message as Mysql2Context
        const begun = started.get(context)
        if (begun === undefined) return
        started.delete(context)
        const error = context.error
        const query = typeof context.query === 'string' ? context.query : ''
        publishQuery({
          system: 'mysql',
          database: typeof context.database === 'string' && context.database !== '' ? context.database : undefined,
          statement: begun.comment === undefined ? query : withoutComment(query, begun.comment),
          durationMs: performance.now() - begun.start,
          rows: error == null ? mysql2RowsOf(context.result) : undefined,
          error: error ?? undefined,
          request: begun.request,
          parameters: context.values ?? undefined,
        })
      } catch (err) {
        reportHookFailure('mysql2', err)
      }
    },
    asyncEnd () {},
    error () {},
  }
  const channels = MYSQL2_CHANNELS.map((name) => diagnostics.tracingChannel(name))
  for (const channel of channels) channel.subscribe(handlers)
  return function unsubscribeMysql2Channels () {
    for (const channel of channels) channel.unsubscribe(handlers)
  }
}

/** Rows returned (an array) or affected (a ResultSetHeader's `affectedRows`). */
export function mysql2RowsOf (result: unknown): number | undefined {
  if (Array.isArray(result)) return result.length
  const affected = (result as { affectedRows?: unknown } | null | undefined)?.affectedRows
  return typeof affected === 'number' ? affected : undefined
}

/** Whether a mysql2 `version` publishes the channels (3.20 or later). */
export function mysql2HasChannels (version: string): boolean {
  const [major, minor] = version.split('.').map(Number)
  return major > 3 || (major === 3 && minor >= 20)
}
