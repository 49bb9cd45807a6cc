import type { Request } from 'express'
import type { Observer } from '../core/observer.js'
import { routeController, type MountRecord } from './express-route-pattern.js'
import { kMounts, kRequestState } from './express-symbols.js'

/** What vigie keeps on each Express request it observes, under kRequestState. */
export interface ExpressRequestState {
  readonly observer: Observer<Request>
  /** `performance.now()` when vigie's middleware ran. */
  readonly start: number
  /** The mounts the request is inside now, the root first; the same array as `req[kMounts]`. */
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

export type ObservedRequest = Request & { [kRequestState]?: ExpressRequestState, [kMounts]?: MountRecord[] }

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
  req[kMounts] = state.mounts
  trackRoute(req)
  return state
}

/**
 * Express sets `req.route` just before it runs a matched route's handlers, when `req.baseUrl`
 * and the recorded mounts are exactly those of that route: an accessor reads the full pattern
 * then. (After an error leaves a nested router, `req.route` stays set but the mounts are gone.)
 */
function trackRoute (req: ObservedRequest): void {
  const own = Object.getOwnPropertyDescriptor(req, 'route')
  if (own !== undefined && own.configurable !== true) return
  Object.defineProperty(req, 'route', ROUTE_ACCESSOR)
}

const ROUTE_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get (this: ObservedRequest): unknown {
    return this[kRequestState]?.route
  },
  set (this: ObservedRequest, route: unknown): void {
    const state = this[kRequestState]
    if (state === undefined || state.route === route) return
    state.route = route
    state.controller = controllerOfRoute(this, state, route)
  },
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
