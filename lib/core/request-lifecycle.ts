import type { ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { resolveCorrelationId } from '../context/correlation-id.ts'
import { runInRequestContext } from '../context/request-context.ts'
import { RequestQueries } from './request-queries.ts'
import { CLIENT_CLOSED_STATUS, NOT_FOUND_CONTROLLER } from '../metrics/request-metrics.ts'
import type { FrameworkFacts, RequestState } from './framework-facts.ts'
import type { Vigie } from './vigie.ts'

/**
 * The life of one request, whatever the framework: the adapter calls start() in its first hook,
 * listens for the response's end itself, calls enter() to go on, and end() once the response
 * closed or failed. The steps, and every decision, are here:
 * - start: read the incoming ID (kept when valid) or make one, echo it, start the clock (unless
 *   the framework times the response itself: FrameworkFacts#elapsedMs);
 * - enter: run the rest of the request in the async context (unless `asyncContext: false`);
 * - end: decide what the request was, count it, capture its exception.
 *   - ignored (the `ignore` option) or opted out (route config): not counted; an exception is
 *     still captured, except on vigie's own endpoints;
 *   - answered (the app ended its response: sent whole, or nearly, when the connection closed): counted with its status; captured when it is an exception (every
 *     5xx, and a 4xx caused by an error with `captureClientErrors`); an unhandled client error
 *     that vigie answered leaves one `info` line;
 *   - cut (the app failed after the headers were sent, and the server destroyed the response:
 *     Fastify does, and vigie's Express guard): counted 500 and captured;
 *   - aborted (the client went away before the whole answer was sent): counted 499, because the
 *     client never got an answer; an error the app had failed with is captured all the same,
 *     under 499: an exception is never lost.
 * Every method is fail-open: a failure is reported, never thrown into the request.
 */
export class RequestLifecycle<Request, Response, State extends RequestState> {
  readonly vigie: Vigie<Request>
  readonly #facts: FrameworkFacts<Request, Response, State>
  readonly #header: string
  readonly #asyncContext: boolean

  constructor (vigie: Vigie<Request>, facts: FrameworkFacts<Request, Response, State>) {
    this.vigie = vigie
    this.#facts = facts
    this.#header = vigie.options.correlationHeader
    this.#asyncContext = vigie.options.asyncContext
  }

  /** The request's state, with its correlation ID echoed; null when it is not observed. */
  start (request: Request, response: Response): State | null {
    const facts = this.#facts
    try {
      const id = facts.presetCorrelationId?.(request) ?? resolveCorrelationId(facts.header(request, this.#header))
      const state = facts.createState(request, response, id, facts.elapsedMs === undefined ? performance.now() : 0, this.vigie.outgoing)
      if (state !== null) {
        facts.echo(response, this.#header, id)
        if (this.vigie.countsQueries && this.#asyncContext) state.queries = new RequestQueries(this.vigie, this.vigie.options.database?.comment === true, id, request, (r: Request) => facts.controller(r, state))
      }
      return state
    } catch (err) {
      this.vigie.reporter.report('request start', err)
      return null
    }
  }

  /** Goes on with the request (`next`), in `state`'s async context unless that is off. */
  enter (state: State | null, next: () => void): void {
    if (state === null || !this.#asyncContext) next()
    else runInRequestContext(state, next)
  }

  /** The response (`raw`: Node's own under the framework's) closed or failed. Acts once per request. */
  end (request: Request, response: Response, state: State, raw: ServerResponse): void {
    if (state.ended) return
    state.ended = true
    const vigie = this.vigie
    try {
      const facts = this.#facts
      const durationMs = facts.elapsedMs === undefined ? performance.now() - state.start : facts.elapsedMs(response)
      let controller = facts.controller(request, state)
      if (controller !== null && this.#ignores(request, controller)) controller = null
      const tally = state.queries instanceof RequestQueries ? state.queries : null
      tally?.release(controller)
      const queries = tally !== null && tally.count > 0 ? tally : null
      const method = facts.method(request)
      // Ended rather than finished: a response ended in full may still be flushing when the client
      // closes, and light-my-request's (Fastify's inject()) never reports finished.
      const answered = raw.writableEnded
      // A response the server destroyed with an error holds it; one the client cut off does not
      // (nor does an HTTP/2 response, which has no `errored`).
      const failure = answered ? null : (raw.errored ?? null)
      const error = state.error ?? failure ?? undefined
      const cut = failure !== null || (!answered && state.unhandled && error !== undefined)
      const statusCode = answered ? facts.statusCode(response) : cut ? SERVER_ERROR_STATUS : CLIENT_CLOSED_STATUS
      if (controller !== null) {
        vigie.metrics.recordRequest(controller, method, statusCode, durationMs)
        vigie.events.requestEnded?.(controller, method, statusCode, durationMs)
        if (queries !== null) {
          vigie.metrics.recordDbTime(controller, method, statusCode, queries.totalMs)
          vigie.events.requestQueried(controller, queries)
        }
      }
      if (answered ? vigie.capture.isException(statusCode, error) : error !== undefined) {
        if (controller === null && facts.isEndpoint(request)) return
        const details = facts.details(request, state)
        vigie.capture.capture(controller ?? details.route ?? NOT_FOUND_CONTROLLER, request, {
          ...details,
          correlationId: state.correlationId,
          error,
          method,
          statusCode,
          responseTime: durationMs,
          db: queries === null ? undefined : { queries: queries.count, totalMs: queries.totalMs, failed: queries.failed ?? undefined },
        })
      } else if (state.unhandled && error !== undefined) {
        const route = controller ?? facts.details(request, state).route ?? NOT_FOUND_CONTROLLER
        vigie.capture.traceClientError(route, state.correlationId, method, statusCode, error)
      }
    } catch (err) {
      vigie.reporter.report('request end', err)
    }
  }

  /** The `ignore` option: exact paths (compared with the path as received, and the route) or a predicate. */
  #ignores (request: Request, controller: string): boolean {
    const { paths, predicate } = this.vigie.options.ignore
    if (paths.size > 0 && (paths.has(controller) || paths.has(pathOf(this.#facts.url(request))))) return true
    if (predicate === undefined) return false
    try {
      return predicate(request) === true
    } catch (err) {
      this.vigie.reporter.report('ignore callback', err)
      return false
    }
  }
}

const SERVER_ERROR_STATUS = 500

function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
