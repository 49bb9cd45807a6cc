import { performance } from 'node:perf_hooks'
import { currentRequestStore, type RequestStore } from '../context/request-context.ts'
import { sharedSymbol } from '../process-state.ts'
import type { QueryEvent } from './query-event.ts'
import { hasQueryObservers, publishQuery, reportHookFailure } from './query-observers.ts'
import { installWrapper } from '../method-wrapper.ts'
import { requestComment, withComment } from './sql-comment.ts'

type QueryMethod = (this: unknown, ...args: unknown[]) => unknown
type Callback = (this: unknown, ...args: unknown[]) => unknown

/** Shared by every copy of vigie, so that none wraps a method another copy wrapped. */
const kPgWrapper = sharedSymbol('pgQueryWrapper')

/**
 * One query in flight, reported once when it ends: the event the observers get is this object
 * itself, its outcome filled in by {@link finish} (one object per query, not two).
 */
class PendingQuery implements QueryEvent {
  readonly system = 'postgresql'
  durationMs = 0
  rows: number | undefined = undefined
  error: unknown = undefined
  done = false
  readonly start: number
  readonly statement: string
  readonly database: string | undefined
  readonly request: RequestStore | undefined
  /** The values sent with the statement, as given. */
  readonly parameters: unknown

  constructor (start: number, statement: string, database: string | undefined, request: RequestStore | undefined, parameters: unknown) {
    this.start = start
    this.statement = statement
    this.database = database
    this.request = request
    this.parameters = parameters
  }
}

/**
 * Wraps `Client.prototype.query` of one copy of `pg` (pools and ORMs go through it), as
 * OpenTelemetry's instrumentation does. The seam: this is the only place that knows pg's call
 * shapes; a `pg:query` diagnostics channel, once pg publishes one, replaces it by calling
 * {@link finish} from its subscriber. Each form keeps its shape: the promise form returns a
 * promise of the same class settling the same way (one derived with `then`), the callback form
 * calls the app's callback with the driver's own arguments, and a submittable (pg's `Query`,
 * pg-query-stream, pg-cursor) is returned as is, followed through its own `emit` and `callback`.
 * Inside a request whose app asks for it (`database.comment`), the statement sent gets a
 * sqlcommenter comment (withPgComment); the statement reported is the one the app gave.
 * Returns the function that puts the original back (unless someone wrapped it since).
 */
export function wrapPgQuery (prototype: Record<string, unknown>): () => void {
  const original = prototype.query
  if (typeof original !== 'function' || Object.hasOwn(original, kPgWrapper)) return noop
  const callThrough = original as QueryMethod
  let active = true
  // Named parameters and `arguments` rather than a rest array: pg's `query(config, values,
  // callback)` is called through with as many arguments as the app gave, and no array is made
  // for the usual one to three.
  const wrapper = function query (this: unknown, config: unknown, values: unknown, callback: unknown): unknown {
    if (!active || !hasQueryObservers()) return Reflect.apply(callThrough, this, arguments)
    const count = arguments.length
    let pending: PendingQuery | undefined
    try {
      pending = begin(this, config, values)
      if (pending !== undefined) {
        if (typeof values === 'function') values = callbackThrough(values as Callback, pending)
        else if (typeof callback === 'function') callback = callbackThrough(callback as Callback, pending)
      }
    } catch (err) {
      pending = undefined
      reportHookFailure('pg', err)
    }
    let sent = config
    try {
      const commented = withPgComment(config, pending?.request)
      if (commented !== undefined) sent = commented
    } catch (err) {
      reportHookFailure('pg', err)
    }
    let result: unknown
    if (count <= 3) {
      result = count === 1
        ? callThrough.call(this, sent)
        : count === 2 ? callThrough.call(this, sent, values) : count === 3 ? callThrough.call(this, sent, values, callback) : callThrough.call(this)
    } else {
      const args = Array.from(arguments)
      args[0] = sent
      args[1] = values
      args[2] = callback
      result = Reflect.apply(callThrough, this, args)
    }
    if (pending === undefined) return result
    try {
      return follow(result, config, pending)
    } catch (err) {
      reportHookFailure('pg', err)
      return result
    }
  }
  const restore = installWrapper(prototype, 'query', callThrough, wrapper, kPgWrapper)
  return function unwrapPgQuery () {
    active = false
    restore()
  }
}

