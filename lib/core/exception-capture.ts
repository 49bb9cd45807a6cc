import { buildExceptionRecord, exceptionMessage, type FailedRequestFacts } from '../capture/exception-record.js'
import type { RequestMetrics } from '../metrics/request-metrics.js'
import type { ResolvedOptions } from '../options/resolve-options.js'
import type { Scrubber } from '../scrub/scrubber.js'
import { errorName } from '../capture/error-name.js'
import { buildErrorRecord } from '../capture/error-record.js'
import type { FailureReporter } from './failure-reporter.js'
import type { LifecycleEvents } from './lifecycle-events.js'

const MAX_TRACE_MESSAGE = 500

/** The logger vigie writes exception lines and its own warnings to (a pino logger fits). */
export interface VigieLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
  error: (obj: object, msg: string) => void
}

export interface ExceptionCaptureParts<Request> {
  readonly options: ResolvedOptions<Request>
  readonly scrubber: Scrubber
  readonly reporter: FailureReporter
  readonly logger: VigieLogger
  readonly metrics: RequestMetrics
  readonly events: LifecycleEvents
}

/**
 * Turns a failed request into its one exception line (scrubbed and bounded), the
 * `http_request.exception` count and the `exceptionCaptured` event. Never throws.
 */
export class ExceptionCapture<Request> {
  readonly #options: ResolvedOptions<Request>
  readonly #scrubber: Scrubber
  readonly #reporter: FailureReporter
  readonly #logger: VigieLogger
  readonly #metrics: RequestMetrics
  readonly #events: LifecycleEvents

  constructor (parts: ExceptionCaptureParts<Request>) {
    this.#options = parts.options
    this.#scrubber = parts.scrubber
    this.#reporter = parts.reporter
    this.#logger = parts.logger
    this.#metrics = parts.metrics
    this.#events = parts.events
  }

  /** Whether an answer is an exception: every 5xx, and 4xx caused by an error when opted in. */
  isException (statusCode: number, error: unknown): boolean {
    if (statusCode >= 500) return true
    if (error === undefined) return false
    return statusCode < 400 || this.#options.captureClientErrors
  }

  /** The `getUser` option's answer for `request`; undefined when it is absent, throws or is async. */
  userOf (request: Request): unknown {
    const getUser = this.#options.getUser
    if (getUser === undefined) return undefined
    try {
      const user = getUser(request)
      if (typeof (user as { then?: unknown } | null)?.then === 'function') {
        this.#reporter.warnOnce('getUser-async', 'vigie: getUser returned a promise; it must return the user synchronously (the exception line is written as the response ends)')
        return undefined
      }
      return user
    } catch (err) {
      this.#reporter.report('getUser', err)
      return undefined
    }
  }

  /** Writes the exception line, counts `http_request.exception` and tells the subscribers. */
  capture (controller: string, facts: FailedRequestFacts): void {
    this.#metrics.recordException(controller, facts.error === undefined ? `http_${facts.statusCode}` : errorName(facts.error))
    try {
      const record = buildExceptionRecord(facts, this.#scrubber, this.#options.capture)
      this.#logger.error(record, exceptionMessage(record))
      this.#events.exceptionCaptured({ at: Date.now(), controller, record })
    } catch (err) {
      this.#reporter.report('exception capture', err)
    }
  }

  /**
   * One `info` line for a client error that no handler of the app answered (vigie answered it):
   * the trace the framework would have printed, scrubbed, without a stack.
   */
  traceClientError (controller: string, correlationId: string, method: string, statusCode: number, error: unknown): void {
    try {
      const { type, message } = buildErrorRecord(error, this.#scrubber)
      const shown = message.length > MAX_TRACE_MESSAGE ? `${message.slice(0, MAX_TRACE_MESSAGE - 1)}…` : message
      this.#logger.info({
        correlationId,
        req: { method, route: controller },
        res: { statusCode },
        err: { type, message: shown },
      }, `client error: ${statusCode} ${type}: ${shown}`)
    } catch (err) {
      this.#reporter.report('exception capture', err)
    }
  }
}
