import { sharedSymbol } from '../process-state.ts'

/**
 * Markers shared by every copy of this vigie version in the process (the ESM and the CommonJS
 * builds): one copy may have adopted an app while the other serves the request.
 * - kVigieMiddleware: on the middleware functions vigie hands out (entry, error handler, final
 *   error handler).
 * - kFinalHandler: on vigie's final error handler, which an app gets once.
 * - kRecordsErrors: on an app's error handler wrapped to record the error it is given.
 * - kRouteValue, kCorrelationIdValue: on a request vigie does not observe, what was assigned to
 *   `req.route` and `req.correlationId` (behind vigie's accessors; an observed request keeps them
 *   in its state).
 * - kRoutePatch: on an app's request object that has vigie's accessors.
 * - kRequestState: on a request vigie observes, its state (express-request-state.ts).
 * Typed `unique symbol` (sharedSymbol() returns a plain `symbol`) so that they type properties.
 */
export const kVigieMiddleware: unique symbol = sharedSymbol('express.middleware') as never
export const kFinalHandler: unique symbol = sharedSymbol('express.finalHandler') as never
export const kRecordsErrors: unique symbol = sharedSymbol('express.recordsErrors') as never
export const kRouteValue: unique symbol = sharedSymbol('express.routeValue') as never
export const kCorrelationIdValue: unique symbol = sharedSymbol('express.correlationIdValue') as never
export const kRoutePatch: unique symbol = sharedSymbol('express.routePatch') as never
export const kRequestState: unique symbol = sharedSymbol('express.requestState') as never

/** Marks `fn` as one of vigie's Express middlewares: appMountsVigie() finds it, error recording leaves it alone. */
export function markVigieMiddleware<F extends object> (fn: F): F {
  Object.defineProperty(fn, kVigieMiddleware, { value: true })
  return fn
}

/** Whether `fn` is one of vigie's Express middlewares (of any copy of this vigie version). */
export function isVigieMiddleware (fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { [kVigieMiddleware]?: boolean })[kVigieMiddleware] === true
}
