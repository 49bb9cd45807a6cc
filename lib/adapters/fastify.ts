import type { FastifyContextConfig, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import type { StatsD } from 'hot-shots'
import type { IncomingMessage } from 'node:http'
import { performance } from 'node:perf_hooks'
import { resolveCorrelationId } from '../context/correlation-id.js'
import { Observer } from '../core/observer.js'
import { DashboardHandler } from '../dashboard/dashboard-handler.js'
import { usesVigieLoggerOptions } from '../logging/logger-options.js'
import { exceptionLogger, markCorrelationBound } from '../logging/exception-logger.js'
import { kCapturedByVigie } from '../logging/symbols.js'
import { NOT_FOUND_CONTROLLER } from '../metrics/request-metrics.js'
import { resolveHeaderName, resolveOptions } from '../options/resolve-options.js'
import { shared, type RequestStore } from '../shared-state.js'
import type { RouteVigieConfig, VigieApi, VigieOptions } from '../types.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The hot-shots client vigie sends through, for your own business metrics. */
    statsd: StatsD
    /** vigie's in-process view of the app: `app.vigie.snapshot()`. */
    vigie: VigieApi
  }
  interface FastifyRequest {
    /** This request's correlation ID (also in the response header and every log line). */
    correlationId: string
  }
  interface FastifyContextConfig {
    /** `false` keeps the route out of request metrics; `{ controller }` sets its tag. */
    vigie?: RouteVigieConfig
  }
}

export type FastifyVigieOptions = VigieOptions<FastifyRequest>

const kState = Symbol('vigie.requestState')
// Shared by the ESM and CJS copies: genReqId() may come from one and the plugin from the other,
// and either copy must see that the other one is already installed.
const kGeneratedId = Symbol.for('vigie.generatedCorrelationId')
const kInstalled = Symbol.for('vigie.installed')
// Marks the dashboard's own routes (in their route config): neither counted nor captured.
const kDashboardRoute = Symbol('vigie.dashboardRoute')

/**
 * What vigie keeps of one request: its async-context store, plus when it started and the error
 * the app failed with. One object, under one request decoration (Fastify's request constructor
 * writes every decoration on every request, observed or not).
 */
interface RequestState extends RequestStore {
  correlationId: string
  readonly start: number
  error: unknown
}
type VigieRequest = FastifyRequest & { [kState]: RequestState | null }

/** One per Fastify app: the observer its hooks use, replaceable by a later explicit registration. */
interface Installation {
  observer: Observer<FastifyRequest>
  /** Registered by patchAll(): an explicit registration afterwards takes over with its options. */
  automatic: boolean
  /** The dashboard its routes answer with; null when off. */
  dashboard: DashboardHandler | null
  /** Dashboard paths that have a route already. */
  readonly dashboardRoutes: Set<string>
}

async function vigieFastifyPlugin (fastify: FastifyInstance, opts: FastifyVigieOptions): Promise<void> {
  install(fastify, opts, false)
}

/** The plugin patchAll() registers on every new app. */
export async function vigieAutomaticPlugin (fastify: FastifyInstance, opts: FastifyVigieOptions): Promise<void> {
  install(fastify, opts, true)
}