function begin (client: unknown, config: unknown, values: unknown): PendingQuery | undefined {
  if (config === null || config === undefined) return undefined
  // `query(text, values)` (pg takes any value there that is not a function), else the config's or submittable's own.
  const sent = values !== undefined && values !== null && typeof values !== 'function' ? values : (config as { values?: unknown }).values
  // pg-query-stream keeps its text on its cursor.
  const statement = typeof config === 'string' ? config : (config as { text?: unknown }).text ?? (config as { cursor?: { text?: unknown } }).cursor?.text
  const connection = client as { database?: unknown, connectionParameters?: { database?: unknown } } | null
  const database = connection?.database ?? connection?.connectionParameters?.database
  return new PendingQuery(performance.now(), typeof statement === 'string' ? statement : '', typeof database === 'string' ? database : undefined,
    currentRequestStore(), sent ?? undefined)
}

/**
 * What pg is given instead of `config` when the request asks for a sqlcommenter comment
 * (sql-comment.ts): the text with the comment, or a copy of a plain config object with it (the
 * caller's object is never changed). Undefined (sent as it is) for a named prepared statement
 * (one text per name, and the server would see it change), any submittable or other class
 * instance, and whatever withComment() skips.
 */
function withPgComment (config: unknown, request: RequestStore | undefined): unknown {
  const comment = requestComment(request)
  if (comment === undefined) return undefined
  if (typeof config === 'string') return withComment(config, comment)
  if (config === null || typeof config !== 'object') return undefined
  const prototype = Object.getPrototypeOf(config) as unknown
  if (prototype !== Object.prototype && prototype !== null) return undefined
  const { text, name, submit } = config as { text?: unknown, name?: unknown, submit?: unknown }
  if (typeof text !== 'string' || (name !== undefined && name !== null && name !== '') || submit !== undefined) return undefined
  const commented = withComment(text, comment)
  return commented === undefined ? undefined : { ...config, text: commented }
}

/** The callback form, `query(text, cb)` or `query(text, values, cb)`: the app's callback, called through ours. */
function callbackThrough (callback: Callback, pending: PendingQuery): Callback {
  return function (this: unknown, error: unknown, result: unknown): unknown {
    finish(pending, error, result)
    return Reflect.apply(callback, this, arguments)
  }
}

/** The promise form gets a promise derived from pg's; a submittable is followed through its events. */
function follow (result: unknown, config: unknown, pending: PendingQuery): unknown {
  if (typeof (config as { submit?: unknown }).submit === 'function') {
    followSubmittable(config as Record<string, unknown>, pending)
    return result
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    return (result as Promise<unknown>).then(
      (value) => { finish(pending, undefined, value); return value },
      (err: unknown) => { finish(pending, err, undefined); throw err })
  }
  return result
}

/**
 * The error Node gives a stream its reader stopped early (`for await` … `break`): the app asked
 * for no more rows, the database failed nothing. pg's own errors carry a SQLSTATE instead.
 */
function abandoned (error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ABORT_ERR'
}

/**
 * pg calls a submittable's `callback` when it has one, and it emits `end` (a pg `Query`, a
 * stream once read) or `error`. Both are followed on the object itself, without adding listeners:
 * an `error` listener would stop an unhandled error from being thrown.
 */
function followSubmittable (submittable: Record<string, unknown>, pending: PendingQuery): void {
  const emit = submittable.emit
  if (typeof emit === 'function') {
    submittable.emit = function (this: unknown, event: unknown, ...rest: unknown[]): unknown {
      if (event === 'end' || event === 'close') finish(pending, undefined, rest[0])
      else if (event === 'error') finish(pending, abandoned(rest[0]) ? undefined : rest[0], undefined)
      return Reflect.apply(emit, this, [event, ...rest])
    }
  }
  const callback = submittable.callback
  if (typeof callback === 'function') {
    submittable.callback = function (this: unknown, ...results: unknown[]): unknown {
      finish(pending, results[0], results[1])
      return Reflect.apply(callback, this, results)
    }
  }
}

/** Reports the query once; never throws. The seam a `pg:query` channel's subscriber would call. */
export function finish (pending: PendingQuery, error: unknown, result: unknown): void {
  if (pending.done) return
  pending.done = true
  try {
    pending.durationMs = performance.now() - pending.start
    if (error == null) pending.rows = rowsOf(result)
    else pending.error = error
    publishQuery(pending)
  } catch (err) {
    reportHookFailure('pg', err)
  }
}

/** `rowCount` of a result, or the sum over the results of a multi-statement query. */
function rowsOf (result: unknown): number | undefined {
  if (Array.isArray(result)) {
    let total = 0
    for (const one of result) total += rowsOf(one) ?? 0
    return total
  }
  const count = (result as { rowCount?: unknown } | null | undefined)?.rowCount
  return typeof count === 'number' ? count : undefined
}

function noop (): void {}
