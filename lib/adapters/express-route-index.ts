import { appMountLayersOf, appRouterOf, innerAppOfLayer, innerRouterOfLayer, layersOf, matchedLength, mountOfApp, mountPatternOfLayer, routeOfLayer, type LayerView, type RouterView } from './express-internals.ts'
import { joinController, UNRECORDED_MOUNT } from './express-route-pattern.ts'

/** The layers (mounts) from an app's top-level router down to the router holding a route, and their joined pattern. */
interface Chain {
  readonly layers: readonly LayerView[]
  readonly prefix: string
}

/** Where each route of one app is mounted, read off its routers (not those of apps inside it). */
interface AppIndex {
  readonly routes: Map<object, Chain[]>
  /** The apps mounted in it with `router.use(app)`. */
  readonly mountedApps: object[]
  /** Full patterns of routes with one chain, once computed. */
  readonly controllers: WeakMap<object, CachedController>
  readonly builds: number
}

/**
 * A route's full pattern, and for a route of an app mounted with `app.use()` (which may be
 * mounted at several paths: Express keeps the last), the literal text `req.baseUrl` starts with
 * when the request came through the mount the pattern was made for.
 */
interface CachedController {
  readonly controller: string
  readonly appText: string | null
}

/** The full pattern of a route, and whether every mount on its way was known. */
export interface RouteController {
  readonly controller: string
  readonly complete: boolean
}

// Bounds on what one index walks, and how often a route it misses makes it walk again.
const MAX_LAYERS = 10_000
const MAX_BUILDS = 64
const MAX_APP_DEPTH = 32

const indexes = new WeakMap<object, AppIndex>()
/** Apps mounted with `router.use(app)` (which, unlike `app.use`, leaves no trace on the app): the app mounting them, and where. */
const routerMounts = new WeakMap<object, { mountedIn: object, chains: Chain[] }>()

/**
 * The apps `app` mounts with `router.use(app)`, anywhere in its routers; indexes `app` first if
 * it was not.
 */
export function mountedAppsOf (app: object): readonly object[] {
  return indexOf(app).mountedApps
}

/**
 * The full pattern of `route` (`/api/users/:id`; `path` is its own) as a request of `app`
 * reaches it, when Express has set `req.baseUrl` to `baseUrl`: the mount paths of the apps and
 * routers on its way, then its own path. `observedApp` is the app vigie's middleware observes
 * the request from: the apps above `app` are known up to it. UNRECORDED_MOUNT stands where a
 * mount's pattern could not be known (a router reached through a function, not a mount), unless
 * nothing was mounted on the way. `req.baseUrl`, which holds raw IDs, is compared, never used as
 * a label. Computed once per route when it has one way in; a cached route of an app mounted
 * with `app.use()` is checked against its mount's literal text.
 */
export function routeController (observedApp: object, app: object, route: object, path: string, baseUrl: string): RouteController {
  let index = indexOf(app)
  if (!index.routes.has(route) && index.builds < MAX_BUILDS) index = rebuild(app, index.builds + 1)
  const cached = index.controllers.get(route)
  if (cached !== undefined && (cached.appText === null || startsWithMount(baseUrl, cached.appText))) return { controller: cached.controller, complete: true }
  const chains = index.routes.get(route)
  if (chains === undefined && baseUrl === '') return { controller: path, complete: true }
  const chain = chains === undefined || chains.length === 1 ? chains?.[0] : chainMatching(chains, baseUrl, isTopLevel(app))
  const mount = appPrefix(app, observedApp, chain, baseUrl)
  if (chain === undefined) return { controller: joinController(mount.prefix + UNRECORDED_MOUNT, path), complete: false }
  const controller = joinController(mount.prefix + chain.prefix, path)
  if (chains!.length === 1 && mount.known && (mount.cacheable || LITERAL_PATH.test(mount.prefix))) {
    index.controllers.set(route, { controller, appText: mount.cacheable ? null : mount.prefix })
  }
  return { controller, complete: mount.known }
}

// A mount prefix that matches only its own text (no parameter, wildcard, RegExp or array).
const LITERAL_PATH = /^[\w\-.~/%]*$/

/** Whether `baseUrl` begins with the whole path `text`. */
function startsWithMount (baseUrl: string, text: string): boolean {
  return baseUrl.startsWith(text) && (baseUrl.length === text.length || baseUrl.charCodeAt(text.length) === 47)
}

function indexOf (app: object): AppIndex {
  return indexes.get(app) ?? rebuild(app, 0)
}

function rebuild (app: object, builds: number): AppIndex {
  const index: AppIndex = { routes: new Map(), mountedApps: [], controllers: new WeakMap(), builds }
  const found = new Map<object, Chain[]>()
  let budget = MAX_LAYERS
  // Routers on the way down, and how many times: a router mounted inside itself is walked once
  // more (its routes get the pattern of one pass through the loop; further passes match none).
  const onPath = new Map<RouterView, number>()
  function walk (router: RouterView | undefined, layers: LayerView[], prefix: string): void {
    if (router === undefined) return
    const passes = onPath.get(router) ?? 0
    if (passes === 2) return
    onPath.set(router, passes + 1)
    for (const layer of layersOf(router)) {
      if (--budget < 0) break
      const route = routeOfLayer(layer)
      if (route !== undefined) {
        pushTo(index.routes, route, { layers, prefix })
        continue
      }
      const inner = innerRouterOfLayer(layer)
      if (inner === undefined) continue
      const chain = { layers: [...layers, layer], prefix: prefix + (mountPatternOfLayer(layer) ?? UNRECORDED_MOUNT) }
      const mounted = innerAppOfLayer(layer)
      if (mounted === undefined) walk(inner, chain.layers, chain.prefix)
      else pushTo(found, mounted, chain)
    }
    onPath.set(router, passes)
  }
  walk(appRouterOf(app), [], '')
  for (const [mounted, chains] of found) {
    index.mountedApps.push(mounted)
    routerMounts.set(mounted, { mountedIn: app, chains })
  }
  indexes.set(app, index)
  return index
}

