import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express'
import type { StatsD } from 'hot-shots'
import type { ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { Observer } from '../core/observer.js'
import { DashboardHandler } from '../dashboard/dashboard-handler.js'
import { NOT_FOUND_CONTROLLER } from '../metrics/request-metrics.js'
import { resolveOptions } from '../options/resolve-options.js'
import { shared } from '../shared-state.js'
import type { VigieApi, VigieOptions } from '../types.js'
import { appRouterOf, guardFinalHandler, isGuarded } from './express-final-guard.js'
import { instrumentLoadedExpress } from './express-instrumentation.js'
import { exceptionLogger } from '../logging/exception-logger.js'
import { takeLoggerOption, type ExpressVigieLogger } from './express-logger.js'
import { recordsMounts } from './express-mount-recorder.js'
import { failedRequestFacts } from './express-request-facts.js'
import { controllerOfRoute, createRequestState, inheritsAccessors, requestStateOf, type ExpressRequestState } from './express-request-state.js'
import { kVigieMiddleware } from './express-symbols.js'

export { instrumentExpress } from './express-instrumentation.js'
export type { ExpressVigieLogger } from './express-logger.js'

declare global {
  namespace Express {
    interface Request {
      /** This request's correlation ID (also in the response header and every log line); `''` when vigie is off. */
      correlationId: string
    }
  }
}

/** The options of the Fastify plugin, plus the pino logger exception lines go to. */
export interface ExpressVigieOptions extends VigieOptions<Request> {
  /** Where exception lines and vigie's warnings go. Default: `pino(loggerOptions())`, JSON on stdout. */
  logger?: ExpressVigieLogger
}

/** vigie's Express middleware, with the StatsD client it sends through and a `close()`. */
export interface ExpressObservability {
  (req: Request, res: Response, next: NextFunction): void
  /** The hot-shots client vigie sends through, for your own business metrics. */
  readonly statsd: StatsD
  /** vigie's in-process view of the app: `middleware.vigie.snapshot()`. */
  readonly vigie: VigieApi
  /** Sends the metrics still buffered and releases what vigie holds; call it on shutdown. */
  close (): Promise<void>
}

/**
 * The Express middleware: correlation IDs, StatsD request metrics and scrubbed exception lines.
 * Mount it first, before your routers; put expressErrorHandler() after your routes. Options are
 * validated now: a bad one throws a VigieError.
 *
 * @example
 * const vigie = expressObservability({ statsd: { host: '127.0.0.1', port: 8125 } })
 * app.use(vigie)
 * // ...routes...
 * app.use(expressErrorHandler())
 * process.once('SIGTERM', () => server.close(() => vigie.close()))
 */
export function expressObservability (options?: ExpressVigieOptions): ExpressObservability {
  const { logger, rest } = takeLoggerOption(options)
  const resolved = resolveOptions<Request>(rest as VigieOptions<Request> | undefined)
  const observer = new Observer<Request>(resolved, exceptionLogger(logger))
  const releaseExpress = resolved.disabled ? () => {} : instrumentLoadedExpress()
  const dashboard = resolved.dashboard === null || resolved.disabled ? null : new DashboardHandler(observer, resolved.dashboard)
  let closing: Promise<void> | undefined

  const middleware = function vigieExpressMiddleware (req: Request, res: Response, next: NextFunction): void {
    // The dashboard is answered here, before anything else: neither counted nor captured.
    if (dashboard !== null && closing === undefined && answerDashboard(dashboard, req, res, observer)) return
    if (closing !== undefined || resolved.disabled) {
      if (typeof req.correlationId !== 'string') req.correlationId = ''
      next()
      return
    }
    let store: ExpressRequestState | null = null
    try {
      store = startRequest(req, res, observer)
    } catch (err) {
      observer.reporter.report('express middleware', err)
    }
    if (store === null || !resolved.asyncContext) next()
    else shared.requestContext.run(store, next)
  }
  Object.defineProperty(middleware, kVigieMiddleware, { value: true })
  Object.defineProperty(middleware, 'statsd', { enumerable: true, get: () => observer.statsd })
  Object.defineProperty(middleware, 'vigie', { enumerable: true, value: Object.freeze({ snapshot: () => observer.snapshot() }) satisfies VigieApi })
  Object.defineProperty(middleware, 'close', {
    enumerable: true,
    value: function close (): Promise<void> {
      closing ??= (async () => {
        releaseExpress()
        await observer.close()
      })()
      return closing
    },
  })
  return middleware as ExpressObservability
}

/**
 * The 4-argument error middleware: remembers the error for the exception line (written when the
 * response ends, with the status really sent), then passes it on with `next(err)`, so your own
 * error handlers still run. Mount it after your routes and before your error handlers. An
 * error nothing answers is answered by vigie (status from the error, else 500; no stack).
 *
 * @example
 * app.use(expressErrorHandler())
 * app.use((err, req, res, next) => res.status(500).json({ error: 'internal' }))
 */
export function expressErrorHandler (): ErrorRequestHandler {
  const handler = function vigieExpressErrorHandler (err: unknown, req: Request, _res: Response, next: NextFunction): void {
    const state = requestStateOf(req)
    if (state !== undefined) state.error = err
    next(err)
  }
  Object.defineProperty(handler, kVigieMiddleware, { value: true })
  return handler
}

/** Sends the dashboard's answer when the path is one of its own; false otherwise. */
function answerDashboard (dashboard: DashboardHandler, req: Request, res: Response, observer: Observer<Request>): boolean {
  try {
    const response = dashboard.handle(req.method, req.url, req.headers)
    if (response === null) return false
    res.statusCode = response.status
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
    res.setHeader('content-length', Buffer.byteLength(response.body))
    res.end(response.body)
    return true
  } catch (err) {
    observer.reporter.report('dashboard', err)
    return false
  }
}

/** Sets the correlation ID everywhere it belongs; returns the request's state, its async-context store. */
function startRequest (req: Request, res: Response, observer: Observer<Request>): ExpressRequestState | null {
  if (requestStateOf(req) !== undefined) {
    observer.reporter.warnOnce('express-twice', 'vigie: the Express middleware ran twice for one request (mounted twice, or two instances); the first one observes it')
    return null
  }
  const header = observer.options.correlationHeader
  const id = observer.correlationIdFor(req.headers[header])
  setHeaderUnlessSent(res, header, id)
  const state = createRequestState(req, observer, id, performance.now(), appInheritsAccessors(req, observer))
  // Every property read on an Express request or response is a lookup V8 cannot cache (their
  // hidden classes are new for each request): `on` is read once.
  const on = res.on
  on.call(res, 'close', function vigieResponseClosed (this: ServerResponse) { settle(req, this, state, !this.writableFinished) })
  on.call(res, 'error', function vigieResponseFailed (this: ServerResponse) { settle(req, this, state, true) })
  return state
}

/** Echoes the ID, unless an earlier middleware already sent the headers (then there is nothing to add to). */
function setHeaderUnlessSent (res: Response, header: string, id: string): void {
  try {
    res.setHeader(header, id)
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== 'ERR_HTTP_HEADERS_SENT') throw err
  }
}

