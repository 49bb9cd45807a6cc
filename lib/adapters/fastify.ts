// fastify is an optional peer dependency: in an Express-only app, the import would fail the
// app's type check. The directive is kept in the emitted .d.ts, where the types become `any`
// (and the `declare module 'fastify'` below, ambient there, is skipped without an error).
/** @ts-ignore fastify may not be installed */
import type { FastifyContextConfig, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import type { StatsD } from 'hot-shots'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { resolveCorrelationId } from '../context/correlation-id.ts'
import type { OutgoingPolicy } from '../context/request-context.ts'
import type { FrameworkFacts, RequestDetails, RequestState } from '../core/framework-facts.ts'
import { RequestLifecycle } from '../core/request-lifecycle.ts'
import { answerOf } from '../core/endpoint-router.ts'
import type { ComposeVigie, Endpoint, EndpointResponse, Vigie } from '../core/vigie.ts'
import { exceptionLogger } from '../logging/exception-logger.ts'
import { type ChildLogger, idBinder } from '../logging/child-binding.ts'
import { describedSymbol, injectCorrelationId, markCorrelationBound } from '../logging/log-injection.ts'
import { usesVigieLoggerOptions } from '../logging/logger-options.ts'
import { kCapturedByVigie, kCorrelationBound } from '../logging/symbols.ts'
import { NOT_FOUND_CONTROLLER } from '../metrics/request-metrics.ts'
import { resolveHeaderName, resolveOptions } from '../options/resolve-options.ts'
import { sharedSymbol } from '../process-state.ts'
import type { RouteVigieConfig, VigieApi, VigieOptions } from '../types.ts'

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
const kGeneratedId = sharedSymbol('generatedCorrelationId')
const kInstalled = sharedSymbol('installed')
// How vigie binds the correlation ID to an app's request loggers, with the header it reads (see bindRequestLoggers()).
const kLoggerBinding = sharedSymbol('loggerBinding')
// Marks the routes of vigie's own endpoints (in their route config): neither counted nor captured.
const kEndpointRoute = Symbol('vigie.endpointRoute')

/**
 * The request's state is its async-context store, kept under one request decoration (Fastify's
 * request constructor writes every decoration on every request, observed or not).
 */
type VigieRequest = FastifyRequest & { [kState]: RequestState | null }
type FastifyLifecycle = RequestLifecycle<FastifyRequest, FastifyReply, RequestState>

/** One per Fastify app: the lifecycle its hooks use, replaceable by a later explicit registration. */
interface Installation {
  lifecycle: FastifyLifecycle
  /** Registered by patchAll(): an explicit registration afterwards takes over with its options. */
  automatic: boolean
  /** The endpoint answering each path that has a route; replaced with the lifecycle. */
  readonly endpoints: Map<string, Endpoint | null>
  readonly hasLogger: boolean
  /** The app has its own `correlationId` request decoration: vigie assigns it. */
  readonly assignsCorrelationId: boolean
}

/** The Fastify plugins, explicit and the one patchAll() registers, around an app's vigie as `compose` builds it. */
export function fastifyPlugins (compose: ComposeVigie): { observability: FastifyPluginAsync<FastifyVigieOptions>, automatic: FastifyPluginAsync<FastifyVigieOptions> } {
  return {
    observability: fp(async function vigieFastifyPlugin (fastify: FastifyInstance, opts: FastifyVigieOptions) {
      install(fastify, opts, false, compose)
    }, { fastify: '5.x', name: 'vigie' }),
    automatic: fp(async function vigieAutomaticPlugin (fastify: FastifyInstance, opts: FastifyVigieOptions) {
      install(fastify, opts, true, compose)
    }, { fastify: '5.x', name: 'vigie' }),
  }
}

function install (fastify: FastifyInstance, opts: FastifyVigieOptions, automatic: boolean, compose: ComposeVigie): void {
  const options = resolveOptions(opts)
  const existing = fastify.hasDecorator(kInstalled) ? (fastify as unknown as Record<symbol, Installation>)[kInstalled] : undefined
  if (existing !== undefined) {
    if (existing.automatic && !automatic) {
      // patchAll() got here first; the app's own registration wins. The hooks in place read the
      // lifecycle from the installation, so swapping it is enough.
      const previous = existing.lifecycle.vigie
      const vigie = compose(options, previous.logger)
      existing.lifecycle = new RequestLifecycle(vigie, fastifyFacts(vigie, existing.hasLogger, existing.assignsCorrelationId))
      existing.automatic = false
      const binding = (fastify as unknown as Record<symbol, LoggerBinding | undefined>)[kLoggerBinding]
      if (binding !== undefined) binding.header = options.correlationHeader
      previous.close().catch(() => {})
      routeEndpoints(fastify, existing)
    } else {
      fastify.log.warn('vigie: already registered on this Fastify instance; this registration is ignored, the first one\'s options apply')
    }
    return
  }
  const hasLogger = hasRealLogger(fastify)
  const assignsCorrelationId = fastify.hasRequestDecorator('correlationId')
  const vigie = compose(options, exceptionLogger(hasLogger ? fastify.log : undefined))
  const installation: Installation = {
    lifecycle: new RequestLifecycle(vigie, fastifyFacts(vigie, hasLogger, assignsCorrelationId)),
    automatic,
    endpoints: new Map(),
    hasLogger,
    assignsCorrelationId,
  }
  fastify.decorate(kInstalled, installation)
  if (hasLogger && !options.disabled) {
    if (bindRequestLoggers(fastify, options.correlationHeader)) rearmDefaultNotFound(fastify)
    if (options.logInjection && options.asyncContext) injectCorrelationId(fastify.log)
  }
  if (hasLogger && !usesVigieLoggerOptions(fastify.log)) {
    vigie.reporter.warnOnce('logger-options',
      'vigie: the Fastify logger was not built with loggerOptions(): Fastify\'s own lines (raw query strings, error messages) are not scrubbed, and 5xx errors are logged twice. Use Fastify({ logger: loggerOptions() }).')
  }

  if (!fastify.hasDecorator('statsd')) {
    fastify.decorate('statsd', { getter: () => installation.lifecycle.vigie.statsd })
  }
  if (!fastify.hasDecorator('vigie')) {
    // Reads the installation's vigie at call time: an explicit registration may replace it.
    const api: VigieApi = Object.freeze({
      snapshot: () => installation.lifecycle.vigie.api.snapshot(),
      slos: () => installation.lifecycle.vigie.api.slos(),
      drain: () => installation.lifecycle.vigie.api.drain(),
      alerts: () => installation.lifecycle.vigie.api.alerts(),
      queries: () => installation.lifecycle.vigie.api.queries(),
      get instance () {
        return installation.lifecycle.vigie.api.instance
      },
    })
    fastify.decorate('vigie', { getter: () => api })
  }
  fastify.decorateRequest(kState, null)
  // Read from the state, on the prototype: nothing more for Fastify to write on each request.
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
  // Closing starts: the readiness endpoint says "draining" to the requests Fastify still routes
  // (with `return503OnClosing: false`; by default Fastify answers 503 to them itself).
  fastify.addHook('preClose', function vigiePreClose (done: HookHandlerDoneFunction) {
    installation.lifecycle.vigie.api.drain()
    done()
  })
  fastify.addHook('onClose', async function vigieOnClose () {
    await installation.lifecycle.vigie.close()
  })
  if (options.disabled) return
  routeEndpoints(fastify, installation)

  fastify.addHook('onRequest', function vigieOnRequest (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const lifecycle = installation.lifecycle
    const state = lifecycle.start(request, reply)
    // One listener and one closure per request: Node emits `close` on every response, after it
    // was sent whole or when the client went away first.
    if (state !== null) {
      reply.raw.on('close', function vigieResponseClosed (this: ServerResponse) {
        installation.lifecycle.end(request, reply, state, this)
      })
    }
    // Body parsing included: Fastify continues from the parsed body through an AsyncResource
    // made inside this context (content-type-parser.js).
    lifecycle.enter(state, done)
  })

  fastify.addHook('onError', function vigieOnError (request: FastifyRequest, _reply: FastifyReply, error: Error, done: HookHandlerDoneFunction) {
    // The first error is the one the app failed with; a later one comes from answering it.
    const state = (request as VigieRequest)[kState]
    if (state !== null) state.error ??= error
    done()
  })
}

/** Whether the app's logger is on: with it off, request.log is a no-op logger whose child() is itself. */
function hasRealLogger (fastify: FastifyInstance): boolean {
  return typeof (fastify.log as { isLevelEnabled?: unknown }).isLevelEnabled === 'function'
}

/** What the lifecycle reads of a Fastify request and reply. */
function fastifyFacts (vigie: Vigie<FastifyRequest>, hasLogger: boolean, assignsCorrelationId: boolean): FrameworkFacts<FastifyRequest, FastifyReply, RequestState> {
  return {
    presetCorrelationId: (request) => (request.raw as IncomingMessage & { [kGeneratedId]?: string })[kGeneratedId],
    header: (request, name) => request.headers[name],
    echo: echoHeader,
    createState (request: FastifyRequest, reply: FastifyReply, correlationId: string, start: number, outgoing: OutgoingPolicy | null) {
      const state: RequestState = { correlationId, outgoing, start, error: undefined, unhandled: false, ended: false }
      ;(request as VigieRequest)[kState] = state
      if (assignsCorrelationId) request.correlationId = correlationId
      // With Fastify's logger off, request.log is a no-op logger (its child() is itself): nothing to bind.
      if (hasLogger) bindCorrelationId(request, reply, correlationId)
      return state
    },
    method: (request) => request.method,
    controller: (request) => controllerOf(request, vigie),
    url: (request) => request.url,
    statusCode: (reply) => reply.statusCode,
    // Fastify times each response when its logger is on (for its "request completed" line), from
    // before the onRequest hooks to the response's 'finish'.
    ...(hasLogger ? { elapsedMs: elapsedOf } : {}),
    details: requestDetails,
    isEndpoint (request) {
      const config: object | undefined = request.routeOptions.config
      return config !== undefined && kEndpointRoute in config
    },
  }
}

function elapsedOf (reply: FastifyReply): number {
  return reply.elapsedTime
}

// Fastify's symbol for a reply's own headers object, found on the first reply (null: not found).
let replyHeadersSymbol: symbol | null | undefined

/**
 * Sets the correlation header on the reply. reply.header() lower-cases the name, and stores the
 * value in the reply's headers object unless the name is set-cookie (which it appends to): the
 * name is lower case already (resolveHeaderName()), so the value is stored there directly, which
 * spares the lower-casing. Node validates name and value when the headers are written, as it
 * does after reply.header(). Through reply.header() when the object is not found.
 */
function echoHeader (reply: FastifyReply, name: string, id: string): void {
  if (replyHeadersSymbol === undefined) replyHeadersSymbol = Object.getOwnPropertySymbols(reply).find((sym) => sym.description === 'fastify.reply.headers') ?? null
  const headers = replyHeadersSymbol === null ? undefined : (reply as unknown as Record<symbol, unknown>)[replyHeadersSymbol]
  if (typeof headers === 'object' && headers !== null && name !== 'set-cookie') (headers as Record<string, unknown>)[name] = id
  else reply.header(name, id)
}

/**
 * Serves the features' endpoints (the dashboard): kept out of metrics (`config.vigie: false`),
 * out of exception capture, and out of Fastify's info-level request logs (the page polls every
 * 2 s). Routes read the installation's current endpoints, so an explicit registration taking
 * over from patchAll()'s brings its own; a path it no longer serves answers 404.
 */
function routeEndpoints (fastify: FastifyInstance, installation: Installation): void {
  for (const path of installation.endpoints.keys()) installation.endpoints.set(path, null)
  for (const endpoint of installation.lifecycle.vigie.endpoints) {
    for (const path of endpoint.paths) {
      const routed = installation.endpoints.has(path)
      installation.endpoints.set(path, endpoint)
      if (routed) continue
      fastify.route({
        method: 'GET',
        url: path,
        logLevel: 'warn',
        config: { vigie: false, [kEndpointRoute]: true } as FastifyContextConfig,
        handler: function vigieEndpointRoute (request: FastifyRequest, reply: FastifyReply) {
          const endpoint = installation.endpoints.get(path)
          const response = endpoint === undefined || endpoint === null
            ? NOT_FOUND
            : answerOf(endpoint, path, request.method, request.url, request.headers, request.raw.socket?.localAddress, installation.lifecycle.vigie.reporter)
          // A promise (health's checks) is returned to Fastify, which waits for it; it never rejects.
          if (response instanceof Promise) return response.then((answer) => sendAnswer(reply, answer))
          sendAnswer(reply, response)
        },
      })
    }
  }
}

const NOT_FOUND: EndpointResponse = Object.freeze({ status: 404, headers: Object.freeze({ 'content-type': 'text/plain; charset=utf-8' }), body: 'Not found' })

function sendAnswer (reply: FastifyReply, response: EndpointResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body)
}

