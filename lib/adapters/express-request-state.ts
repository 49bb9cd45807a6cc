import type { Request } from 'express'
import type { OutgoingPolicy } from '../context/request-context.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { RequestState } from '../core/framework-facts.ts'
import { processWide } from '../process-state.ts'
import { routePathOf } from './express-internals.ts'
import { routeController } from './express-route-index.ts'
import { joinController, UNRECORDED_MOUNT } from './express-route-pattern.ts'
import { kCorrelationIdValue, kRequestState, kRoutePatch, kRouteValue } from './express-symbols.ts'

/**
 * What vigie keeps of each Express request it observes, beyond the core's state (whose
 * `correlationId` is what `req.correlationId` reads); also the request's async-context store.
 * Found by request with requestStateOf().
 */
export interface ExpressRequestState extends RequestState {
  /** The middleware observing the request (its facts), and the app it first ran in: a second run sees where it is. */
  readonly owner: object
  readonly app: object | undefined
  /** Where vigie's failures while observing the request are reported. */
  readonly reporter: FailureReporter
  /** Adopts an app the request entered (express-app-adoption.ts): a mounted one, when a route of it matched. */
  readonly adopt: (app: object) => void
  /** What Express last assigned to `req.route`. */
  route: unknown
  /** `req.route` is vigie's accessor (it keeps `route` and `controller` current); false when the request has a `route` of its own vigie could not replace. */
  readonly tracksRoute: boolean
  /** The full pattern of that route; undefined while no route matched. */
  controller: string | undefined
}

type UnobservedRequest = Request & { [kRouteValue]?: unknown, [kCorrelationIdValue]?: string }

/**
 * Whether V8 keeps one hidden class for the requests (and responses) of an app once Express has
 * replaced their prototype, as Node 24 and later do. Before Node 24 each of them gets a hidden
 * class of its own: every property added to one builds another (tens of thousands of
 * instructions), and every property read misses the inline caches. From Node 24 a property costs
 * what it costs on any object.
 */
export const SHARED_REQUEST_SHAPES = Number(process.versions.node.split('.')[0]) >= 24

/**
 * Every observed request's state, by request, where a property on the request costs more
 * (SHARED_REQUEST_SHAPES false). Elsewhere the state is the request's own property under
 * kRequestState: each request's entry in a WeakMap is an ephemeron, whose table V8 rehashes as
 * dead requests' entries pile up, and which every scavenge goes through.
 */
const requestStates = SHARED_REQUEST_SHAPES ? null : processWide('expressRequests', () => new WeakMap<object, ExpressRequestState>())

type ObservedRequest = { [kRequestState]?: ExpressRequestState }

/** The state of a request vigie observes; undefined for any other. */
export function requestStateOf (req: object): ExpressRequestState | undefined {
  return requestStates === null ? (req as ObservedRequest)[kRequestState] : requestStates.get(req)
}

/**
 * Starts observing `req`, a request of `app`. `accessorsInherited`: its prototype chain has
 * vigie's `route` and `correlationId` accessors (installRequestAccessors()), which read the
 * state; a request of no app (the middleware called by hand) gets its own instead, which costs
 * every later property access on that request.
 */
export function createRequestState (req: Request, app: object | undefined, owner: object, reporter: FailureReporter, correlationId: string, start: number, outgoing: OutgoingPolicy | null, accessorsInherited: boolean, adopt: (app: object) => void): ExpressRequestState {
  // Set before vigie ran only when vigie is mounted on a route; then through vigie's accessor
  // (kept under kRouteValue), or, before the app was adopted, as the request's own property.
  const route = req.route as unknown
  const state: ExpressRequestState = {
    correlationId,
    outgoing,
    start,
    error: undefined,
    unhandled: false,
    ended: false,
    owner,
    app,
    reporter,
    adopt,
    route,
    tracksRoute: accessorsInherited || ownRouteReplaceable(req),
    controller: undefined,
  }
  if (requestStates === null) (req as ObservedRequest)[kRequestState] = state
  else requestStates.set(req, state)
  if (!accessorsInherited) defineOwnAccessors(req, correlationId)
  // vigie mounted on a route (`app.get('/x', vigie, handler)`): the route matched before.
  if (route !== undefined) state.controller = controllerOfRoute(req, state, route, true)
  return state
}

