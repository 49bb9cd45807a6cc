import type { StatsD } from 'hot-shots'
import { Aggregator } from '../aggregate/aggregator.js'
import { recordStatsdSends, type StatsdRecording } from '../aggregate/statsd-recording.js'
import type { Snapshot } from '../aggregate/types.js'
import { buildExceptionRecord, exceptionMessage, type FailedRequestFacts } from '../capture/exception-record.js'
import { resolveCorrelationId } from '../context/correlation-id.js'
import { CLIENT_CLOSED_STATUS, RequestMetrics } from '../metrics/request-metrics.js'
import { createPreformattedSink } from '../metrics/preformatted-sink.js'
import { closeStatsdClient, createDisabledStatsdClient, createStatsdClient, flushStatsdClient } from '../metrics/statsd-client.js'
import type { ResolvedOptions } from '../options.js'
import { buildScrubber, type Scrubber } from '../scrub/scrubber.js'
import { installOutgoingInstrumentation } from '../instrument/outgoing.js'
import { acquireInstallation, type OutgoingPolicy } from '../shared-state.js'
import { ProcessSampler } from '../process-metrics/process-sampler.js'
import { FailureReporter, errorName } from './failure-reporter.js'
import { RecentExceptions, type RecentException } from '../dashboard/recent-exceptions.js'

/** The logger vigie writes exception lines and its own warnings to (a pino logger fits). */
export interface ObserverLogger {
  error: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
}

/**
 * The request lifecycle, independent of any framework: correlation IDs, request metrics and
 * exception capture. Adapters turn their framework's hooks into calls on it. Every method is
 * fail-open: it never throws into the request.
 */
export class Observer<Request = unknown> {
  readonly options: ResolvedOptions<Request>
  readonly statsd: StatsD
  readonly scrubber: Scrubber
  readonly reporter: FailureReporter
  /** What outgoing calls inside this app's requests need; null when propagation is off. */
  readonly outgoing: OutgoingPolicy | null
  /** Where exception lines and vigie's warnings go. */
  readonly logger: ObserverLogger
  /** Every metric sent, aggregated in-process; null when `aggregation: false` or disabled. */
  readonly aggregator: Aggregator | null
  readonly #recording: StatsdRecording | null
  readonly #metrics: RequestMetrics
  readonly #ownsClient: boolean
  readonly #releaseOutgoing: () => void
  readonly #recentExceptions = new RecentExceptions()
  /** Sends the `process.*` gauges; null when processMetrics is off. */
  readonly #processSampler: ProcessSampler | null