interface LoggerBinding {
  /** The correlation header, replaced when an explicit registration takes over from patchAll()'s. */
  header: string
}

/**
 * Makes each request's child logger, the one Fastify makes for it before any hook runs, carry the
 * correlation ID among its bindings: one child per request, and the ID on Fastify's "incoming
 * request" line too. The ID is resolved then, from the raw request, and kept on it for the
 * request's state. Requests whose logger is made otherwise get a child made in vigie's
 * `onRequest` hook. Returns true when it set a child-logger factory (see bindThroughFactory()).
 */
export function bindRequestLoggers (fastify: FastifyInstance, header: string): boolean {
  const instance = fastify as unknown as Record<symbol, LoggerBinding | undefined>
  if (instance[kLoggerBinding] !== undefined || !hasRealLogger(fastify)) return false
  if (fastify.childLoggerFactory.name !== 'defaultChildLoggerFactory') return false
  const binding: LoggerBinding = { header }
  if (bindThroughRequestIds(fastify, binding)) {
    instance[kLoggerBinding] = binding
    return false
  }
  if (!bindThroughFactory(fastify, binding)) return false
  instance[kLoggerBinding] = binding
  return true
}

/**
 * What vigie's request-ID function hands to the app logger's child(), called next by Fastify's
 * own child-logger factory for the same request (route.js: genReqId, then the child), on the
 * app's logger.
 */
