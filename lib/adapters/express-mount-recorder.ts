import { enterMount, mountPath, type MountPath } from './express-route-pattern.js'
import { guardFinalHandler, type GuardableRouter } from './express-final-guard.js'
import { requestStateOf } from './express-request-state.js'
import { acquire } from '../process-state.js'
import { kPatchedUse, kVigieMiddleware } from './express-symbols.js'

type UseMethod = (this: GuardableRouter, ...args: unknown[]) => unknown
type Middleware = (req: MountedRequest, res: unknown, next: (err?: unknown) => void) => unknown
type ErrorMiddleware = (err: unknown, req: MountedRequest, res: unknown, next: (err?: unknown) => void) => unknown

interface MountedRequest {
  baseUrl?: string
}

interface UseHolder { use: UseMethod }

/**
 * Where `Router#use` lives in a loaded copy of Express: Express 4's router is a `proto` function
 * whose methods are its own properties (`require('express/lib/router')`); Express 5's is the
 * `router` package, with them on `Router.prototype`. Both are `express.Router`.
 */
export function routerUseHolder (expressModule: unknown): UseHolder | undefined {
  for (const candidate of [expressModule, (expressModule as { default?: unknown } | null)?.default]) {
    const Router = (candidate as { Router?: unknown } | null | undefined)?.Router
    if (typeof Router !== 'function') continue
    const prototype = (Router as { prototype?: unknown }).prototype as Partial<UseHolder> | undefined
    if (typeof prototype?.use === 'function') return prototype as UseHolder
    if (typeof (Router as Partial<UseHolder>).use === 'function') return Router as unknown as UseHolder
  }
  return undefined
}

/**
 * Makes `use` on every router of this Express copy record mount paths, so that a route's
 * controller tag can be its full pattern (`/api/users/:id`). Idempotent across calls and copies
 * of vigie (the patch is counted, acquire()); the returned function releases this call's share,
 * and the last release puts the original `use` back. Routers mounted before are not recorded.
 */
export function recordMounts (holder: UseHolder): () => void {
  return acquire(holder, 'express-mount-recording', function patchUse () {
    const original = holder.use
    let active = true
    const patched = createPatchedUse(original, () => active)
    holder.use = patched
    return function restoreUse () {
      active = false
      // Someone wrapped `use` after vigie: leave their wrapper in place; ours now passes through.
      if (holder.use === patched) holder.use = original
    }
  })
}

/** True when `router`'s `use` is vigie's: routers mounted through it are recorded. */
export function recordsMounts (router: unknown): boolean {
  const use = (router as { use?: unknown } | null)?.use as { [kPatchedUse]?: boolean } | undefined
  return use?.[kPatchedUse] === true
}

function createPatchedUse (original: UseMethod, isActive: () => boolean): UseMethod {
  const use = function use (this: GuardableRouter, ...args: unknown[]): unknown {
    let forwarded = args
    if (isActive()) {
      try {
        forwarded = recordingArguments(this, args)
      } catch {
        // Recording must never change what `use` does; a mount left unrecorded shows as
        // "(unrecorded)" in its routes' tags, with a warning, when a request reaches them.
        forwarded = args
      }
    }
    return original.apply(this, forwarded)
  }
  Object.defineProperty(use, kPatchedUse, { value: true })
  return use
}

/**
 * The arguments `use` passes on: functions mounted at a path wrapped so that they record it,
 * and the app's error-handling middleware so that it records the error it is given. Parses them
 * exactly as Express does (a leading path, possibly an array; callbacks flattened). Mounting one
 * of vigie's middlewares also guards the router's final handler.
 */
