/**
 * Markers shared by every copy of vigie in the process (the ESM and the CommonJS builds), hence
 * `Symbol.for`: one copy may have patched Express while the other serves the request.
 * - kMountPatch: on the object holding an Express copy's `Router#use`, the patch record.
 * - kPatchedUse: on vigie's replacement `use` function.
 * - kFinalGuard: on a router whose `handle` vigie wrapped to keep errors from finalhandler.
 * - kVigieMiddleware: on the middleware functions vigie hands out (entry and error handler).
 * - kRouteValue, kCorrelationIdValue: on a request vigie does not observe, what was assigned to
 *   `req.route` and `req.correlationId` (behind vigie's accessors; an observed request keeps them
 *   in its state).
 * - kRoutePatch: on an Express copy's request prototype, the record of vigie's accessors.
 */
export const kMountPatch = Symbol.for('vigie.express.mountPatch')
export const kPatchedUse = Symbol.for('vigie.express.patchedUse')
export const kFinalGuard = Symbol.for('vigie.express.finalGuard')
export const kVigieMiddleware = Symbol.for('vigie.express.middleware')
export const kRouteValue = Symbol.for('vigie.express.routeValue')
export const kCorrelationIdValue = Symbol.for('vigie.express.correlationIdValue')
export const kRoutePatch = Symbol.for('vigie.express.routePatch')
