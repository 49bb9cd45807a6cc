import { mountPattern, pathLabel } from './express-route-pattern.ts'

/*
 * Everything vigie reads or writes of Express's internal structure, in this module only (a test
 * keeps the other modules out). The contract, tested on Express 4.x and 5.x (router 2.x) in
 * test/adapters/express-internals.test.ts:
 * - An app's top-level router is `app._router` (Express 4, created by its first `use` or route)
 *   or `app.router` (Express 5). Its `stack` lists its layers in order.
 * - A layer holds a route (`layer.route`, whose `path` is the route's pattern), a router or an
 *   app mounted with `router.use(path, it)` (`layer.handle`, which has a `stack` of its own, or
 *   is an app), or a middleware. A layer that matched a request put `req.baseUrl` at the text
 *   it matched; a router restores `req.baseUrl` when the request leaves it.
 * - A layer's mount path is `layer.rawPath` (router 2.3 and later); Express 4 keeps only
 *   `layer.regexp` and `layer.keys`, from which simple paths (literals, `:param`, `:param?`,
 *   `*`) are rebuilt. Whether text matches a mount: `layer.regexp` (4), `layer.matchers` (5).
 * - An app mounted with `app.use(path, subApp)` is wrapped in a middleware named `mounted_app`
 *   of the parent's top-level router, and keeps `subApp.parent` and `subApp.mountpath` of its
 *   last mount only (an app mounted at two paths, or in two parents, keeps the last); its
 *   `request` object then inherits from the parent's. Each app's requests inherit from its
 *   `request` object.
 * - Error-handling middleware is a layer whose `handle` takes four parameters; a layer with an
 *   error runs only those, in order, and a router passes an error it did not answer on to its
 *   parent, then to Express's final handler.
 * Where a part is missing (another framework, a future major), each function below says what
 * it returns: vigie then labels the mount `(unrecorded)` or leaves the app to Express.
 */

/** Error-handling middleware, as Express calls it. */
export type ErrorHandle = (err: unknown, req: object, res: unknown, next: (err?: unknown) => void) => unknown

/** A router as vigie sees it: its layers. */
export interface RouterView {
  readonly stack: readonly LayerView[]
}

/** A layer as vigie sees it (all optional: nothing is trusted to be there). */
export interface LayerView {
  handle?: unknown
  readonly route?: unknown
  readonly name?: unknown
  readonly rawPath?: unknown
  readonly regexp?: RegExp & { fast_slash?: boolean }
  readonly keys?: ReadonlyArray<{ name?: unknown, optional?: boolean }>
  readonly slash?: boolean
  readonly matchers?: ReadonlyArray<(path: string) => { path?: string } | false>
}

interface AppView {
  use: (...args: unknown[]) => unknown
  handle: unknown
  set: unknown
  request?: unknown
  parent?: unknown
  mountpath?: unknown
}

/** The top-level router of `app`, or undefined when it has none yet (or `app` is no app). */
export function appRouterOf (app: unknown): RouterView | undefined {
  if (app === null || (typeof app !== 'object' && typeof app !== 'function')) return undefined
  // Express 4's `app.router` is a getter that throws: `_router` first.
  const express4Router = (app as { _router?: unknown })._router
  if (express4Router !== undefined) return asRouter(express4Router)
  try {
    return asRouter((app as { router?: unknown }).router)
  } catch {
    return undefined
  }
}

/** `value` when it has a `stack` of layers, as routers do. */
function asRouter (value: unknown): RouterView | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined
  return Array.isArray((value as { stack?: unknown }).stack) ? value as RouterView : undefined
}

/** Whether `value` is an Express app (of either major). */
export function isExpressApp (value: unknown): boolean {
  if (typeof value !== 'function') return false
  const { use, handle, set, request } = value as Partial<AppView>
  return typeof use === 'function' && typeof handle === 'function' && typeof set === 'function' && request !== null && typeof request === 'object'
}

/** Express 4 has `app.lazyrouter()`; Express 5 does not. */
export function isExpress4App (app: unknown): boolean {
  return typeof (app as { lazyrouter?: unknown } | null | undefined)?.lazyrouter === 'function'
}

/** The route a layer dispatches to, or undefined for a middleware or a mount. */
export function routeOfLayer (layer: LayerView): object | undefined {
  const route = layer.route
  return route !== null && typeof route === 'object' ? route : undefined
}

/** The route's own path as a label (`/users/:id`, `[/a,/b]`, `/^\/x/`); undefined for no route. */
export function routePathOf (route: unknown): string | undefined {
  const path = (route as { path?: unknown } | null | undefined)?.path
  return path === undefined ? undefined : pathLabel(path)
}

