import { sharedSymbol } from '../process-state.js'

/**
 * Markers shared by every copy of this vigie version in the process (the ESM and the CommonJS
 * builds): one copy may have patched Express while the other serves the request.
 * - kPatchedUse: on vigie's replacement `use` function.
 * - kFinalGuard: on a router whose `handle` vigie wrapped to keep errors from finalhandler.
 * - kVigieMiddleware: on the middleware functions vigie hands out (entry and error handler).
 * - kRouteValue, kCorrelationIdValue: on a request vigie does not observe, what was assigned to
 *   `req.route` and `req.correlationId` (behind vigie's accessors; an observed request keeps them
 *   in its state).
 * - kRoutePatch: on an Express copy's request prototype that has vigie's accessors.
 * Typed `unique symbol` (sharedSymbol() returns a plain `symbol`) so that they type properties.
 */
export const kPatchedUse: unique symbol = sharedSymbol('express.patchedUse') as never
export const kFinalGuard: unique symbol = sharedSymbol('express.finalGuard') as never
export const kVigieMiddleware: unique symbol = sharedSymbol('express.middleware') as never
export const kRouteValue: unique symbol = sharedSymbol('express.routeValue') as never
export const kCorrelationIdValue: unique symbol = sharedSymbol('express.correlationIdValue') as never
export const kRoutePatch: unique symbol = sharedSymbol('express.routePatch') as never