interface PendingRequest {
  /** Fastify's ID of the request whose child logger is made next; undefined once it is made. */
  requestId: unknown
  /** That request's correlation ID. */
  correlationId: string
}

// The PendingRequest of an app's logger, whose child() vigie wraps.
const kPendingRequest = sharedSymbol('pendingRequest')

/**
 * Binds the ID while Fastify's own child-logger factory stays in place: Fastify runs a factory
 * other than its own through validateLogger() on every request (seven property reads of the
 * child, through its prototypes), and vigie's factory cost more than binding the ID itself.
 * Fastify makes a request's ID (the instance's genReqId) then, straight after, its logger,
 * `log.child({ [requestIdLogLabel]: requestId }, options)` on the app's logger `log`: vigie wraps
 * the first to resolve the correlation ID, and the second to add it to the bindings of that
 * child. The request ID, its logging and `fastify.genReqId` are the app's as before; the app's
 * own calls of `child()` go to pino's. False (nothing changed) when this Fastify keeps neither
 * where vigie looks.
 */
function bindThroughRequestIds (fastify: FastifyInstance, binding: LoggerBinding): boolean {
  // Fastify keeps the function under a symbol of its own (fastify.genReqId reads it).
  const genSymbol = describedSymbol(fastify, 'fastify.genReqId')
  const instance = fastify as unknown as Record<symbol, unknown>
  const appGenReqId = genSymbol === undefined ? undefined : instance[genSymbol]
  if (genSymbol === undefined || typeof appGenReqId !== 'function') return false
  const pending = wrapChild(fastify.log as unknown as Record<string | symbol, unknown>)
  if (pending === undefined) return false
  instance[genSymbol] = function vigieRequestId (this: unknown, raw: IncomingMessage): unknown {
    const requestId: unknown = appGenReqId.call(this, raw)
    pending.requestId = requestId
    pending.correlationId = correlationIdOf(raw, binding.header)
    return requestId
  }
  return true
}

