import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import { currentRequestStore, type OutgoingPolicy } from '../context/request-context.ts'

/** What vigie reads of an undici Request (undici 6, bundled with Node 20). */
interface UndiciRequest {
  readonly origin: unknown
  readonly path: unknown
  readonly method: unknown
  /** Alternating names and values. */
  readonly headers: unknown
  addHeader: (name: string, value: string) => unknown
}

interface PendingFetch {
  readonly policy: OutgoingPolicy
  readonly host: string
  readonly method: string
  readonly start: number
}

const CREATE = 'undici:request:create'
const HEADERS = 'undici:request:headers'
const ERROR = 'undici:request:error'

// Keyed by the undici Request: the headers and error messages arrive in the socket's async
// context, no longer the one of the request vigie handles.
const pendingFetches = new WeakMap<object, PendingFetch>()

/** Subscribes to undici's request channels; returns the function that unsubscribes. */
export function installFetchInstrumentation (): () => void {
  subscribe(CREATE, onRequestCreate)
  subscribe(HEADERS, onResponseHeaders)
  subscribe(ERROR, onRequestError)
  return function uninstallFetchInstrumentation () {
    unsubscribe(CREATE, onRequestCreate)
    unsubscribe(HEADERS, onResponseHeaders)
    unsubscribe(ERROR, onRequestError)
  }
}

// A subscriber that throws is rethrown by Node on the next tick, as an uncaught exception: every
// subscriber below catches everything.

function onRequestCreate (message: unknown): void {
  const store = currentRequestStore()
  const policy = store?.outgoing
  if (store === undefined || policy == null) return
  try {
    const request = (message as { request: UndiciRequest }).request
    const url = new URL(`${String(request.origin)}${String(request.path)}`)
    pendingFetches.set(request, { policy, host: url.hostname, method: String(request.method), start: performance.now() })
    // addHeader appends: a header the caller set, in any case, must not get a second value.
    if (policy.allows(url) && lacksHeader(request.headers, policy.header)) {
      request.addHeader(policy.header, store.correlationId)
    }
  } catch {
    // Fail open: the request goes out as the caller built it.
  }
}

function onResponseHeaders (message: unknown): void {
  try {
    const { request, response } = message as { request: object, response: { statusCode: unknown } }
    const status = response.statusCode
    finishFetch(request, typeof status === 'number' ? status : 'error')
  } catch {
    // Fail open.
  }
}

function onRequestError (message: unknown): void {
  try {
    finishFetch((message as { request: object }).request, 'error')
  } catch {
    // Fail open.
  }
}

function finishFetch (request: object, outcome: number | 'error'): void {
  const call = pendingFetches.get(request)
  if (call === undefined) return
  pendingFetches.delete(request)
  call.policy.record(call.host, call.method, outcome, performance.now() - call.start)
}

/** False when the header is present, or when the headers are in a form vigie cannot check. */
function lacksHeader (headers: unknown, name: string): boolean {
  if (!Array.isArray(headers)) return false
  for (let i = 0; i < headers.length; i += 2) {
    const key: unknown = headers[i]
    if (typeof key === 'string' && key.toLowerCase() === name) return false
  }
  return true
}