function install (fastify: FastifyInstance, opts: FastifyVigieOptions, automatic: boolean): void {
  const options = resolveOptions(opts)
  const existing = fastify.hasDecorator(kInstalled) ? (fastify as unknown as Record<symbol, Installation>)[kInstalled] : undefined
  if (existing !== undefined) {
    if (existing.automatic && !automatic) {
      // patchAll() got here first; the app's own registration wins. The hooks already in place
      // read the observer from the installation, so swapping it is enough.
      const previous = existing.observer
      existing.observer = new Observer<FastifyRequest>(options, previous.logger)
      existing.automatic = false
      previous.close().catch(() => {})
      setUpDashboard(fastify, existing)
    } else {
      fastify.log.warn('vigie: already registered on this Fastify instance; this registration is ignored, the first one\'s options apply')
    }
    return
  }
  const hasLogger = typeof (fastify.log as { isLevelEnabled?: unknown }).isLevelEnabled === 'function'
  const installation: Installation = {
    observer: new Observer<FastifyRequest>(options, exceptionLogger(hasLogger ? fastify.log : undefined)),
    automatic,
    dashboard: null,
    dashboardRoutes: new Set(),
  }
  fastify.decorate(kInstalled, installation)
  if (hasLogger && !usesVigieLoggerOptions(fastify.log)) {
    installation.observer.reporter.warnOnce('logger-options',
      'vigie: the Fastify logger was not built with loggerOptions(): Fastify\'s own lines (raw query strings, error messages) are not scrubbed, and 5xx errors are logged twice. Use Fastify({ logger: loggerOptions() }).')
  }

  if (!fastify.hasDecorator('statsd')) {
    fastify.decorate('statsd', { getter: () => installation.observer.statsd })
  }
  if (!fastify.hasDecorator('vigie')) {
    // Reads the installation's observer at call time: an explicit registration may replace it.
    const api: VigieApi = Object.freeze({ snapshot: () => installation.observer.snapshot() })
    fastify.decorate('vigie', { getter: () => api })
  }
  fastify.decorateRequest(kState, null)
  // Read from the state, on the prototype: nothing more for Fastify to write on each request.
  // An app that has its own `correlationId` decoration keeps it, and vigie assigns it.
  const assignsCorrelationId = fastify.hasRequestDecorator('correlationId')
  if (!assignsCorrelationId) {
    fastify.decorateRequest('correlationId', {
      getter (this: FastifyRequest) { return (this as VigieRequest)[kState]?.correlationId ?? '' },
      setter (this: FastifyRequest, id: string) {
        const state = (this as VigieRequest)[kState]
        if (state !== null) state.correlationId = id
      },
    })
  }
  fastify.decorateRequest(kCapturedByVigie, {
    getter (this: FastifyRequest) { return (this as VigieRequest)[kState] !== null },
  })
  fastify.addHook('onClose', async function vigieOnClose () {
    await installation.observer.close()
  })
  if (options.disabled) return
  setUpDashboard(fastify, installation)

  fastify.addHook('onRequest', function vigieOnRequest (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const observer = installation.observer
    let store: RequestState | null = null
    try {
      const state = store = startRequest(request as VigieRequest, reply, observer, hasLogger, assignsCorrelationId)
      reply.raw.on('close', function vigieResponseClosed () {
        settleRequest(request, reply, state, installation.observer)
      })
    } catch (err) {
      observer.reporter.report('onRequest hook', err)
    }
    // Everything after this hook runs in the store, body parsing included: Fastify continues
    // from the parsed body through an AsyncResource made here (content-type-parser.js).
    if (store === null || !observer.options.asyncContext) done()
    else shared.requestContext.run(store, done)
  })

  fastify.addHook('onError', function vigieOnError (request: FastifyRequest, _reply: FastifyReply, error: Error, done: HookHandlerDoneFunction) {
    const state = (request as VigieRequest)[kState]
    if (state !== null) state.error = error
    done()
  })
}

/**
 * Serves the dashboard when the installation's options ask for it: its routes are kept out of
 * metrics (`config.vigie: false`), out of exception capture, and out of Fastify's info-level
 * request logs (the page polls every 2 s). Routes read the installation's current dashboard, so
 * an explicit registration taking over from patchAll()'s brings its own path and token.
 */