/**
 * Wraps `log.child` once per logger (its children inherit the wrapper, and pass their own calls
 * straight to pino's): a call on `log` itself with the pending request's ID among the bindings
 * (Fastify's own) makes the request's child with the correlation ID bound too. Pino makes a child
 * faster without options than with Fastify's empty object (it then skips rebuilding the child's
 * formatters): empty options are left out.
 */
function wrapChild (log: Record<string | symbol, unknown>): PendingRequest | undefined {
  const existing = log[kPendingRequest] as PendingRequest | undefined
  if (existing !== undefined) return existing
  const pinoChild = log.child
  if (typeof pinoChild !== 'function') return undefined
  const pending: PendingRequest = { requestId: undefined, correlationId: '' }
  // Fastify's log label for the request ID (`reqId` unless the app set another), as last seen.
  let label: string | undefined
  const childWithId = idBinder()
  const child: ChildLogger = function child (this: unknown, bindings, options) {
    const requestId = pending.requestId
    if (this !== log || requestId === undefined || bindings === null || typeof bindings !== 'object') return (pinoChild as ChildLogger).call(this, bindings, options)
    pending.requestId = undefined
    if (label === undefined || bindings[label] !== requestId) {
      label = labelOf(bindings, requestId)
      if (label === undefined) return (pinoChild as ChildLogger).call(this, bindings, options)
    }
    const opts = options !== undefined && options !== null && hasOwnKeys(options) ? options : undefined
    return childWithId(log, pinoChild as ChildLogger, bindings, opts, pending.correlationId)
  }
  try {
    Object.defineProperty(log, 'child', { value: child, writable: true, configurable: true, enumerable: false })
    Object.defineProperty(log, kPendingRequest, { value: pending })
  } catch {
    return undefined
  }
  return pending
}

