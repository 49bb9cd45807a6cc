import { AsyncLocalStorage } from 'node:async_hooks'
import { isDisabled } from '../options/environment.ts'
import { processWide } from '../process-state.ts'
import { installTickObjectPin } from './tick-object-pin.ts'

/** What an outgoing HTTP call made inside a request needs from the vigie instance serving it. */
export interface OutgoingPolicy {
  /** The correlation header name (lower case). */
  readonly header: string
  /** Whether this target may receive the correlation header (the `propagation.targets` option). */
  allows: (url: URL) => boolean
  /** Counts and times one outgoing call; `outcome` is the status code or `'error'`. */
  record: (host: string, method: string, outcome: number | 'error', durationMs: number) => void
}

/** What vigie keeps in the async context of each request. */
export interface RequestStore {
  readonly correlationId: string
  /** null when propagation is off for the app serving this request. */
  readonly outgoing: OutgoingPolicy | null
  /** Set by the request lifecycle when the app counts database queries. */
  queries?: RequestQueryTally
}

/** What a database query sent inside a request reads of it, and adds to it. */
export interface RequestQueryTally {
  /** The app's vigie: which app the request belongs to. */
  readonly owner: object
  /** Whether the app asks for a sqlcommenter comment on each statement (`database.comment`). */
  readonly comment: boolean
  /** The request's controller as known now; `null` when the request is not recorded. */
  controller: () => string | null
  /** Counts one finished query for the request; `key` stands for its statement's fingerprint. */
  add: (key: string, durationMs: number) => void
  /** The last query that failed in the request, for its exception line. */
  failed: Readonly<Record<string, unknown>> | null
}

const storage = processWide('requestContext', () => new AsyncLocalStorage<RequestStore>())
// Every way into vigie loads this module: the tick-object pin is set as early as vigie can.
installTickObjectPin(isDisabled())

/**
 * The correlation ID of the request whose async chain is running, or `undefined` outside a
 * request.
 *
 * @example
 * import { correlationId } from 'vigie'
 * await fetch(url, { headers: { 'x-request-id': correlationId() ?? '' } })
 */
export function correlationId (): string | undefined {
  return storage.getStore()?.correlationId
}

export function currentRequestStore (): RequestStore | undefined {
  return storage.getStore()
}

/** Runs `fn` (and everything it starts) in `store`'s async context. */
export function runInRequestContext<R> (store: RequestStore, fn: () => R): R {
  return storage.run(store, fn)
}

/** Runs `fn` (and everything it starts, timers included) outside any request's async context. */
export function outsideRequestContext<R> (fn: () => R): R {
  return storage.exit(fn)
}