/** Per app seen: whether its requests inherit vigie's accessors (see appInheritsAccessors()). */
const checkedApps = new WeakMap<object, boolean>()

/**
 * Whether the requests of `req`'s app inherit vigie's accessors, looked at once per app. An app
 * whose router was built by an Express copy vigie did not patch (bundled, or loaded after
 * expressObservability()) records no mount paths and had no final-handler guard: say so once,
 * and guard it from now on.
 */
function appInheritsAccessors (req: Request, observer: Observer<Request>): boolean {
  const app = req.app as object | undefined
  if (app === undefined) return inheritsAccessors(req)
  let inherits = checkedApps.get(app)
  if (inherits !== undefined) return inherits
  inherits = inheritsAccessors(req)
  checkedApps.set(app, inherits)
  const router = appRouterOf(app)
  if (router === undefined || isGuarded(router)) return inherits
  if (!recordsMounts(router)) {
    observer.reporter.warnOnce('express-not-instrumented',
      'vigie: this Express app was built by a copy of Express that was not instrumented (not loaded yet when expressObservability() ran, or bundled): routes in mounted routers get "(unrecorded)" in their controller tag. Call instrumentExpress(express) before creating the app.')
  }
  guardFinalHandler(router as Parameters<typeof guardFinalHandler>[0])
  return inherits
}

// Node emits `close` on every response: after `finish` when it was sent whole (writableFinished),
// or when the connection went away first. `error` (a write after end, say) settles it as failed.
// Not removed: the response is done with, and `finish` is left alone (Node has its own listener
// there, which a second one would turn into an array).
function settle (req: Request, res: ServerResponse, state: ExpressRequestState, aborted: boolean): void {
  if (state.settled) return
  state.settled = true
  try {
    finishRequest(req, res, state, aborted)
  } catch (err) {
    state.observer.reporter.report('express response listener', err)
  }
}

/** The path and query as received (req.url has the mount paths cut off). */
function urlOf (req: Request): string {
  return req.originalUrl ?? req.url
}

/**
 * Counts the response and captures it if it is an exception. A response cut off before it was
 * sent counts as 499 (the client went away), or as 500 when the app had failed with an error.
 */
function finishRequest (req: Request, res: ServerResponse, state: ExpressRequestState, aborted: boolean): void {
  const observer = state.observer
  const durationMs = performance.now() - state.start
  if (!state.tracksRoute && state.route !== req.route) state.controller = controllerOfRoute(req, state, req.route)
  const controller = observer.isIgnored(req, state.controller, urlOf) ? null : (state.controller ?? NOT_FOUND_CONTROLLER)
  if (aborted && state.error === undefined) {
    if (controller !== null) observer.recordAbort(controller, req.method, durationMs)
    return
  }
  const statusCode = aborted ? 500 : res.statusCode
  if (controller !== null) observer.recordResponse(controller, req.method, statusCode, durationMs)
  if (!observer.isException(statusCode, state.error)) return
  observer.captureException(controller ?? state.controller ?? NOT_FOUND_CONTROLLER, failedRequestFacts(req, state, statusCode, durationMs))
}