/** The key of `bindings` whose value is `requestId`. */
function labelOf (bindings: Record<string, unknown>, requestId: unknown): string | undefined {
  for (const key in bindings) {
    if (bindings[key] === requestId && Object.hasOwn(bindings, key)) return key
  }
  return undefined
}

function hasOwnKeys (object: object): boolean {
  for (const key in object) {
    if (Object.hasOwn(object, key)) return true
  }
  return false
}

/**
 * Has Fastify make each request's child logger through a factory of vigie's, which binds the ID:
 * where bindThroughRequestIds() cannot. Fastify fixes a route's factory when the route is
 * declared, so only routes declared after this call get it; requests of the others get a child
 * made in vigie's `onRequest` hook, as do those of an app with a factory of its own (left in place).
 */
function bindThroughFactory (fastify: FastifyInstance, binding: LoggerBinding): boolean {
  const childWithId = idBinder()
  try {
    fastify.setChildLoggerFactory(function vigieChildLoggerFactory (logger, bindings, opts, rawRequest) {
      const id = correlationIdOf(rawRequest as IncomingMessage, binding.header)
      return childWithId(logger, logger.child as unknown as ChildLogger, bindings, opts as Record<string, unknown>, id) as ReturnType<typeof logger.child>
    })
    return true
  } catch {
    // Too late (the app has started): requests get their child logger in vigie's hook.
    return false
  }
}

