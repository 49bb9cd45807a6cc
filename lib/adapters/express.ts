// express is an optional peer dependency: in a Fastify-only app, the import would fail the
// app's type check. The directive is kept in the emitted .d.ts, where the types become `any`.
/** @ts-ignore express may not be installed */
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express'
import type { StatsD } from 'hot-shots'
import type { ServerResponse } from 'node:http'
import type { OutgoingPolicy } from '../context/request-context.ts'
import { EndpointRouter } from '../core/endpoint-router.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { FrameworkFacts } from '../core/framework-facts.ts'
import { RequestLifecycle } from '../core/request-lifecycle.ts'
import type { ComposeVigie, EndpointResponse, Vigie } from '../core/vigie.ts'
import { exceptionLogger } from '../logging/exception-logger.ts'
import { injectCorrelationId } from '../logging/log-injection.ts'
import { NOT_FOUND_CONTROLLER } from '../metrics/request-metrics.ts'
import { resolveOptions } from '../options/resolve-options.ts'
import type { VigieApi, VigieOptions } from '../types.ts'
import { adoptApp } from './express-app-adoption.ts'
import { isExpressApp, mountFirst, topLevelHandles } from './express-internals.ts'
import { bindRequestChildren, takeLoggerOption, type ExpressVigieLogger } from './express-logger.ts'
import { requestDetails } from './express-request-facts.ts'
import { controllerOfRoute, createRequestState, requestStateOf, SHARED_REQUEST_SHAPES, type ExpressRequestState } from './express-request-state.ts'
import { isVigieMiddleware, markVigieMiddleware } from './express-symbols.ts'

export { isExpressModule, onNewApps } from './express-internals.ts'
export { takeLoggerOption, type ExpressVigieLogger } from './express-logger.ts'
export { markVigieMiddleware } from './express-symbols.ts'

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
 * The Express middleware factory (the public `expressObservability`), around an app's vigie as
 * `compose` builds it.
 */
export function expressMiddlewareFactory (compose: ComposeVigie): (options?: ExpressVigieOptions) => ExpressObservability {
  return function expressObservability (options?: ExpressVigieOptions): ExpressObservability {
    const { logger, rest } = takeLoggerOption(options)
    const resolved = resolveOptions<Request>(rest as VigieOptions<Request> | undefined)
    if (logger !== undefined && !resolved.disabled && resolved.logInjection && resolved.asyncContext) {
      injectCorrelationId(logger)
      bindRequestChildren(logger, correlationIdOfRequest)
    }
    const vigie = compose(resolved, exceptionLogger(logger))
    const lifecycle = new RequestLifecycle(vigie, expressFacts(vigie))
    const endpoints = new EndpointRouter(vigie.endpoints, vigie.reporter)
    let closing: Promise<void> | undefined

    const middleware = function vigieExpressMiddleware (req: Request, res: Response, next: NextFunction): void {
      // vigie's own endpoints (the dashboard, health) are answered here, before anything else: neither counted nor captured.
      if (!endpoints.empty && closing === undefined && answerEndpoint(endpoints, req, res, vigie.reporter)) return
      if (closing !== undefined || resolved.disabled) {
        if (typeof req.correlationId !== 'string') req.correlationId = ''
        next()
        return
      }
      const state = lifecycle.start(req, res)
      if (state !== null) {
        // Every property read on an Express response is a lookup V8 cannot cache before Node
        // 24 (SHARED_REQUEST_SHAPES): `on` is read once. Node emits `close` on every response,
        // after it was sent whole or when the connection went away first; `error` (a write
        // after end, say) ends it as failed. Neither is removed: the response is done with, and
        // a second `finish` listener would turn Node's own into an array.
        const on = res.on
        on.call(res, 'close', function vigieResponseClosed (this: ServerResponse) { lifecycle.end(req, res, state, this) })
        on.call(res, 'error', function vigieResponseFailed (this: ServerResponse, err: unknown) {
          state.error ??= err
          lifecycle.end(req, res, state, this)
        })
      }
      lifecycle.enter(state, next)
    }
    markVigieMiddleware(middleware)
    Object.defineProperty(middleware, 'statsd', { enumerable: true, get: () => vigie.statsd })
    Object.defineProperty(middleware, 'vigie', { enumerable: true, value: vigie.api satisfies VigieApi })
    Object.defineProperty(middleware, 'close', {
      enumerable: true,
      value: function close (): Promise<void> {
        closing ??= vigie.close()
        return closing
      },
    })
    return middleware as ExpressObservability
  }
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
    // The first error is the one the app failed with; a later one comes from answering it.
    const state = requestStateOf(req)
    if (state !== undefined) state.error ??= err
    next(err)
  }
  return markVigieMiddleware(handler)
}

/** Whether `app` mounts a vigie middleware of its own (one with close()), other than `except`. */
export function appMountsVigie (app: object, except: unknown): boolean {
  return topLevelHandles(app).some((handle) => handle !== except && isVigieMiddleware(handle) && typeof (handle as { close?: unknown }).close === 'function')
}

/**
 * Takes over an Express app that vigie was not set up on, found after it was built (its Express
 * copy was out of the hooks' sight: vendored, a workspace link, bundled): mounts `middleware`
 * first in the app (after Express 4's own first layers, where `req.app` is set). The
 * middleware adopts the app at its first request. False when `app` is no Express app, or
 * mounts one of vigie's middlewares already.
 */
