/**
 * Markers shared by every copy of vigie in the process (the ESM and the CommonJS builds), hence
 * `Symbol.for`: one copy may have patched Express while the other serves the request.
 * - kRequestState: on a request vigie observes, its ExpressRequestState.
 * - kMountPatch: on the object holding an Express copy's `Router#use`, the patch record.
 * - kPatchedUse: on vigie's replacement `use` function.
 * - kFinalGuard: on a router whose `handle` vigie wrapped to keep errors from finalhandler.
 * - kVigieMiddleware: on the middleware functions vigie hands out (entry and error handler).
 * - kRouteValue: on a request vigie does not observe, what Express assigned to `req.route`
 *   (behind vigie's accessor; an observed request keeps it in its state).
 * - kRoutePatch: on an Express copy's request prototype, the record of vigie's `route` accessor.
 */
export const kRequestState = Symbol.for('vigie.express.requestState')
export const kMountPatch = Symbol.for('vigie.express.mountPatch')
export const kPatchedUse = Symbol.for('vigie.express.patchedUse')
export const kFinalGuard = Symbol.for('vigie.express.finalGuard')
export const kVigieMiddleware = Symbol.for('vigie.express.middleware')
export const kRouteValue = Symbol.for('vigie.express.routeValue')
export const kRoutePatch = Symbol.for('vigie.express.routePatch')