/** The request's correlation ID, resolved from its header once and kept on the raw request. */
function correlationIdOf (raw: IncomingMessage, header: string): string {
  const request = raw as IncomingMessage & { [kGeneratedId]?: string }
  let id = request[kGeneratedId]
  if (id === undefined) {
    id = resolveCorrelationId(raw.headers[header])
    request[kGeneratedId] = id
  }
  return id
}

/**
 * Fastify's default 404 handler is set up as the app is created, with the factory of that time.
 * Setting it up again (no handler: the same default) gives it vigie's factory. An app that set a
 * 404 handler of its own keeps it (Fastify refuses a second one), as does one registering vigie
 * under a prefix.
 */
function rearmDefaultNotFound (fastify: FastifyInstance): void {
  if (fastify.prefix !== '') return
  try {
    // Typed with a handler, which Fastify does not require: without one it sets its default.
    (fastify.setNotFoundHandler as unknown as () => void).call(fastify)
  } catch {
    // The app's own 404 handler is in place: its requests get their child logger in vigie's hook.
  }
}

/** Makes the request's logger write the correlation ID, unless it already does. */
function bindCorrelationId (request: FastifyRequest, reply: FastifyReply, id: string): void {
  if ((request.log as unknown as { [kCorrelationBound]?: boolean })[kCorrelationBound] === true) return
  const generated = (request.raw as IncomingMessage & { [kGeneratedId]?: string })[kGeneratedId] === id
  if (generated && loggerBindsCorrelationId(request.log, id)) {
    markCorrelationBound(request.log)
    return
  }
  const log = markCorrelationBound(request.log.child({ correlationId: id }))
  request.log = log
  reply.log = log
}

/** The `controller` tag, or null when the route opted out. */
function controllerOf (request: FastifyRequest, vigie: Vigie<FastifyRequest>): string | null {
  const routeConfig = routeConfigOf(request)
  const config = routeConfig?.vigie
  if (config === false) return null
  // What request.is404 and request.routeOptions.url read.
  const route = routeConfig?.url
  if (config !== undefined) {
    if (typeof config.controller === 'string' && config.controller.length > 0) return config.controller
    if (config.controller !== undefined) {
      vigie.reporter.warnOnce(`route-config:${route ?? ''}`,
        `vigie: route ${route ?? ''} has config.vigie.controller that is not a non-empty string; the route pattern is used`)
    }
  }
  return route ?? NOT_FOUND_CONTROLLER
}

// Fastify's symbol for a request's route context, found on the first request (null: not found).
let routeContextSymbol: symbol | null | undefined

/**
 * The route's config (`request.routeOptions.config`: the route's own `config`, with its `url`
 * pattern and `method`), read from the route context it comes from: the getter of
 * request.routeOptions builds a new object of a dozen fields (the body limit, the version
 * constraint among them) at every read. Through that getter when the context is not found.
 */
function routeConfigOf (request: FastifyRequest): (FastifyContextConfig & { url?: string }) | undefined {
  if (routeContextSymbol === undefined) routeContextSymbol = Object.getOwnPropertySymbols(request).find((sym) => sym.description === 'fastify.context') ?? null
  const context = routeContextSymbol === null ? undefined : (request as unknown as Record<symbol, { config?: FastifyContextConfig & { url?: string } } | undefined>)[routeContextSymbol]
  return typeof context === 'object' && context !== null ? context.config : request.routeOptions.config as (FastifyContextConfig & { url?: string }) | undefined
}

function requestDetails (request: FastifyRequest): RequestDetails {
  return {
    protocol: request.protocol,
    host: request.host,
    url: request.url,
    route: request.is404 ? undefined : request.routeOptions.url,
    headers: request.headers,
    query: request.query,
    params: request.params,
    body: request.body,
    remoteAddress: request.ip,
  }
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
