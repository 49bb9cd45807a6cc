import diagnostics, { type TracingChannelSubscribers } from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import { currentRequestStore, type RequestStore } from '../context/request-context.ts'
import { commentInFlight } from './mysql2-comment.ts'
import type { QueryEvent } from './query-event.ts'
import { publishQuery, reportHookFailure } from './query-observers.ts'
import { withoutComment } from './sql-comment.ts'

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

/**
 * One query, from its `start` to its `asyncStart`: made at `start` and handed to the observers as
 * the event itself, its outcome filled in (one object per query).
 */
class Mysql2Query implements QueryEvent {
  readonly system = 'mysql'
  database: string | undefined = undefined
  statement = ''
  durationMs = 0
  rows: number | undefined = undefined
  error: unknown = undefined
  parameters: unknown = undefined
  readonly start: number
  readonly request: RequestStore | undefined
  /** The sqlcommenter comment vigie's `query` wrapper added (mysql2-comment.ts), taken back out of the statement reported. */
  readonly comment: string | undefined

  constructor (start: number, request: RequestStore | undefined, comment: string | undefined) {
    this.start = start
    this.request = request
    this.comment = comment
  }
}

// The context object mysql2 passes to every event of one query carries its Mysql2Query under this
// symbol (a property found on the object itself costs less than a WeakMap entry set, read and
// deleted per query; a symbol is invisible to JSON, Object.keys and other subscribers' fields).
const kQuery = Symbol('vigie.mysql2Query')

/**
 * Subscribes to mysql2's TracingChannels, whichever copy of mysql2 is loaded, before or after
 * vigie, through `require` or `import`: channels are process-wide by name. `start` is published
 * synchronously in the caller's async context (the request is read there), `asyncStart` once
 * the callback or the command's end is reached, with `result` or `error` on the context (Node
 * sets `error` whether or not its `error` channel is listened to). Only those two are subscribed:
 * `end`, `asyncEnd` and `error` then publish to no one, three calls a query fewer. Returns the
 * function that unsubscribes.
 */
export function subscribeMysql2Channels (): () => void {
  const handlers = {
    start (message: unknown): void {
      try {
        (message as Record<symbol, unknown>)[kQuery] = new Mysql2Query(performance.now(), currentRequestStore(), commentInFlight())
      } catch (err) {
        reportHookFailure('mysql2', err)
      }
    },
    asyncStart (message: unknown): void {
      try {
        const context = message as Mysql2Context & Record<symbol, unknown>
        const event = context[kQuery]
        if (!(event instanceof Mysql2Query)) return
        context[kQuery] = undefined
        const error = context.error
        const query = typeof context.query === 'string' ? context.query : ''
        event.database = typeof context.database === 'string' && context.database !== '' ? context.database : undefined
        event.statement = event.comment === undefined ? query : withoutComment(query, event.comment)
        event.durationMs = performance.now() - event.start
        if (error == null) event.rows = mysql2RowsOf(context.result)
        else event.error = error
        event.parameters = context.values ?? undefined
        publishQuery(event)
      } catch (err) {
        reportHookFailure('mysql2', err)
      }
    },
  }
  // Node's subscribe() and unsubscribe() skip the events a subscriber has no handler for (20 to 26); its types want all five.
  const subscribers = handlers as unknown as TracingChannelSubscribers<object>
  const channels = MYSQL2_CHANNELS.map((name) => diagnostics.tracingChannel(name))
  for (const channel of channels) channel.subscribe(subscribers)
  return function unsubscribeMysql2Channels () {
    for (const channel of channels) channel.unsubscribe(subscribers)
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
