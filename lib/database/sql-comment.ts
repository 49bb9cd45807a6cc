import type { RequestStore } from '../context/request-context.ts'

/**
 * Statements longer than this (in UTF-16 code units) are sent as they are: scanning them for a
 * comment and copying them would cost more than the comment is worth.
 */
export const MAX_COMMENTED_STATEMENT = 65_536

/** The comment last made for a request, reused while its route stays the same. */
interface Made {
  readonly route: string | null
  readonly comment: string
}

// One entry per request in flight, dropped with the request's store.
const made = new WeakMap<RequestStore, Made>()

/**
 * The sqlcommenter comment for the statements of the request whose async context is `store`:
 * `/*request_id='…',route='…'*\/` (no `route` while the request has none), or undefined when
 * the app serving the request did not ask for it (`database.comment`) or there is no request.
 */
export function requestComment (store: RequestStore | undefined): string | undefined {
  const tally = store?.queries
  if (store === undefined || tally === undefined || tally.comment !== true) return undefined
  const route = tally.controller()
  const last = made.get(store)
  if (last !== undefined && last.route === route) return last.comment
  const pairs: Record<string, string> = { request_id: store.correlationId }
  if (route !== null) pairs.route = route
  const comment = serializeComment(pairs)
  made.set(store, { route, comment })
  return comment
}

/**
 * Serializes key/value pairs as the sqlcommenter specification says: each key and value
 * URL-encoded (`encodeURIComponent`), then `'` escaped as `\'`; values in single quotes; pairs
 * sorted by key and joined with `,`; the whole in `/*…*\/`. Encoding leaves no `/`, so neither
 * `*\/` (which would end the comment) nor `/*` (which opens a nested one in PostgreSQL) can
 * appear inside it, and no `?`, `$` or `:` (placeholders) either.
 */
export function serializeComment (pairs: Readonly<Record<string, string>>): string {
  const keys = Object.keys(pairs).sort()
  let body = ''
  for (const key of keys) {
    if (body !== '') body += ','
    body += `${escapeMeta(encodeURIComponent(key))}='${escapeMeta(encodeURIComponent(pairs[key]!))}'`
  }
  return `/*${body}*/`
}

function escapeMeta (encoded: string): string {
  return encoded.includes('\'') ? encoded.replaceAll('\'', '\\\'') : encoded
}

/**
 * `statement` with `comment` appended (before a final `;`, so that the comment stays inside the
 * one statement), or undefined when it must be sent as it is: it already holds a comment (`/*`
 * or `--` anywhere: a literal holding them is skipped too, which errs on the safe side), it is
 * empty, or longer than {@link MAX_COMMENTED_STATEMENT}. Linear scans, no regular expression.
 */
export function withComment (statement: string, comment: string): string | undefined {
  if (statement.length === 0 || statement.length > MAX_COMMENTED_STATEMENT) return undefined
  if (statement.includes('/*') || statement.includes('--')) return undefined
  let end = statement.length
  while (end > 0 && isSpace(statement.charCodeAt(end - 1))) end--
  if (end === 0) return undefined
  if (statement.charCodeAt(end - 1) === 0x3B /* ; */) return `${statement.slice(0, end - 1)} ${comment};`
  return `${statement.slice(0, end)} ${comment}`
}

/** `text` without the ` comment` that {@link withComment} put in it (the last one), if there. */
export function withoutComment (text: string, comment: string): string {
  const at = text.lastIndexOf(` ${comment}`)
  if (at === -1) return text
  return text.slice(0, at) + text.slice(at + comment.length + 1)
}

function isSpace (code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0D)
}
