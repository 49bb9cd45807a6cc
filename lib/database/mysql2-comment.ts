import { currentRequestStore, type RequestStore } from '../context/request-context.ts'
import { installWrapper } from '../method-wrapper.ts'
import { sharedSymbol } from '../process-state.ts'
import { reportHookFailure } from './query-observers.ts'
import { requestComment, withComment } from './sql-comment.ts'

type Method = (this: unknown, ...args: unknown[]) => unknown

/** Shared by every copy of vigie, so that none wraps a method another copy wrapped. */
const kMysql2CommentWrapper = sharedSymbol('mysql2CommentWrapper')

/** A statement given a sqlcommenter comment: what to pass to mysql2's `query` instead, and the comment. */
export interface Mysql2Commented {
  readonly sql: unknown
  readonly comment: string
}

/**
 * The first argument of mysql2's `query` with the request's sqlcommenter comment (sql-comment.ts)
 * when the request asks for one: a string gets it; an options object `{ sql }` is copied (the
 * caller's object is never changed); a `Query` command (what a pool passes to its connection's
 * `query`, made by mysql2 from the caller's arguments, and whose `sql` mysql2 itself rewrites
 * with the formatted text) gets it in its `sql`. Undefined when nothing is to be done: no
 * request asking for it, or a statement withComment() skips. `execute` is never given one: a
 * statement text per request would defeat mysql2's prepared-statement cache.
 */
export function commentMysql2Query (sql: unknown, request: RequestStore | undefined): Mysql2Commented | undefined {
  const comment = requestComment(request)
  if (comment === undefined) return undefined
  if (typeof sql === 'string') {
    const commented = withComment(sql, comment)
    return commented === undefined ? undefined : { sql: commented, comment }
  }
  if (sql === null || typeof sql !== 'object') return undefined
  const text = (sql as { sql?: unknown }).sql
  if (typeof text !== 'string') return undefined
  const prototype = Object.getPrototypeOf(sql) as { constructor?: { name?: unknown } } | null
  const plain = prototype === Object.prototype || prototype === null
  if (!plain && (prototype.constructor?.name !== 'Query' || typeof (sql as { emit?: unknown }).emit !== 'function')) return undefined
  const commented = withComment(text, comment)
  if (commented === undefined) return undefined
  if (plain) return { sql: { ...sql, sql: commented }, comment }
  const command = sql as { sql: string }
  command.sql = commented
  return { sql: command, comment }
}

// The comment of the `query` call running now, read by the channel's `start` (published
// synchronously inside that call) to take it back out of the statement it reports.
let inFlight: string | undefined

/** The comment vigie added to the mysql2 `query` being called now, if any (mysql2-channels.ts). */
export function commentInFlight (): string | undefined {
  return inFlight
}

/**
 * For mysql2 3.20 and later, whose TracingChannels only observe: wraps the connection class's
 * `query` (where it is, on the class or a base class: pools, pool connections and the promise
 * wrapper all go through it) to append the request's comment when the app asks for one, and
 * nothing else (the channel still measures). Returns false when the class has no `query`.
 */
export function wrapMysql2QueryComment (Connection: unknown, restores: Array<() => void>): boolean {
  let owner = (Connection as { prototype?: object } | null)?.prototype ?? null
  while (owner !== null && !Object.hasOwn(owner, 'query')) owner = Object.getPrototypeOf(owner) as object | null
  if (owner === null) return false
  const target = owner as Record<string, unknown>
  const original = target.query
  if (typeof original !== 'function') return false
  if (Object.hasOwn(original, kMysql2CommentWrapper)) return true
  const callThrough = original as Method
  let active = true
  const wrapper: Method = function (this: unknown, ...args: unknown[]): unknown {
    if (!active) return Reflect.apply(callThrough, this, args)
    let commented: Mysql2Commented | undefined
    try {
      commented = commentMysql2Query(args[0], currentRequestStore())
    } catch (err) {
      commented = undefined
      reportHookFailure('mysql2', err)
    }
    if (commented === undefined) return Reflect.apply(callThrough, this, args)
    args[0] = commented.sql
    const outer = inFlight
    inFlight = commented.comment
    try {
      return Reflect.apply(callThrough, this, args)
    } finally {
      inFlight = outer
    }
  }
  const restore = installWrapper(target, 'query', callThrough, wrapper, kMysql2CommentWrapper)
  restores.push(function unwrap () {
    active = false
    restore()
  })
  return true
}
