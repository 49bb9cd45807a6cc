import { performance } from 'node:perf_hooks'
import { currentRequestStore, type RequestStore } from '../context/request-context.ts'
import { sharedSymbol } from '../process-state.ts'
import { mysql2RowsOf } from './mysql2-channels.ts'
import { commentMysql2Query } from './mysql2-comment.ts'
import { hasQueryObservers, publishQuery, reportHookFailure } from './query-observers.ts'
import { withoutComment } from './sql-comment.ts'
import { installWrapper } from '../method-wrapper.ts'

type Method = (this: unknown, ...args: unknown[]) => unknown

/** Shared by every copy of vigie, so that none wraps a method another copy wrapped. */
const kMysql2Wrapper = sharedSymbol('mysql2QueryWrapper')

/**
 * For mysql2 3.x older than 3.20, which publishes no channel: wraps `query` and `execute` where
 * the connection class has them (`lib/base/connection.js` in late 3.x, `lib/connection.js`
 * before), which pools, pool connections and the promise wrapper all go through. Both return a
 * command object and call the callback given, if any: the command's `onResult` (the callback)
 * or, without one, its `emit` ('end', 'error') is followed on the object itself; what the app
 * gets is unchanged. Returns false when the class has no such methods (internals moved).
 */
export function wrapLegacyMysql2 (Connection: unknown, restores: Array<() => void>): boolean {
  let owner = (Connection as { prototype?: object } | null)?.prototype ?? null
  while (owner !== null && !Object.hasOwn(owner, 'query')) owner = Object.getPrototypeOf(owner) as object | null
  if (owner === null) return false
  const target = owner as Record<string, unknown>
  if (typeof target.query !== 'function' || typeof target.execute !== 'function') return false
  for (const key of ['query', 'execute'] as const) restores.push(wrap(target, key))
  return true
}

function wrap (target: Record<string, unknown>, key: 'query' | 'execute'): () => void {
  const original = target[key] as Method
  if (Object.hasOwn(original, kMysql2Wrapper)) return noop
  let active = true
  const wrapper: Method = function (this: unknown, ...args: unknown[]): unknown {
    if (!active || !hasQueryObservers()) return Reflect.apply(original, this, args)
    let pending: Pending | undefined
    try {
      pending = begin(this, args)
    } catch (err) {
      reportHookFailure('mysql2', err)
    }
    if (key === 'query' && pending !== undefined) {
      try {
        const commented = commentMysql2Query(args[0], pending.request)
        if (commented !== undefined) {
          args[0] = commented.sql
          pending.comment = commented.comment
        }
      } catch (err) {
        reportHookFailure('mysql2', err)
      }
    }
    const command = Reflect.apply(original, this, args)
    if (pending === undefined) return command
    try {
      follow(command, pending)
    } catch (err) {
      reportHookFailure('mysql2', err)
    }
    return command
  }
  const restore = installWrapper(target, key, original, wrapper, kMysql2Wrapper)
  return function unwrap () {
    active = false
    restore()
  }
}

/** One call in flight: `finish` reports it once. */
interface Pending {
  /** The statement: as given, then as mysql2 formatted it when the command says. */
  statement: unknown
  /** The sqlcommenter comment added to `query`'s statement (mysql2-comment.ts), kept out of `statement`. */
  comment: string | undefined
  readonly request: RequestStore | undefined
  readonly finish: (error: unknown, result: unknown) => void
  /** The app's callback was given as an argument, and is now called through `finish`. */
  readonly calledBack: boolean
}

/**
 * Starts the clock and reads the request; wraps a callback given as an argument (3.x calls it
 * directly, not only through the command, when `execute`'s prepare fails).
 */
function begin (connection: unknown, args: unknown[]): Pending {
  const start = performance.now()
  const request = currentRequestStore()
  const sql = args[0]
  // `query(sql, values)`, else an options object's or a Query command's own.
  const values = args[1] !== undefined && args[1] !== null && typeof args[1] !== 'function' ? args[1] : (sql as { values?: unknown } | null)?.values
  const database = (connection as { config?: { database?: unknown } } | null)?.config?.database
  let done = false
  const finish = (error: unknown, result: unknown): void => {
    if (done) return
    done = true
    try {
      publishQuery({
        system: 'mysql',
        database: typeof database === 'string' && database !== '' ? database : undefined,
        statement: typeof pending.statement === 'string' ? pending.statement : '',
        durationMs: performance.now() - start,
        rows: error == null ? mysql2RowsOf(result) : undefined,
        error: error ?? undefined,
        request,
        parameters: values ?? undefined,
      })
    } catch (err) {
      reportHookFailure('mysql2', err)
    }
  }
  const at = typeof args[1] === 'function' ? 1 : typeof args[2] === 'function' ? 2 : -1
  if (at !== -1) {
    const callback = args[at] as Method
    args[at] = function (this: unknown, ...results: unknown[]): unknown {
      finish(results[0], results[1])
      return Reflect.apply(callback, this, results)
    }
  }
  const pending: Pending = { statement: typeof sql === 'string' ? sql : (sql as { sql?: unknown } | null)?.sql, comment: undefined, request, finish, calledBack: at !== -1 }
  return pending
}

/** Without a callback argument: the command's own `onResult` (a pool's query), else its events. */
function follow (command: unknown, pending: Pending): void {
  if (command === null || typeof command !== 'object') return
  const cmd = command as Record<string, unknown>
  // The statement as formatted by mysql2 (query), when it says.
  if (typeof cmd.sql === 'string') pending.statement = pending.comment === undefined ? cmd.sql : withoutComment(cmd.sql, pending.comment)
  if (pending.calledBack) return
  const { finish } = pending
  const onResult = cmd.onResult
  if (typeof onResult === 'function') {
    cmd.onResult = function (this: unknown, ...results: unknown[]): unknown {
      finish(results[0], results[1])
      return Reflect.apply(onResult, this, results)
    }
    return
  }
  const emit = cmd.emit
  if (typeof emit !== 'function') return
  cmd.emit = function (this: unknown, event: unknown, ...rest: unknown[]): unknown {
    if (event === 'error') finish(rest[0], undefined)
    else if (event === 'end') finish(undefined, undefined)
    return Reflect.apply(emit, this, [event, ...rest])
  }
}

function noop (): void {}