function setUpDashboard (fastify: FastifyInstance, installation: Installation): void {
  const observer = installation.observer
  const options = observer.options.dashboard
  installation.dashboard = options === null || observer.options.disabled ? null : new DashboardHandler(observer, options)
  for (const path of installation.dashboard?.paths() ?? []) {
    if (installation.dashboardRoutes.has(path)) continue
    installation.dashboardRoutes.add(path)
    fastify.route({
      method: 'GET',
      url: path,
      logLevel: 'warn',
      config: { vigie: false, [kDashboardRoute]: true } as FastifyContextConfig,
      handler: function vigieDashboardRoute (request: FastifyRequest, reply: FastifyReply) {
        const url = request.url
        const q = url.indexOf('?')
        const response = installation.dashboard?.respond(path, request.method, q === -1 ? '' : url.slice(q + 1), request.headers) ??
          { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found' }
        reply.code(response.status).headers(response.headers).send(response.body)
      },
    })
  }
}

/** Sets the correlation ID everywhere it belongs; returns the request's state, its async-context store. */
function startRequest (request: VigieRequest, reply: FastifyReply, observer: Observer<FastifyRequest>, hasLogger: boolean, assignsCorrelationId: boolean): RequestState {
  const header = observer.options.correlationHeader
  const generated = (request.raw as IncomingMessage & { [kGeneratedId]?: string })[kGeneratedId]
  const id = generated ?? observer.correlationIdFor(request.headers[header])
  const state: RequestState = { correlationId: id, outgoing: observer.outgoing, start: performance.now(), error: undefined }
  request[kState] = state
  if (assignsCorrelationId) request.correlationId = id
  reply.header(header, id)
  // With Fastify's logger off, request.log is a no-op logger (its child() is itself): nothing to bind.
  if (hasLogger) bindCorrelationId(request, reply, id, generated !== undefined)
  return state
}

/** Makes the request's logger write the correlation ID, unless genReqId() already made it the request ID. */
function bindCorrelationId (request: FastifyRequest, reply: FastifyReply, id: string, generated: boolean): void {
  if (generated && loggerBindsCorrelationId(request.log, id)) {
    markCorrelationBound(request.log)
    return
  }
  const log = markCorrelationBound(request.log.child({ correlationId: id }))
  request.log = log
  reply.log = log
}

/**
 * Runs when the response closes, which Node signals on every response: after it was sent whole
 * (`writableEnded`: the app answered), or when the client went away first. One listener and one
 * closure per request, where Fastify's onResponse and onRequestAbort hooks would each add
 * listeners and closures of their own (and make Fastify time every request besides).
 */
function settleRequest (request: FastifyRequest, reply: FastifyReply, state: RequestState, observer: Observer<FastifyRequest>): void {
  try {
    const durationMs = performance.now() - state.start
    if (reply.raw.writableEnded) {
      finishRequest(request, reply, state, observer, durationMs)
    } else {
      const controller = controllerOf(request, observer)
      if (controller !== null) observer.recordAbort(controller, request.method, durationMs)
    }
  } catch (err) {
    observer.reporter.report('response close listener', err)
  }
}

/** Counts the response and captures it if it is an exception. */
function finishRequest (request: FastifyRequest, reply: FastifyReply, state: RequestState, observer: Observer<FastifyRequest>, durationMs: number): void {
  const statusCode = reply.statusCode
  const controller = controllerOf(request, observer)
  if (controller !== null) observer.recordResponse(controller, request.method, statusCode, durationMs)
  if (controller === null && isDashboardRoute(request)) return
  const error = state.error
  if (!observer.isException(statusCode, error)) return
  observer.captureException(controller ?? routeLabel(request), {
    correlationId: state.correlationId,
    error,
    method: request.method,
    protocol: request.protocol,
    host: request.host,
    url: request.url,
    route: request.routeOptions.url,
    headers: request.headers,
    query: request.query,
    params: request.params,
    body: request.body,
    remoteAddress: request.ip,
    statusCode,
    responseTime: durationMs,
    user: observer.userOf(request),
  })
}

/** The `controller` tag, or null when the request is not timed nor counted. */
function controllerOf (request: FastifyRequest, observer: Observer<FastifyRequest>): string | null {
  // A getter that builds a new object at every read: read once.
  const routeOptions = request.routeOptions
  const config = routeOptions.config?.vigie
  if (config === false) return null
  const route = request.is404 ? undefined : routeOptions.url
  if (observer.isIgnored(request, route, urlOf)) return null
  if (config !== undefined) {
    if (typeof config.controller === 'string' && config.controller.length > 0) return config.controller
    if (config.controller !== undefined) {
      observer.reporter.warnOnce(`route-config:${route ?? ''}`,
        `vigie: route ${route ?? ''} has config.vigie.controller that is not a non-empty string; the route pattern is used`)
    }
  }
  return route ?? NOT_FOUND_CONTROLLER
}

function urlOf (request: FastifyRequest): string {
  return request.url
}

function isDashboardRoute (request: FastifyRequest): boolean {
  const config: object | undefined = request.routeOptions.config
  return config !== undefined && kDashboardRoute in config
}

function routeLabel (request: FastifyRequest): string {
  return (request.is404 ? undefined : request.routeOptions.url) ?? NOT_FOUND_CONTROLLER
}

function loggerBindsCorrelationId (log: unknown, id: string): boolean {
  const bindings = (log as { bindings?: () => Record<string, unknown> }).bindings
  try {
    return typeof bindings === 'function' && bindings.call(log).correlationId === id
  } catch {
    return false
  }
}

/**
 * A Fastify `genReqId` that makes the request ID the correlation ID, so that Fastify's own
 * "incoming request" line (written before any hook runs) carries it too. Pair it with
 * `requestIdLogLabel: 'correlationId'` (or, on Fastify ≥ 5.12, a `LogController` with that
 * label) and vigie will not add the key a second time.
 *
 * @example
 * const app = Fastify({ logger: loggerOptions(), genReqId: genReqId(), requestIdLogLabel: 'correlationId' })
 */
export function genReqId (options: { correlationHeader?: string } = {}): (req: IncomingMessage) => string {
  const header = resolveHeaderName(options.correlationHeader)
  return function vigieGenReqId (req: IncomingMessage): string {
    const id = resolveCorrelationId(req.headers[header])
    ;(req as IncomingMessage & { [kGeneratedId]?: string })[kGeneratedId] = id
    return id
  }
}

/**
 * The Fastify plugin: correlation IDs, StatsD request metrics and scrubbed exception lines for
 * the whole app (it is wrapped with fastify-plugin, so its hooks are not encapsulated).
 *
 * @example
 * await app.register(observability, { statsd: { host: '127.0.0.1', port: 8125, prefix: 'shop.' } })
 */
export const observability: FastifyPluginAsync<FastifyVigieOptions> = fp(vigieFastifyPlugin, {
  fastify: '5.x',
  name: 'vigie',
})
