import { buildExceptionRecord, exceptionMessage, type FailureFacts } from '../capture/exception-record.ts'
import type { RequestMetrics } from '../metrics/request-metrics.ts'
import type { ResolvedOptions } from '../options/resolve-options.ts'
import type { Scrubber } from '../scrub/scrubber.ts'
import { errorName } from '../capture/error-name.ts'
import { buildErrorRecord } from '../capture/error-record.ts'
import { ExceptionFlood, summaryLine, type FloodSummary } from './exception-flood.ts'
import type { FailureReporter } from './failure-reporter.ts'
import type { LifecycleEvents } from './lifecycle-events.ts'

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
 * `http_request.exception` count and the `exceptionCaptured` event; past the `exceptionLines`
 * budget of its kind, into the count and a share of one summary line. Never throws.
 */
export class ExceptionCapture<Request> {
  readonly #options: ResolvedOptions<Request>
  readonly #scrubber: Scrubber
  readonly #reporter: FailureReporter
  readonly #logger: VigieLogger
  readonly #metrics: RequestMetrics
  readonly #events: LifecycleEvents
  /** null when every line is written (`exceptionLines: false`). */
  readonly #flood: ExceptionFlood | null

  constructor (parts: ExceptionCaptureParts<Request>) {
    this.#options = parts.options
    this.#scrubber = parts.scrubber
    this.#reporter = parts.reporter
    this.#logger = parts.logger
    this.#metrics = parts.metrics
    this.#events = parts.events
    const limits = parts.options.exceptionLines
    this.#flood = limits === null ? null : new ExceptionFlood(limits, (summary) => this.#writeSummary(summary, limits.intervalMs))
  }

  /** Whether an answer is an exception: every 5xx, and 4xx caused by an error when opted in. */
  isException (statusCode: number, error: unknown): boolean {
    if (statusCode >= 500) return true
    if (error === undefined) return false
    return statusCode < 400 || this.#options.captureClientErrors
  }

  /**
   * Who made `request`: the `getUser` option's answer, or by default `request.user`'s `id`,
   * `username` and `email`; undefined with `getUser: false`, or when it throws or is async.
   */
  userOf (request: Request): unknown {
    const getUser = this.#options.getUser
    if (getUser === null) return undefined
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

  /**
   * Counts `http_request.exception`; within its kind's budget, writes the exception line (with
   * the user of `request`) and tells the subscribers. Past it, nothing more is read or built.
   */
  capture (controller: string, request: Request, facts: FailureFacts): void {
    const errorType = facts.error === undefined ? `http_${facts.statusCode}` : errorName(facts.error)
    this.#metrics.recordException(controller, errorType)
    try {
      if (this.#flood !== null && !this.#flood.admit({ controller, errorType, statusCode: facts.statusCode }, facts.correlationId)) return
      const record = buildExceptionRecord({ ...facts, user: this.userOf(request) }, this.#scrubber, this.#options.capture)
      this.#logger.error(record, exceptionMessage(record))
      this.#events.exceptionCaptured({ at: Date.now(), controller, record })
    } catch (err) {
      this.#reporter.report('exception capture', err)
    }
  }

  /** Writes the summaries pending, at once; every later failure gets its full line. */
  close (): void {
    this.#flood?.close()
  }

  #writeSummary (summary: FloodSummary, intervalMs: number): void {
    try {
      const { fields, msg } = summaryLine(summary, intervalMs)
      this.#logger.error(fields, msg)
    } catch (err) {
      this.#reporter.report('exception summary', err)
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