export function adoptExpressApp (app: unknown, middleware: (req: never, res: never, next: () => void) => void): boolean {
  if (!isExpressApp(app) || topLevelHandles(app as object).some(isVigieMiddleware)) return false
  mountFirst(app as object, middleware)
  return true
}

/**
 * Sends the answer of vigie's endpoint for this path, now or when it is ready (health's checks);
 * false when no endpoint has the path. An answer that cannot be sent is reported.
 */
function answerEndpoint (endpoints: EndpointRouter, req: Request, res: Response, reporter: FailureReporter): boolean {
  let response: EndpointResponse | Promise<EndpointResponse> | null
  try {
    response = endpoints.answer(req.method, req.url, req.headers, req.socket?.localAddress)
  } catch (err) {
    reporter.report('endpoint', err)
    return false
  }
  if (response === null) return false
  if (response instanceof Promise) response.then((answer) => { send(res, answer, reporter) }, (err: unknown) => { reporter.report('endpoint', err) })
  else send(res, response, reporter)
  return true
}

function send (res: ServerResponse, response: EndpointResponse, reporter: FailureReporter): void {
  try {
    // The client may have gone away while the answer was being made: nothing to send to.
    if (res.destroyed || res.headersSent) return
    res.statusCode = response.status
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value)
    res.setHeader('content-length', Buffer.byteLength(response.body))
    res.end(response.body)
  } catch (err) {
    reporter.report('endpoint', err)
    if (!res.headersSent) res.destroy()
  }
}

/** What the lifecycle reads of an Express request and response. */
function expressFacts (vigie: Vigie<Request>): FrameworkFacts<Request, Response, ExpressRequestState> {
  const reporter = vigie.reporter
  const adopt = (app: object): void => { adoptApp(app, reporter) }
  const facts: FrameworkFacts<Request, Response, ExpressRequestState> = {
    presetCorrelationId: null,
    header: (req, name) => req.headers[name],
    echo: echoHeader,
    createState (req: Request, _res: Response, correlationId: string, start: number, outgoing: OutgoingPolicy | null) {
      const existing = requestStateOf(req)
      if (existing !== undefined) {
        if (req.app !== existing.app && req.app !== undefined) adopt(req.app as object)
        // The same middleware in a mounted sub-app (zero-code mode gives every app its own) is
        // no mistake; mounted twice in one app, or two instances, is.
        if (existing.owner !== facts || existing.app === req.app) {
          reporter.warnOnce('express-twice', 'vigie: the Express middleware ran twice for one request (mounted twice, or two instances); the first one observes it')
        }
        return null
      }
      // Express has set the request's prototype to the app's request object by now.
      const app = req.app as object | undefined
      const accessorsInherited = app !== undefined && adoptApp(app, reporter)
      return createRequestState(req, app, facts, reporter, correlationId, start, outgoing, accessorsInherited, adopt)
    },
    method: (req) => req.method,
    controller (req, state) {
      if (!state.tracksRoute) {
        if (state.route !== req.route) state.controller = controllerOfRoute(req, state, req.route, true)
      } else if (state.controller === undefined && req.route !== undefined) {
        // Set where vigie's accessor was not inherited: an app mounted with `router.use(app)`
        // inside an app no request was seen entering yet.
        state.controller = controllerOfRoute(req, state, req.route, false)
      }
      return state.controller ?? NOT_FOUND_CONTROLLER
    },
    // req.url has the mount paths cut off.
    url: (req) => req.originalUrl ?? req.url,
    statusCode: (res) => res.statusCode,
    details: requestDetails,
    isEndpoint: () => false,
  }
  return facts
}

/** The correlation ID of a request vigie observes; undefined for any other object. */
function correlationIdOfRequest (value: object): string | undefined {
  return requestStateOf(value)?.correlationId
}

// Node's symbol for an outgoing message's headers object, found on the first response (null: not
// found, or not looked for: before Node 24, where each read of the response costs more than
// setHeader() saves).
let outHeadersSymbol: symbol | null | undefined = SHARED_REQUEST_SHAPES ? undefined : null

/**
 * Echoes the ID, unless an earlier middleware already sent the headers (then there is nothing to
 * add to). res.setHeader() checks the name and the value, lower-cases the name, and stores
 * `[name, value]` under it in the response's headers object, which Node writes out without
 * checking them again. Here both are valid already (the name was checked with the options and is
 * lower case, the ID is `[A-Za-z0-9._:-]` or generated): the pair is stored there directly,
 * which spares the checks (two regular expressions) and the lower-casing. Through setHeader()
 * when the object is not found.
 */
function echoHeader (res: Response, name: string, id: string): void {
  outHeadersSymbol ??= Object.getOwnPropertySymbols(res).find((sym) => sym.description === 'kOutHeaders') ?? null
  if (outHeadersSymbol !== null && !res.headersSent) {
    const target = res as unknown as Record<symbol, Record<string, [string, string]> | null | undefined>
    const headers = target[outHeadersSymbol]
    if (headers === null) {
      target[outHeadersSymbol] = { __proto__: null, [name]: [name, id] } as unknown as Record<string, [string, string]>
      return
    }
    if (typeof headers === 'object') {
      headers[name] = [name, id]
      return
    }
  }
  try {
    res.setHeader(name, id)
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== 'ERR_HTTP_HEADERS_SENT') throw err
  }
}
