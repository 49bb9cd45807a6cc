import { invalidOption } from '../errors.js'
import { loadedCommonJsModules } from '../process-state.js'
import { appRouterOf } from './express-final-guard.js'
import { recordErrorsOfMounted, recordMounts, routerUseHolder } from './express-mount-recorder.js'
import { trackRequests } from './express-request-state.js'

/**
 * Patches one copy of Express so that routers mounted from now on record their mount paths
 * (for full `controller` patterns such as `/api/users/:id`), and so that mounting vigie's
 * middleware keeps unhandled errors away from Express's final handler. `expressObservability()`
 * does this for every copy already loaded; call it yourself when Express is bundled or loaded
 * later, before the routers are mounted. Idempotent; the returned function undoes this call.
 * Throws a VigieError if `expressModule` is not the express module.
 *
 * @example
 * import express from 'express'
 * import { instrumentExpress } from 'vigie'
 * instrumentExpress(express)
 */
export function instrumentExpress (expressModule: unknown): () => void {
  const holder = routerUseHolder(expressModule)
  if (holder === undefined) throw invalidOption('express', 'the express module (with express.Router)', expressModule)
  const releaseMounts = recordMounts(holder)
  const request = requestPrototypeOf(expressModule)
  const releaseRequests = request === undefined ? () => {} : trackRequests(request)
  return function releaseExpressInstrumentation () {
    releaseMounts()
    releaseRequests()
  }
}

function requestPrototypeOf (expressModule: unknown): object | undefined {
  for (const candidate of [expressModule, (expressModule as { default?: unknown } | null)?.default]) {
    const request = (candidate as { request?: unknown } | null | undefined)?.request
    if (request !== null && typeof request === 'object') return request
  }
  return undefined
}

/**
 * Instruments every copy of Express already loaded: CommonJS modules, those an ESM `import`
 * loaded included, are in `require.cache`. Returns one function that undoes them all.
 */
export function instrumentLoadedExpress (): () => void {
  const cache = loadedCommonJsModules()
  const copies = new Set<unknown>()
  for (const entry of Object.values(cache)) {
    const exported: unknown = entry?.exports
    if (typeof exported !== 'function') continue
    const { application, request } = exported as { application?: unknown, request?: unknown }
    if (application !== undefined && request !== undefined && routerUseHolder(exported) !== undefined) copies.add(exported)
  }
  const releases = [...copies].map((copy) => instrumentExpress(copy))
  return function releaseLoadedExpress () {
    for (const release of releases) release()
  }
}

interface ExpressApp {
  use: (fn: unknown) => unknown
  handle: unknown
  set: unknown
  request: object
}

/** Express's own first layers (Express 4): vigie's middleware goes right after them, where `req.app` is set. */
const INIT_LAYERS = new Set(['query', 'expressInit'])

/**
 * Takes over an Express app that vigie was not set up on, found after it was built (its Express
 * copy was out of the hooks' sight: vendored, a workspace link, bundled): mounts `middleware`
 * first in the app, makes its error handlers record their errors, and gives the copy's requests
 * vigie's accessors. Its routers were mounted unrecorded: the middleware says so when a request
 * reaches one. Returns the undo function, or null when `app` is no Express app, or vigie
 * already observes it.
 */
export function adoptExpressApp (app: unknown, middleware: (req: never, res: never, next: () => void) => void, observes: (app: object) => boolean): (() => void) | null {
  if (!isExpressApp(app) || observes(app)) return null
  const proto = Object.getPrototypeOf(app.request) as object | null
  const releaseRequests = proto === null ? () => {} : trackRequests(proto)
  app.use(middleware)
  const router = appRouterOf(app)
  recordErrorsOfMounted(router)
  const stack = (router as { stack?: Array<{ name?: string }> } | undefined)?.stack
  if (stack !== undefined && stack.length > 1) {
    let at = 0
    while (at < stack.length - 1 && INIT_LAYERS.has(stack[at]!.name ?? '')) at++
    stack.splice(at, 0, stack.pop()!)
  }
  return releaseRequests
}

function isExpressApp (app: unknown): app is ExpressApp {
  if (typeof app !== 'function') return false
  const { use, handle, set, request } = app as Partial<ExpressApp>
  return typeof use === 'function' && typeof handle === 'function' && typeof set === 'function' && request !== null && typeof request === 'object'
}
