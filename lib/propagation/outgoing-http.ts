import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import http, { type ClientRequest, type IncomingMessage } from 'node:http'
import https from 'node:https'
import { syncBuiltinESMExports } from 'node:module'
import { performance } from 'node:perf_hooks'
import { sharedSymbol } from '../process-state.ts'
import { currentRequestStore, type OutgoingPolicy } from '../context/request-context.ts'
import { prepareHttpCall } from './http-call-target.ts'
import { installWrapper } from '../method-wrapper.ts'

type RequestFunction = (this: unknown, ...args: unknown[]) => unknown
type PatchedModule = Record<'request' | 'get', unknown>

interface PendingCall {
  readonly policy: OutgoingPolicy
  readonly host: string
  readonly start: number
}

/** Shared by every copy of vigie, so that none wraps a function another copy wrapped. */
const kOutgoingWrapper = sharedSymbol('outgoingWrapper')
const RESPONSE = 'http.client.response.finish'

// Keyed by the ClientRequest; the response is published in the socket's async context.
const pendingCalls = new WeakMap<object, PendingCall>()

/**
 * Wraps `http.request`, `http.get`, `https.request` and `https.get` (on Node 20 `get` calls the
 * module's own `request`, so each one is wrapped). Returns the function that puts the originals
 * back, unless someone wrapped them since; a wrapper left in someone else's chain then only
 * calls through.
 */
export function installHttpInstrumentation (): () => void {
  const installation = { active: true }
  const restores = [
    wrap(http as unknown as PatchedModule, 'request', 'http:', installation),
    wrap(http as unknown as PatchedModule, 'get', 'http:', installation),
    wrap(https as unknown as PatchedModule, 'request', 'https:', installation),
    wrap(https as unknown as PatchedModule, 'get', 'https:', installation),
  ]
  subscribe(RESPONSE, onResponse)
  // `import { request } from 'node:http'` reads a copy of the export, refreshed only by this call.
  syncBuiltinESMExports()
  return function uninstallHttpInstrumentation () {
    installation.active = false
    unsubscribe(RESPONSE, onResponse)
    for (const restore of restores) restore()
    syncBuiltinESMExports()
  }
}

function wrap (target: PatchedModule, key: 'request' | 'get', defaultProtocol: string, installation: { active: boolean }): () => void {
  const original = target[key]
  if (typeof original !== 'function' || Object.hasOwn(original, kOutgoingWrapper)) return noop
  const callThrough = original as RequestFunction
  const wrapper: RequestFunction = function (this: unknown, ...args: unknown[]): unknown {
    const store = installation.active ? currentRequestStore() : undefined
    const policy = store?.outgoing
    if (store === undefined || policy == null) return Reflect.apply(callThrough, this, args)
    const start = performance.now()
    const call = prepareHttpCall(args, defaultProtocol, policy, store.correlationId)
    const request = Reflect.apply(callThrough, this, call?.args ?? args)
    if (call !== null) track(request, policy, call.host, start)
    return request
  }
  return installWrapper(target as unknown as Record<PropertyKey, unknown>, key, callThrough, wrapper, kOutgoingWrapper)
}

function track (request: unknown, policy: OutgoingPolicy, host: string, start: number): void {
  try {
    const clientRequest = request as ClientRequest
    // Another wrapper around ours (a `get` calling the wrapped `request`) sees the same request.
    if (pendingCalls.has(clientRequest)) return
    pendingCalls.set(clientRequest, { policy, host, start })
    // Not 'response' nor 'error': a listener there changes what Node does (an unread response is
    // no longer dumped, an unhandled error no longer thrown). 'close' always comes, and after them.
    clientRequest.once('close', recordUnanswered)
  } catch {
    // Fail open: the call is simply not timed.
  }
}

function onResponse (message: unknown): void {
  try {
    const { request, response } = message as { request: ClientRequest, response: IncomingMessage }
    const call = pendingCalls.get(request)
    if (call === undefined) return
    pendingCalls.delete(request)
    call.policy.record(call.host, request.method, response.statusCode ?? 'error', performance.now() - call.start)
  } catch {
    // A subscriber that throws is rethrown by Node as an uncaught exception: fail open instead.
  }
}

function recordUnanswered (this: ClientRequest): void {
  try {
    const call = pendingCalls.get(this)
    if (call === undefined) return
    pendingCalls.delete(this)
    // An upgrade or CONNECT answer never reaches the response channel and is no failure.
    if ((this as ClientRequest & { upgradeOrConnect?: boolean }).upgradeOrConnect === true) return
    call.policy.record(call.host, this.method, 'error', performance.now() - call.start)
  } catch {
    // Fail open: a listener that throws would throw out of the request's emit().
  }
}

function noop (): void {}