/** The router a layer mounts (a router, or an app mounted with `router.use()`), if any. */
export function innerRouterOfLayer (layer: LayerView): RouterView | undefined {
  const handle = layer.handle
  if (typeof handle !== 'function') return undefined
  return isExpressApp(handle) ? appRouterOf(handle) : asRouter(handle)
}

/** The app a layer mounts with `router.use()` (not `app.use()`, which hides it), if any. */
export function innerAppOfLayer (layer: LayerView): object | undefined {
  return isExpressApp(layer.handle) ? layer.handle as object : undefined
}

/**
 * The mount path of a layer as written (`/users/:uid`, without a trailing slash; `''` for `/`),
 * or null when it cannot be known (an Express 4 path too complex to rebuild from its RegExp is
 * labelled by the RegExp instead).
 */
export function mountPatternOfLayer (layer: LayerView): string | null {
  if (layer.rawPath !== undefined) return mountPattern(layer.rawPath)
  if (layer.slash === true || layer.regexp?.fast_slash === true) return ''
  const regexp = layer.regexp
  if (!(regexp instanceof RegExp)) return null
  return (regexp.source.startsWith('^') && regexp.source.endsWith(EXPRESS4_END) ? rebuiltPath(regexp.source, layer.keys ?? []) : null) ?? String(regexp)
}

/** How many characters at the start of `text` the layer's mount path matches; -1 when it does not. */
export function matchedLength (layer: LayerView, text: string): number {
  if (layer.slash === true || layer.regexp?.fast_slash === true) return 0
  try {
    // A trailing slash the mount matched is left out of req.baseUrl.
    if (Array.isArray(layer.matchers)) {
      for (const matcher of layer.matchers) {
        const match = matcher(text)
        if (match !== false && typeof match?.path === 'string') return withoutTrailingSlash(match.path)
      }
      return -1
    }
    const match = layer.regexp instanceof RegExp ? layer.regexp.exec(text) : null
    return match === null ? -1 : withoutTrailingSlash(match[0])
  } catch {
    return -1
  }
}

function withoutTrailingSlash (matched: string): number {
  return matched.endsWith('/') ? matched.length - 1 : matched.length
}

// What path-to-regexp 0.1 (Express 4) makes of each part of a simple mount path.
const EXPRESS4_PARAM = '(?:\\/([^/]+?))'
const EXPRESS4_STAR = '(.*)'
const EXPRESS4_END = '\\/?(?=\\/|$)'

/**
 * `/users/:uid` from Express 4's `^\/users(?:\/([^/]+?))\/?(?=\/|$)`, and `[/a,/b]` from an
 * array's alternatives; null for anything else.
 */
function rebuiltPath (source: string, keys: ReadonlyArray<{ name?: unknown }>): string | null {
  const paths: string[] = []
  const key = { next: 0 }
  for (const alternative of source.split(`${EXPRESS4_END}|^`)) {
    const path = rebuiltAlternative(alternative.startsWith('^') ? alternative : `^${alternative}`, keys, key)
    if (path === null) return null
    paths.push(path)
  }
  if (key.next !== keys.length) return null
  return paths.length === 1 ? mountPattern(paths[0]) : pathLabel(paths.map(mountPattern))
}

function rebuiltAlternative (source: string, keys: ReadonlyArray<{ name?: unknown }>, key: { next: number }): string | null {
  const end = source.endsWith(EXPRESS4_END) ? source.length - EXPRESS4_END.length : source.length
  let path = ''
  let at = 1
  while (at < end) {
    if (source.startsWith(EXPRESS4_PARAM, at)) {
      const name = keys[key.next++]?.name
      if (typeof name !== 'string') return null
      at += EXPRESS4_PARAM.length
      path += `/:${name}`
      if (source[at] === '?') {
        path += '?'
        at++
      }
    } else if (source.startsWith(EXPRESS4_STAR, at)) {
      key.next++
      at += EXPRESS4_STAR.length
      path += '*'
    } else if (source[at] === '\\' && at + 1 < end) {
      path += source[at + 1]
      at += 2
    } else if (/[\w\-.~/]/.test(source[at]!)) {
      path += source[at]
      at++
    } else {
      return null
    }
  }
  return path
}

/** The app `app` was mounted in with `app.use(path, app)`; undefined for a top-level app. */
export function parentAppOf (app: object): object | undefined {
  const parent = (app as Partial<AppView>).parent
  return parent !== null && (typeof parent === 'object' || typeof parent === 'function') ? parent as object : undefined
}