  constructor (options: ResolvedOptions<Request>, logger: ObserverLogger) {
    this.options = options
    this.logger = logger
    this.reporter = new FailureReporter(logger)
    this.scrubber = buildScrubber(options.scrub)
    const onStatsdError = (err: unknown): void => this.reporter.report('statsd', err)
    this.#ownsClient = options.statsd.client === undefined
    this.statsd = options.disabled
      ? createDisabledStatsdClient()
      : options.statsd.client ?? createStatsdClient(options.statsd, onStatsdError)
    const onAggregationError = (err: unknown): void => this.reporter.report('aggregation', err)
    const aggregation = options.aggregation
    this.aggregator = aggregation === null || options.disabled
      ? null
      : new Aggregator({
        maxSeries: aggregation.maxSeries,
        onSeriesCap: () => this.reporter.warnOnce('series-cap',
          `vigie: ${aggregation.maxSeries} aggregated series reached; records into further series are dropped and counted in snapshot().droppedRecords (raise aggregation.maxSeries if they are legitimate)`,
          { maxSeries: aggregation.maxSeries }),
      })
    this.#recording = this.aggregator === null ? null : recordStatsdSends(this.statsd, this.aggregator, onAggregationError)
    this.#metrics = new RequestMetrics({
      client: this.statsd,
      preformatted: options.disabled ? undefined : createPreformattedSink(options.statsd, onStatsdError),
      tagFormat: options.statsd.tagFormat,
      sampleRate: options.statsd.sampleRate,
      maxControllers: options.maxControllers,
      onSendError: onStatsdError,
      onControllerOverflow: (controller, max) => this.reporter.warnOnce('controller-overflow',
        `vigie: more than ${max} distinct controller tags; further ones are counted as "other" (raise maxControllers if routes really are that many)`,
        { firstOverflow: this.scrubber.text(controller), maxControllers: max }),
      aggregator: this.aggregator,
      recording: this.#recording,
      onAggregationError,
    })
    const propagation = options.propagation
    if (propagation === null || options.disabled) {
      this.outgoing = null
      this.#releaseOutgoing = () => {}
    } else {
      const metrics = this.#metrics
      this.outgoing = Object.freeze({
        header: options.correlationHeader,
        allows: propagation.allows,
        record: (host: string, method: string, outcome: number | 'error', durationMs: number) =>
          metrics.recordClientRequest(host, method, outcome, durationMs),
      })
      this.#releaseOutgoing = acquireInstallation('outgoing-http', installOutgoingInstrumentation)
    }
    this.#processSampler = options.processMetrics === null || options.disabled
      ? null
      : new ProcessSampler({ statsd: this.statsd, intervalMs: options.processMetrics.intervalMs, reporter: this.reporter })
    this.#processSampler?.start()
  }

  correlationIdFor (headerValue: string | string[] | undefined): string {
    return resolveCorrelationId(headerValue)
  }

  /**
   * True when the request should be neither timed nor counted (`ignore` option). `urlOf` gives
   * its URL, read only when there are paths to compare it with.
   */
  isIgnored (request: Request, route: string | undefined, urlOf: (request: Request) => string): boolean {
    const { paths, predicate } = this.options.ignore
    if (paths.size > 0 && (paths.has(pathOf(urlOf(request))) || (route !== undefined && paths.has(route)))) return true
    if (predicate === undefined) return false
    try {
      return predicate(request) === true
    } catch (err) {
      this.reporter.report('ignore callback', err)
      return false
    }
  }

  recordResponse (controller: string, method: string, statusCode: number, durationMs: number): void {
    this.#metrics.recordRequest(controller, method, statusCode, durationMs)
  }

  recordAbort (controller: string, method: string, durationMs: number): void {
    this.#metrics.recordRequest(controller, method, CLIENT_CLOSED_STATUS, durationMs)
  }

  /** Whether an answer is an exception: every 5xx, and 4xx caused by an error when opted in. */
  isException (statusCode: number, error: unknown): boolean {
    if (statusCode >= 500) return true
    if (error === undefined) return false
    return statusCode < 400 || this.options.captureClientErrors
  }

  userOf (request: Request): unknown {
    const getUser = this.options.getUser
    if (getUser === undefined) return undefined
    try {
      const user = getUser(request)
      if (typeof (user as { then?: unknown } | null)?.then === 'function') {
        this.reporter.warnOnce('getUser-async', 'vigie: getUser returned a promise; it must return the user synchronously (the exception line is written as the response ends)')
        return undefined
      }
      return user
    } catch (err) {
      this.reporter.report('getUser', err)
      return undefined
    }
  }

  /** Writes the exception line, counts `http_request.exception` and keeps it for the dashboard. */
  captureException (controller: string, facts: FailedRequestFacts): void {
    this.#metrics.recordException(controller, facts.error === undefined ? `http_${facts.statusCode}` : errorName(facts.error))
    try {
      const record = buildExceptionRecord(facts, this.scrubber, this.options.capture)
      this.#recentExceptions.add({
        at: Date.now(),
        correlationId: record.correlationId,
        method: record.req.method,
        controller,
        status: record.res.statusCode,
        name: record.err?.type ?? `HTTP ${record.res.statusCode}`,
        message: record.err?.message ?? '',
      })
      this.logger.error(record, exceptionMessage(record))
    } catch (err) {
      this.reporter.report('exception capture', err)
    }
  }

  /** The latest exceptions (scrubbed, at most 20), newest first. */
  recentExceptions (): readonly RecentException[] {
    return this.#recentExceptions.list()
  }

  /** The aggregated metrics now, over the last 1, 5, 15 and 60 minutes; null when aggregation is off. */
  snapshot (): Snapshot | null {
    return this.aggregator === null ? null : this.aggregator.snapshot()
  }

  /** Sends buffered metrics; closes the StatsD client if vigie created it. */
  async close (): Promise<void> {
    this.#recording?.restore()
    this.#processSampler?.stop()
    this.#releaseOutgoing()
    await Promise.all([
      this.#metrics.close(),
      this.#ownsClient ? closeStatsdClient(this.statsd) : flushStatsdClient(this.statsd),
    ])
  }
}

function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}
