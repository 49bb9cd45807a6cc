import type { Request } from 'express'
import type { Observer } from '../core/observer.js'
import { routeController, type MountRecord } from './express-route-pattern.js'
import { kRequestState, kRoutePatch, kRouteValue } from './express-symbols.js'

/** What vigie keeps on each Express request it observes, under kRequestState. */
export interface ExpressRequestState {
  readonly observer: Observer<Request>
  /** `performance.now()` when vigie's middleware ran. */
  readonly start: number
  /** The mounts the request is inside now, the root first (pushed and popped by the patched `use`). */
  readonly mounts: MountRecord[]
  /** What Express last assigned to `req.route`. */
  route: unknown
  /** The full pattern of that route; undefined while no route matched. */
  controller: string | undefined
  /** The error the app's middleware passed on, first seen by expressErrorHandler() or the final guard. */
  error: unknown
  /** Set once the response has finished, been aborted or failed. */
  settled: boolean
}

export type ObservedRequest = Request & { [kRequestState]?: ExpressRequestState }

export function createRequestState (req: ObservedRequest, observer: Observer<Request>, start: number): ExpressRequestState {
  const baseUrl = req.baseUrl ?? ''
  const state: ExpressRequestState = {
    observer,
    start,
    mounts: [{ pattern: '', baseUrl, contiguous: true }],
    route: req.route,
    controller: undefined,
    error: undefined,
    settled: false,
  }
  req[kRequestState] = state
  trackRoute(req)
  return state
}

/**
 * Express sets `req.route` just before it runs a matched route's handlers, when `req.baseUrl`
 * and the recorded mounts are exactly those of that route: an accessor reads the full pattern
 * then. (After an error leaves a nested router, `req.route` stays set but the mounts are gone.)
 * The accessor sits on the request prototype of each instrumented Express copy, defined once
 * (see trackRoutes); only a request whose chain lacks it (an Express copy vigie did not
 * instrument) gets its own, which costs every later property access on that request.
 */
function trackRoute (req: ObservedRequest): void {
  const inherited = (req as { [kRoutePatch]?: unknown })[kRoutePatch] !== undefined
  if (inherited && !Object.hasOwn(req, 'route')) return
  const own = Object.getOwnPropertyDescriptor(req, 'route')
  if (own !== undefined && own.configurable !== true) return
  Object.defineProperty(req, 'route', ROUTE_ACCESSOR)
}

// On an observed request the value lives in its state (no property added to the request); on
// others (requests of apps vigie does not observe, sharing the prototype) under kRouteValue.
const ROUTE_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get (this: ObservedRequest & { [kRouteValue]?: unknown }): unknown {
    const state = this[kRequestState]
    return state === undefined ? this[kRouteValue] : state.route
  },
  set (this: ObservedRequest & { [kRouteValue]?: unknown }, route: unknown): void {
    const state = this[kRequestState]
    if (state === undefined) {
      this[kRouteValue] = route
      return
    }
    if (state.route === route) return
    state.route = route
    state.controller = controllerOfRoute(this, state, route)
  },
}

interface RoutePatch { refs: number }

/**
 * Puts the `route` accessor on an Express copy's request prototype, which every app's requests
 * inherit from (sub-apps included). Counted like the mount recording: the last release removes
 * it. A prototype that already has a `route` of its own is left alone.
 */
export function trackRoutes (requestPrototype: object): () => void {
  const proto = requestPrototype as { [kRoutePatch]?: RoutePatch }
  let patch = proto[kRoutePatch]
  if (patch === undefined) {
    if (Object.getOwnPropertyDescriptor(proto, 'route') !== undefined) return () => {}
    Object.defineProperty(proto, 'route', ROUTE_ACCESSOR)
    patch = { refs: 0 }
    Object.defineProperty(proto, kRoutePatch, { value: patch, configurable: true })
  }
  patch.refs++
  const current = patch
  let released = false
  return function releaseRouteTracking () {
    if (released) return
    released = true
    if (--current.refs > 0) return
    delete proto[kRoutePatch]
    if (Object.getOwnPropertyDescriptor(proto, 'route')?.get === ROUTE_ACCESSOR.get) delete (proto as { route?: unknown }).route
  }
}

/** The full pattern of `route` as the request reaches it now; never throws into Express. */
export function controllerOfRoute (req: ObservedRequest, state: ExpressRequestState, route: unknown): string | undefined {
  try {
    const path = (route as { path?: unknown } | null | undefined)?.path
    if (path === undefined) return undefined
    const { controller, complete } = routeController(state.mounts, req.baseUrl ?? '', path)
    if (!complete) {
      state.observer.reporter.warnOnce('express-unrecorded-mount',
        `vigie: the route ${controller} was reached through a router mounted before Express was instrumented; "(unrecorded)" stands for its mount path in the controller tag. Call expressObservability() (or instrumentExpress(express)) before mounting routers.`,
        { controller })
    }
    return controller
  } catch (err) {
    state.observer.reporter.report('express route pattern', err)
    return undefined
  }
}
