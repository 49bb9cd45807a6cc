import type { FailureReporter } from '../core/failure-reporter.ts'
import { appRouterOf, keepLast, layersOfApp, parentAppOf, replaceErrorHandlers, requestPrototypeOfApp, topLevelHandles, type ErrorHandle, type LayerView } from './express-internals.ts'
import { finalErrorHandler } from './express-final-guard.ts'
import { recordingErrorHandler } from './express-error-recording.ts'
import { inheritsAccessors, installRequestAccessors } from './express-request-state.ts'
import { kFinalHandler } from './express-symbols.ts'
import { mountedAppsOf } from './express-route-index.ts'

// Apps adopted at once below one app (its `router.use(app)` mounts, theirs, …), and app nesting: bounded.
const MAX_MOUNTED_APPS = 1_000
const MAX_APP_DEPTH = 32

/** An adopted app: its top-level router's layers, how many there were then, and how to keep vigie's final handler last. */
interface Adopted {
  readonly layers: readonly LayerView[] | undefined
  readonly length: number
  readonly keepFinalHandlerLast: () => void
  /** The app's request object has vigie's accessors (false when it has a `route` of its own). */
  readonly accessors: boolean
}

const adoptedApps = new WeakMap<object, Adopted>()
/** Per top-level app: the function that moves vigie's final error handler back to its end. */
const finalHandlers = new WeakMap<object, () => void>()

/**
 * What vigie does to each app its requests pass through, the first time one does (by then the
 * app's routes are mounted), and again when layers were added to it since:
 * - its requests get vigie's `req.route` and `req.correlationId` accessors, on the app's own
 *   `request` object: other apps of the same Express copy are left alone;
 * - its error-handling middleware records the error it is given (the exception line then has
 *   it even when the app answers the error itself);
 * - its top-level app ends with vigie's final error handler (express-final-guard.ts).
 * No function of the app is wrapped but its error handlers. It stays for the app's lifetime:
 * for requests vigie does not observe, the accessors act as plain properties and the final
 * handler passes the error on. Never throws into Express. Returns whether the app's requests
 * inherit vigie's accessors.
 */
export function adoptApp (app: object, reporter: FailureReporter): boolean {
  try {
    let adopted = adoptedApps.get(app)
    if (adopted === undefined || adopted.layers === undefined || adopted.layers.length !== adopted.length) {
      adoptTree(app)
      adopted = adoptedApps.get(app)!
    }
    adopted.keepFinalHandlerLast()
    return adopted.accessors
  } catch (err) {
    reporter.report('express app adoption', err)
    return false
  }
}

function adoptTree (app: object): void {
  const pending = [app]
  for (let count = 0; pending.length > 0 && count < MAX_MOUNTED_APPS; count++) {
    const next = pending.pop()!
    const request = requestPrototypeOfApp(next)
    if (request !== undefined) installRequestAccessors(request)
    const layers = layersOfApp(next)
    adoptedApps.set(next, { layers, length: layers?.length ?? 0, keepFinalHandlerLast: finalHandlerKeeper(next), accessors: request !== undefined && inheritsAccessors(request) })
    replaceErrorHandlers(appRouterOf(next), recordingErrorHandler)
    // An app mounted with `router.use(app)` does not inherit its parent's requests: it is adopted too.
    for (const mounted of mountedAppsOf(next)) {
      if (!adoptedApps.has(mounted)) pending.push(mounted)
    }
  }
}

/** The function that keeps vigie's final error handler last in the top-level app above `app`. */
function finalHandlerKeeper (app: object): () => void {
  let top = app
  for (let depth = 0; depth < MAX_APP_DEPTH; depth++) {
    const parent = parentAppOf(top)
    if (parent === undefined) break
    top = parent
  }
  let keeper = finalHandlers.get(top)
  if (keeper === undefined) {
    // The other build of vigie (ESM or CommonJS) may have placed its own, and keeps it last.
    const placed = topLevelHandles(top).some((handle) => (handle as { [kFinalHandler]?: boolean } | undefined)?.[kFinalHandler] === true)
    keeper = placed ? () => {} : keepLast(top, finalErrorHandler as ErrorHandle)
    finalHandlers.set(top, keeper)
  }
  return keeper
}