function recordingArguments (router: GuardableRouter, args: unknown[]): unknown[] {
  let offset = 0
  if (typeof args[0] !== 'function') {
    let arg = args[0]
    while (Array.isArray(arg) && arg.length !== 0) arg = arg[0]
    if (typeof arg !== 'function') offset = 1
  }
  const callbacks = args.slice(offset).flat(Infinity)
  if (callbacks.some(isVigieMiddleware)) guardFinalHandler(router)
  const path = offset === 0 ? null : mountPath(args[0])
  const recordsPath = path !== null && path.pattern !== ''
  if (!recordsPath && !callbacks.some(isErrorMiddleware)) return args
  const wrapped = callbacks.map((fn) => {
    if (isErrorMiddleware(fn)) return recordingErrorHandler(fn as ErrorMiddleware)
    return recordsPath && typeof fn === 'function' && fn.length < 4 ? recordingMount(fn as Middleware, path) : fn
  })
  return offset === 0 ? wrapped : [args[0], ...wrapped]
}

/**
 * Makes the error handlers already mounted in `router` and the routers inside it record the
 * error they are given, as recordingArguments() does for those mounted from now on: for an app
 * vigie finds only after it was built.
 */
export function recordErrorsOfMounted (router: unknown, seen = new Set<unknown>()): void {
  const stack = (router as { stack?: unknown } | null | undefined)?.stack
  if (!Array.isArray(stack) || seen.has(router)) return
  seen.add(router)
  for (const layer of stack as Array<{ handle?: unknown }>) {
    if (isErrorMiddleware(layer.handle)) layer.handle = recordingErrorHandler(layer.handle as ErrorMiddleware)
    else recordErrorsOfMounted(layer.handle, seen)
  }
}

/** Error-handling middleware of the app: Express tells it apart by its four parameters. */
function isErrorMiddleware (fn: unknown): boolean {
  return typeof fn === 'function' && fn.length === 4 && !isVigieMiddleware(fn)
}

/**
 * The app's own error handler, recording the error it is given on a request vigie observes
 * before it runs: the exception line then has the error (type, message, stack), as with
 * expressErrorHandler(), in apps that answer errors themselves. Its four parameters keep it an
 * error handler for Express; it keeps `fn`'s name and inherits its properties.
 */
function recordingErrorHandler (fn: ErrorMiddleware): ErrorMiddleware {
  const handler = function (err: unknown, req: MountedRequest, res: unknown, next: (err?: unknown) => void): unknown {
    const state = requestStateOf(req)
    if (state !== undefined) state.error ??= err
    return fn(err, req, res, next)
  }
  Object.defineProperty(handler, 'name', { value: fn.name })
  Object.setPrototypeOf(handler, fn)
  return handler
}

function isVigieMiddleware (fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { [kVigieMiddleware]?: boolean })[kVigieMiddleware] === true
}

/**
 * `fn` mounted at `path`, recording the mount on requests vigie observes while they are inside
 * it: pushed on entry, dropped when `fn` passes the request back out with `next()`. It keeps
 * `fn`'s name and inherits its properties (a router's `stack`), so tools that list an app's
 * routes through `layer.name` and `layer.handle.stack` still see the router.
 */
function recordingMount (fn: Middleware, path: MountPath): Middleware {
  const mounted = function (req: MountedRequest, res: unknown, next: (err?: unknown) => void): unknown {
    const mounts = requestStateOf(req)?.mounts
    if (mounts === undefined) return fn(req, res, next)
    const depth = mounts.length
    let inside = true
    const leave = (): void => {
      if (!inside) return
      inside = false
      mounts.length = depth
    }
    mounts.push(enterMount(mounts, path, req.baseUrl ?? ''))
    let result: unknown
    try {
      result = fn(req, res, function vigieLeaveMount (err?: unknown) {
        leave()
        next(err)
      })
    } catch (err) {
      leave()
      throw err
    }
    // Express passes a throw, and Express 5 a rejection, on with its own next(), not ours: leave
    // the mount first. The rejection still reaches Express (or stays unhandled, in Express 4).
    return result instanceof Promise
      ? result.then(undefined, (err: unknown) => {
        leave()
        throw err
      })
      : result
  }
  Object.defineProperty(mounted, 'name', { value: fn.name })
  Object.setPrototypeOf(mounted, fn)
  return mounted
}
