import { AsyncLocalStorage } from 'node:async_hooks'
import { pinTickObject, type TickObjectPin } from './context/tick-object-pin.js'

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
}

interface Installation {
  refs: number
  readonly uninstall: () => void
}

/**
 * State that must be unique per process even when both the ESM and the CommonJS builds of vigie
 * are loaded (the dual-package hazard): two AsyncLocalStorage instances would each see only
 * their own requests, and two copies of a patch would apply twice. It lives on globalThis under
 * a registered symbol, created by whichever copy loads first.
 */
interface SharedState {
  readonly requestContext: AsyncLocalStorage<RequestStore>
  readonly installations: Map<string, Installation>
  /**
   * The state of every Express request vigie observes, by request (express-request-state.ts):
   * kept here, not on the request, because Express changes each request's prototype, and V8
   * then builds a new hidden class for every property added to it afterwards.
   */
  readonly expressRequests: WeakMap<object, RequestStore>
  /** The unpatch function of the active patchAll(), so that a second call returns it. */
  patchAll: (() => Promise<void>) | null
  /** Keeps process.nextTick() on V8's fast path whatever the process's start-up collections do (tick-object-pin.ts). */
  readonly tickObject: TickObjectPin
}

const kShared = Symbol.for('vigie')
const holder = globalThis as typeof globalThis & { [kShared]?: SharedState }

export const shared: SharedState = holder[kShared] ??= {
  requestContext: new AsyncLocalStorage<RequestStore>(),
  installations: new Map(),
  expressRequests: new WeakMap(),
  patchAll: null,
  tickObject: pinTickObject(),
}

/**
 * Installs process-wide instrumentation once, however many apps (or copies of vigie) ask for it,
 * and returns a release function: the last release uninstalls it. Releasing twice is harmless.
 */
export function acquireInstallation (name: string, install: () => () => void): () => void {
  let installation = shared.installations.get(name)
  if (installation === undefined) {
    installation = { refs: 0, uninstall: install() }
    shared.installations.set(name, installation)
  }
  installation.refs++
  let released = false
  const current = installation
  return function release () {
    if (released) return
    released = true
    if (--current.refs === 0 && shared.installations.get(name) === current) {
      shared.installations.delete(name)
      current.uninstall()
    }
  }
}