/** The app `app` was mounted in with `app.use(path, app)`, and that path; undefined for a top-level app. */
export function mountOfApp (app: object): { mountedIn: object, pattern: string } | undefined {
  const parent = parentAppOf(app)
  return parent === undefined ? undefined : { mountedIn: parent, pattern: mountPattern((app as Partial<AppView>).mountpath) }
}

/**
 * The layers of `parent`'s top-level router that mount an app with `app.use()` (that app is
 * out of reach: the layer's `mounted_app` closure holds it).
 */
export function appMountLayersOf (parent: object): LayerView[] {
  return appRouterOf(parent)?.stack.filter((layer) => typeof layer.handle === 'function' && layer.handle.name === 'mounted_app') ?? []
}

/** The object `app`'s requests inherit from (and its mounted apps' requests, through theirs). */
export function requestPrototypeOfApp (app: object): object | undefined {
  const request = (app as Partial<AppView>).request
  return request !== null && typeof request === 'object' ? request : undefined
}

/** The layers of `router`, in order. */
export function layersOf (router: RouterView): readonly LayerView[] {
  return router.stack
}

/** The layers of `app`'s top-level router (the array itself: it grows as the app mounts more); undefined without one. */
export function layersOfApp (app: object): readonly LayerView[] | undefined {
  return appRouterOf(app)?.stack
}

/** The middleware functions of `app`'s top-level router, in order. */
export function topLevelHandles (app: object): unknown[] {
  return appRouterOf(app)?.stack.map((layer) => layer.handle) ?? []
}

/** Error-handling middleware: Express tells it apart by its four parameters. */
export function isErrorHandler (fn: unknown): boolean {
  return typeof fn === 'function' && fn.length === 4
}

/**
 * Replaces the handle of every error-handling layer in `router` and the routers and apps it
 * mounts with `replace(handle)` (which returns the handle itself to keep it).
 */
export function replaceErrorHandlers (router: RouterView | undefined, replace: (handle: ErrorHandle) => ErrorHandle, seen = new Set<unknown>()): void {
  if (router === undefined || seen.has(router)) return
  seen.add(router)
  for (const layer of router.stack) {
    if (isErrorHandler(layer.handle)) layer.handle = replace(layer.handle as ErrorHandle)
    else replaceErrorHandlers(innerRouterOfLayer(layer), replace, seen)
  }
}

// Express 4's own first layers: an app's requests have their `req.app` and prototype after them.
const INIT_LAYERS = new Set(['query', 'expressInit'])

/** Mounts `fn` in `app` (with `app.use`), then moves it before every layer but Express's own. */
export function mountFirst (app: object, fn: unknown): void {
  ;(app as AppView).use(fn)
  const stack = appRouterOf(app)?.stack as LayerView[] | undefined
  if (stack === undefined || stack.length < 2) return
  let at = 0
  while (at < stack.length - 1 && INIT_LAYERS.has(stack[at]!.name as string)) at++
  stack.splice(at, 0, stack.pop()!)
}

/**
 * Keeps the error-handling middleware `fn` as the last layer of `app`'s top-level router:
 * mounts it there now, and returns the function that moves it back to the end after layers
 * were added behind it (one comparison when none were).
 */
export function keepLast (app: object, fn: ErrorHandle): () => void {
  ;(app as AppView).use(fn)
  const stack = appRouterOf(app)?.stack as LayerView[] | undefined
  if (stack === undefined) return () => {}
  let layer = stack[stack.length - 1]
  return function moveToEnd () {
    if (stack[stack.length - 1] === layer) return
    const at = stack.indexOf(layer!)
    if (at === -1) {
      // Someone took it out: mount it again.
      ;(app as AppView).use(fn)
      layer = stack[stack.length - 1]
    } else {
      stack.push(stack.splice(at, 1)[0]!)
    }
  }
}

/** Where Express keeps what it copies onto each new app: `express.application.init` runs for every app. */
interface ExpressModuleView {
  application?: { init?: (this: object) => void }
}

/** Whether `exported` is an Express module whose new apps onNewApps() can see. */
export function isExpressModule (exported: unknown): boolean {
  return typeof (exported as ExpressModuleView | null | undefined)?.application?.init === 'function'
}

/**
 * Calls `created(app)` right after each app `express()` creates from this copy; returns the
 * undo. Express copies `application` onto every new app and calls its `init`.
 */
export function onNewApps (exported: unknown, created: (app: object) => void): () => void {
  const application = (exported as Required<ExpressModuleView>).application as { init: (this: object) => void }
  const init = application.init
  application.init = function vigieInit (this: object) {
    init.call(this)
    created(this)
  }
  return function restoreInit () {
    if (application.init !== init) application.init = init
  }
}
