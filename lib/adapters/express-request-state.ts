import type { Request } from 'express'
import type { OutgoingPolicy } from '../context/request-context.js'
import type { FailureReporter } from '../core/failure-reporter.js'
import type { RequestState } from '../core/framework-facts.js'
import { acquire, processWide } from '../process-state.js'
import { routeController, type MountRecord } from './express-route-pattern.js'
import { kCorrelationIdValue, kRoutePatch, kRouteValue } from './express-symbols.js'

/**
 * What vigie keeps of each Express request it observes, beyond the core's state (whose
 * `correlationId` is what `req.correlationId` reads); also the request's async-context store.
 * Found by request in a process-wide WeakMap (requestStateOf()), never set on the request.
 */
export interface ExpressRequestState extends RequestState {
  /** The middleware observing the request (its facts), and the app it first ran in: a second run sees where it is. */
  readonly owner: object
  readonly app: unknown
  /** Where vigie's failures while observing the request are reported. */
  readonly reporter: FailureReporter
  /** The mounts the request is inside now, the root first (pushed and popped by the patched `use`). */
  readonly mounts: MountRecord[]
  /** What Express last assigned to `req.route`. */
  route: unknown
  /** `req.route` is vigie's accessor (it keeps `route` and `controller` current); false when the request has a `route` of its own vigie could not replace. */
  readonly tracksRoute: boolean
  /** The full pattern of that route; undefined while no route matched. */
  controller: string | undefined
}

type UnobservedRequest = Request & { [kRouteValue]?: unknown, [kCorrelationIdValue]?: string }

/**
 * Every observed request's state, by request: kept here, not on the request, because Express
 * changes each request's prototype, and V8 then builds a new hidden class for every property
 * added to it afterwards.
 */
const requestStates = processWide('expressRequests', () => new WeakMap<object, ExpressRequestState>())

/** The state of a request vigie observes; undefined for any other. */
export function requestStateOf (req: object): ExpressRequestState | undefined {
  return requestStates.get(req)
}

/**
 * Starts observing `req`. `accessorsInherited`: its prototype chain has vigie's `route` and
 * `correlationId` accessors (trackRequests()), which read the state; a request of an Express
 * copy vigie did not instrument gets its own instead, which costs every later property access
 * on that request.
 */
export function createRequestState (req: Request, owner: object, reporter: FailureReporter, correlationId: string, start: number, outgoing: OutgoingPolicy | null, accessorsInherited: boolean): ExpressRequestState {
  const route = accessorsInherited ? (req as UnobservedRequest)[kRouteValue] : req.route
  const state: ExpressRequestState = {
    correlationId,
    outgoing,
    start,
    error: undefined,
    unhandled: false,
    ended: false,
    owner,
    app: req.app,
    reporter,
    mounts: [{ pattern: '', baseUrl: req.baseUrl ?? '', contiguous: true }],
    route,
    tracksRoute: accessorsInherited || ownRouteReplaceable(req),
    controller: undefined,
  }
  requestStates.set(req, state)
  if (!accessorsInherited) defineOwnAccessors(req, correlationId)
  return state
}

/** True when `req` inherits vigie's accessors (trackRequests() ran on its Express copy). */
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
 * Express sets `req.route` just before it runs a matched route's handlers, when `req.baseUrl`
 * and the recorded mounts are exactly those of that route: the accessor reads the full pattern
 * then. (After an error leaves a nested router, `req.route` stays set but the mounts are gone.)
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
    state.controller = controllerOfRoute(this, state, route)
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
 * Puts the `route` and `correlationId` accessors on an Express copy's request prototype, which
 * every app's requests inherit from (sub-apps included). Counted (acquire()): the last release
 * removes them. A prototype that already has either of its own is left alone.
 */
export function trackRequests (requestPrototype: object): () => void {
  return acquire(requestPrototype, 'express-request-accessors', function installAccessors () {
    const proto = requestPrototype as Record<string | symbol, unknown>
    if (ACCESSORS.some(([name]) => Object.getOwnPropertyDescriptor(proto, name) !== undefined)) return () => {}
    for (const [name, accessor] of ACCESSORS) Object.defineProperty(proto, name, accessor)
    Object.defineProperty(proto, kRoutePatch, { value: true, configurable: true })
    return function removeAccessors () {
      delete proto[kRoutePatch]
      for (const [name, accessor] of ACCESSORS) {
        if (Object.getOwnPropertyDescriptor(proto, name)?.get === accessor.get) delete proto[name]
      }
    }
  })
}

/** The full pattern of `route` as the request reaches it now; never throws into Express. */
export function controllerOfRoute (req: Request, state: ExpressRequestState, route: unknown): string | undefined {
  try {
    const path = (route as { path?: unknown } | null | undefined)?.path
    if (path === undefined) return undefined
    const { controller, complete } = routeController(state.mounts, req.baseUrl ?? '', path)
    if (!complete) {
      state.reporter.warnOnce('express-unrecorded-mount',
        `vigie: the route ${controller} was reached through a router mounted before Express was instrumented; "(unrecorded)" stands for its mount path in the controller tag. Call expressObservability() (or instrumentExpress(express)) before mounting routers.`,
        { controller })
    }
    return controller
  } catch (err) {
    state.reporter.report('express route pattern', err)
    return undefined
  }
}