function pushTo<K> (map: Map<K, Chain[]>, key: K, chain: Chain): void {
  const chains = map.get(key)
  if (chains === undefined) map.set(key, [chain])
  else chains.push(chain)
}

/**
 * The joined mount patterns of the apps above `app`, up to the top-level app. `known` is false
 * when that is not the top of `observedApp`: an app on the way was mounted with `router.use()`
 * in an app not indexed yet, or `app` was mounted with `app.use()` in an app the request did
 * not come through (an app mounted in two parents keeps the last); UNRECORDED_MOUNT stands for
 * the rest. `cacheable` is false for an app mounted with `app.use()`, which may be mounted at
 * several paths: its own mount is then the one that matched the request (ownMountPattern()).
 */
function appPrefix (app: object, observedApp: object, chain: Chain | undefined, baseUrl: string): { prefix: string, known: boolean, cacheable: boolean } {
  const own = mountOfApp(app)
  if (own !== undefined) {
    const pattern = ownMountPattern(own, chain, baseUrl)
    if (pattern === undefined) return { prefix: UNRECORDED_MOUNT, known: false, cacheable: false }
    const above = climb(own.mountedIn)
    const known = above.top !== undefined && above.top === climb(observedApp).top
    return { prefix: (known ? '' : UNRECORDED_MOUNT) + above.prefix + pattern, known, cacheable: false }
  }
  const { prefix, top } = climb(app)
  if (top !== undefined && top === climb(observedApp).top) return { prefix, known: true, cacheable: true }
  return { prefix: UNRECORDED_MOUNT + prefix, known: false, cacheable: false }
}

/**
 * The pattern of the `app.use()` mount the request came through into an app: among the parent's
 * app mounts, the one that, followed by the mounts of `chain`, matches the end of `baseUrl`.
 * Express keeps only the app's last mount path (`mountpath`), which is taken when it matches
 * too, or when nothing can be checked; undefined when no mount of that parent matches (the app
 * is mounted in another parent too, and the request came through that one).
 */
function ownMountPattern (own: { mountedIn: object, pattern: string }, chain: Chain | undefined, baseUrl: string): string | undefined {
  const candidates = appMountLayersOf(own.mountedIn)
  if (chain === undefined || candidates.length === 0) return own.pattern
  const topLevel = isTopLevel(own.mountedIn)
  const matched: string[] = []
  for (const candidate of candidates) {
    if (matchesEnd([candidate, ...chain.layers], baseUrl, topLevel)) matched.push(mountPatternOfLayer(candidate) ?? UNRECORDED_MOUNT)
  }
  if (matched.length === 0) return undefined
  // An Express 4 mount path too complex to rebuild is labelled by its RegExp: the written one is better.
  if (matched.includes(own.pattern) || (matched.length === 1 && matched[0]!.startsWith('/^'))) return own.pattern
  return matched[0]
}

/** Whether `app` is mounted nowhere vigie knows of. */
function isTopLevel (app: object): boolean {
  return mountOfApp(app) === undefined && !routerMounts.has(app)
}

/** The mount patterns from `app` up to its top-level app, joined; the top undefined when the climb is cut. */
function climb (app: object): { prefix: string, top: object | undefined } {
  let prefix = ''
  let current = app
  for (let depth = 0; depth < MAX_APP_DEPTH; depth++) {
    const mount = mountOfApp(current)
    const routed = mount === undefined ? routerMounts.get(current) : undefined
    if (mount === undefined && routed === undefined) return { prefix, top: current }
    prefix = (mount?.pattern ?? routed!.chains[0]!.prefix) + prefix
    current = mount?.mountedIn ?? routed!.mountedIn
  }
  return { prefix, top: undefined }
}

/** The chain whose mounts match `baseUrl` (a router mounted at two paths); undefined when none does (a loop). */
function chainMatching (chains: readonly Chain[], baseUrl: string, topLevel: boolean): Chain | undefined {
  return chains.find((chain) => matchesEnd(chain.layers, baseUrl, topLevel))
}

/**
 * Whether `layers`, one after the other, match `baseUrl` to its end: from its start for a
 * top-level app, else from its start or after any of its slashes (the mounts above come first).
 */
function matchesEnd (layers: readonly LayerView[], baseUrl: string, topLevel: boolean): boolean {
  for (let start = 0; start <= baseUrl.length; start++) {
    if (start > 0 && (topLevel || baseUrl.charCodeAt(start) !== 47)) continue
    if (consumesFrom(layers, baseUrl, start)) return true
  }
  return false
}

function consumesFrom (layers: readonly LayerView[], text: string, start: number): boolean {
  let at = start
  for (const layer of layers) {
    const length = matchedLength(layer, text.slice(at))
    if (length < 0) return false
    at += length
  }
  return at === text.length
}