/** True when `req` (a request, or an app's request object) has vigie's accessors from installRequestAccessors(). */
export function inheritsAccessors (req: object): boolean {
  return (req as { [kRoutePatch]?: unknown })[kRoutePatch] !== undefined
}

function defineOwnAccessors (req: Request, correlationId: string): void {
  if (ownRouteReplaceable(req)) Object.defineProperty(req, 'route', ROUTE_ACCESSOR)
  req.correlationId = correlationId
}

function ownRouteReplaceable (req: Request): boolean {
  return Object.getOwnPropertyDescriptor(req, 'route')?.configurable !== false
}

/**
 * Express sets `req.route` just before it runs a matched route's handlers, when `req.app` is the
 * app whose routers hold it and `req.baseUrl` the text its mounts matched: the accessor reads
 * the full pattern then. (After an error leaves a nested router, `req.route` stays set but
 * `req.baseUrl` is restored.)
 * On a request vigie does not observe (an app without vigie sharing the prototype), the value
 * is kept on the request under kRouteValue.
 */
const ROUTE_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get (this: UnobservedRequest): unknown {
    const state = requestStateOf(this)
    return state === undefined ? this[kRouteValue] : state.route
  },
  set (this: UnobservedRequest, route: unknown): void {
    const state = requestStateOf(this)
    if (state === undefined) {
      this[kRouteValue] = route
      return
    }
    if (state.route === route) return
    state.route = route
    const app = this.app as object | undefined
    if (app !== state.app && app !== undefined) state.adopt(app)
    state.controller = controllerOfRoute(this, state, route, true)
  },
}

/** `req.correlationId`: the observed request's, else what was assigned to it. */
const CORRELATION_ID_ACCESSOR: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get (this: UnobservedRequest): string | undefined {
    const state = requestStateOf(this)
    return state === undefined ? this[kCorrelationIdValue] : state.correlationId
  },
  set (this: UnobservedRequest, id: string): void {
    const state = requestStateOf(this)
    if (state === undefined) this[kCorrelationIdValue] = id
    else state.correlationId = id
  },
}

const ACCESSORS: ReadonlyArray<[string, PropertyDescriptor]> = [['route', ROUTE_ACCESSOR], ['correlationId', CORRELATION_ID_ACCESSOR]]

/**
 * Puts the `route` and `correlationId` accessors on an app's request object, which its requests
 * inherit from (and those of the apps mounted in it with `app.use()`). Once: a request object
 * that has them, or either property of its own, is left alone.
 */
export function installRequestAccessors (request: object): void {
  const proto = request as Record<string | symbol, unknown>
  if (inheritsAccessors(proto) || ACCESSORS.some(([name]) => Object.getOwnPropertyDescriptor(proto, name) !== undefined)) return
  for (const [name, accessor] of ACCESSORS) Object.defineProperty(proto, name, accessor)
  Object.defineProperty(proto, kRoutePatch, { value: true, configurable: true })
}

/**
 * The full pattern of `route` as the request reaches it now (`seen`), or of a route the request
 * reached where vigie could not see it (its mounts are then unknown); never throws into Express.
 */
export function controllerOfRoute (req: Request, state: ExpressRequestState, route: unknown, seen: boolean): string | undefined {
  try {
    const path = routePathOf(route)
    if (path === undefined) return undefined
    const app = req.app as object | undefined
    const { controller, complete } = !seen
      ? { controller: joinController(UNRECORDED_MOUNT, path), complete: false }
      : app === undefined || state.app === undefined
        ? { controller: path, complete: true }
        : routeController(state.app, app, route as object, path, req.baseUrl ?? '')
    if (!complete) {
      state.reporter.warnOnce('express-unrecorded-mount',
        `vigie: the route ${controller} was reached through a router or app vigie could not see (called from a function, or an app mounted in a router of a sub-app no request entered yet); "(unrecorded)" stands for its mount path in the controller tag.`,
        { controller })
    }
    return controller
  } catch (err) {
    state.reporter.report('express route pattern', err)
    return undefined
  }
}
