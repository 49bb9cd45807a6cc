import type { StatsD } from 'hot-shots'
import type { MetricRecorder, SendRecording, SeriesHandle } from './metric-recorder.ts'
import { BoundedLabels } from './bounded-labels.ts'
import { SeriesCache } from './series-cache.ts'
import type { DroppedLineCounts } from './statsd-socket.ts'
import { formatTag, telegrafTag, type TagFormat } from './tag-format.ts'

export const METRIC_NAMES = Object.freeze({
  request: 'http_request',
  responseTime: 'http_request.response_time',
  exception: 'http_request.exception',
  clientRequest: 'http_client_request',
  clientResponseTime: 'http_client_request.response_time',
  dbQuery: 'db.query',
  dbQueryResponseTime: 'db.query.response_time',
  /** Per request that sent queries: their time in all, tagged as `http_request`. */
  dbTime: 'http_request.db_time',
  /** `http_request` and `http_request.response_time` lines vigie's own socket could not send, by `reason` (drop-report.ts). */
  metricsDropped: 'vigie.metrics_dropped',
})

/** `controller` of requests that matched no route. */
export const NOT_FOUND_CONTROLLER = 'not_found'
/** `controller` of what was done outside any request (a database query). */
export const NO_CONTROLLER = 'none'
/** `controller` once `maxControllers` distinct values have been seen. */
export const OVERFLOW_CONTROLLER = 'other'
/** HTTP status recorded when the client went away before the answer (the nginx convention). */
export const CLIENT_CLOSED_STATUS = 499

const MAX_EXCEPTION_NAMES = 100
const MAX_TARGET_HOSTS = 100
const MAX_CACHED_SERIES = 10_000
/** The interval of the tags' caps (BoundedLabels): a value unused for one to two of them gives its place up. */
const LABEL_INTERVAL_MS = 60 * 60 * 1000
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'QUERY'])

/**
 * vigie's own writer of request lines (createPreformattedSink()), for the per-request fast path:
 * request metrics are then formatted here once per series and handed over whole. Absent for a
 * user-supplied client (its formatting is its own), over a Unix socket, with sampling, and in
 * Datadog mode (hot-shots adds fields).
 */
export interface PreformattedSink {
  /** `statsd.prefix`, with its trailing dot. */
  readonly prefix: string
  /** `key:value` global tags, already sanitised, in hot-shots' order. */
  readonly globalTags: readonly string[]
  /**
   * Queues one text for sending: `head` (UTF-8), then `thousandths / 1000` in decimal, then
   * `tail`; one or more complete lines joined by `\n`.
   */
  readonly add: (head: Uint8Array, thousandths: number, tail: Uint8Array) => void
  /** Sends what is queued, stops the periodic flush and closes the socket; settles within about 1 s. */
  readonly close: () => Promise<void>
  /** Request lines dropped so far, by reason (not the lines of the reports of them). */
  readonly dropped: () => DroppedLineCounts
}

export interface RequestMetricsOptions {
  readonly client: StatsD
  readonly preformatted: PreformattedSink | undefined
  readonly tagFormat: TagFormat
  readonly sampleRate: number
  readonly maxControllers: number
  readonly onSendError: (err: unknown) => void
  readonly onControllerOverflow: (controller: string, max: number) => void
  /** Where every metric is also recorded (the in-process aggregation); null when nothing follows them. */
  readonly aggregator: MetricRecorder | null
  /** The recording of the client's sends, muted around vigie's own (recorded here already). */
  readonly recording: SendRecording | null
  readonly onAggregationError: (err: unknown) => void
  /**
   * Calls `tick` every LABEL_INTERVAL_MS until the function returned is called: an unref'd
   * setInterval by default (tests pass their own). Started the first time a tag's cap is reached.
   */
  readonly everyLabelInterval?: (tick: () => void) => () => void
}

function everyLabelInterval (tick: () => void): () => void {
  const timer = setInterval(tick, LABEL_INTERVAL_MS).unref()
  return () => clearInterval(timer)
}

/** The request counter and timing of one (controller, method, status), and their tags. */
interface RequestSeries {
  readonly tags: string[]
  readonly requests: SeriesHandle
  readonly responseTime: SeriesHandle
}

/** The same, with the lines the fast path sends, encoded: the counter line and the timing line around its value. */
interface RequestLines extends RequestSeries {
  /** The counter line, `\n`, and the timing line up to its value. */
  readonly head: Buffer
  /** The timing line after its value. */
  readonly tail: Buffer
}

const NOT_AGGREGATED: SeriesHandle = Object.freeze({ record () {}, recordAt () {} })

/**
 * The per-request metrics: counter `http_request` and timing `http_request.response_time`
 * tagged with status, status class, method and controller, plus `http_request.exception`.
 * Tag values are sanitised and the number of controllers and exception names is bounded per
 * label interval (BoundedLabels). Formatted tags are cached: their number is bounded by the same
 * caps, and the caches start over at each label interval, once a cap has been reached, so that
 * the values still in use are labeled (seen) again and one that overflowed gets its own label once
 * a place is free. Each metric is also recorded into the aggregator (same name, without the
 * prefix; same tags, without the global ones), through series handles cached beside the
 * formatted tags.
 */
export class RequestMetrics {
  readonly #client: StatsD
  readonly #format: TagFormat
  readonly #sampleRate: number
  readonly #controllers: BoundedLabels
  readonly #exceptionNames: BoundedLabels
  readonly #targetHosts: BoundedLabels
  readonly #onSendError: (err: unknown) => void
  readonly #tagCache = new Map<string, string>()
  readonly #preformatted: PreformattedSink | undefined
  readonly #aggregator: MetricRecorder | null
  readonly #recording: SendRecording | null
  readonly #onAggregationError: (err: unknown) => void
  /** Per series: the counter line and the timing line around its value (the fast path). */
  readonly #lineCache = new SeriesCache<RequestLines>(MAX_CACHED_SERIES)
  /** Per series: its tags and aggregated series (the path through the client). */
  readonly #seriesCache = new SeriesCache<RequestSeries>(MAX_CACHED_SERIES)
  /** Per database query series (controller, operation, system and outcome): its tags and aggregated series. */
  readonly #querySeriesCache = new SeriesCache<RequestSeries>(MAX_CACHED_SERIES)
  /** The same, with the lines the fast path sends. */
  readonly #queryLineCache = new SeriesCache<RequestLines>(MAX_CACHED_SERIES)
  readonly #everyLabelInterval: (tick: () => void) => () => void
  /** Stops the label intervals; null until a cap is first reached, a no-op once closed. */
  #stopLabelIntervals: (() => void) | null = null

  constructor (options: RequestMetricsOptions) {
    this.#client = options.client
    this.#format = options.tagFormat
    this.#sampleRate = options.sampleRate
    this.#onSendError = options.onSendError
    this.#preformatted = options.preformatted
    this.#aggregator = options.aggregator
    this.#recording = options.recording
    this.#onAggregationError = options.onAggregationError
    this.#everyLabelInterval = options.everyLabelInterval ?? everyLabelInterval
    const overflowed = (): void => this.#startLabelIntervals()
    this.#controllers = new BoundedLabels(options.maxControllers, OVERFLOW_CONTROLLER, (controller) => {
      overflowed()
      options.onControllerOverflow(controller, options.maxControllers)
    })
    this.#exceptionNames = new BoundedLabels(MAX_EXCEPTION_NAMES, 'other', overflowed)
    this.#targetHosts = new BoundedLabels(MAX_TARGET_HOSTS, 'other', overflowed)
  }

  recordRequest (controller: string, method: string, statusCode: number, durationMs: number): void {
    const thousandths = Math.round(durationMs * 1000)
    const ms = thousandths / 1000
    const sink = this.#preformatted
    if (sink !== undefined) {
      try {
        const lines = this.#lineCache.get(controller, method, statusCode) ?? this.#newLines(sink, controller, method, statusCode)
        this.#aggregate(lines, ms)
        sink.add(lines.head, thousandths, lines.tail)
      } catch (err) {
        this.#onSendError(err)
      }
      return
    }
    const series = this.#seriesCache.get(controller, method, statusCode) ??
      this.#seriesCache.set(controller, method, statusCode, this.#requestSeries(this.#requestTags(controller, method, statusCode)))
    this.#aggregate(series, ms)
    this.#sendCountAndTiming(METRIC_NAMES.request, METRIC_NAMES.responseTime, ms, series.tags)
  }

  /** The time a request that sent queries spent in them (summed), under the request's own tags. */
  recordDbTime (controller: string, method: string, statusCode: number, totalMs: number): void {
    const ms = Math.round(totalMs * 1000) / 1000
    const tags = (this.#seriesCache.get(controller, method, statusCode) ??
      this.#seriesCache.set(controller, method, statusCode, this.#requestSeries(this.#requestTags(controller, method, statusCode)))).tags
    this.#aggregateOnce('timing', METRIC_NAMES.dbTime, tags, ms)
    this.#sendMuted(() => this.#client.timing(METRIC_NAMES.dbTime, ms, this.#sampleRate, tags))
  }

  recordException (controller: string, exceptionName: string): void {
    const tags = [
      this.#tag('controller', this.#controllers.label(controller)),
      this.#tag('exception', this.#exceptionNames.label(exceptionName)),
    ]
    this.#aggregateOnce('counter', METRIC_NAMES.exception, tags, 1)
    this.#sendMuted(() => this.#client.increment(METRIC_NAMES.exception, 1, tags))
  }

  /** An outgoing HTTP call made while a request was handled; `outcome` is a status or `'error'`. */
  recordClientRequest (host: string, method: string, outcome: number | 'error', durationMs: number): void {
    const tags = [
      this.#tag('target_host', this.#targetHosts.label(host)),
      this.#tag('method', KNOWN_METHODS.has(method) ? method : 'other'),
      this.#tag('http_status', String(outcome)),
      this.#tag('http_status_class', outcome === 'error' ? 'error' : `${Math.floor(outcome / 100)}xx`),
    ]
    const ms = Math.round(durationMs * 1000) / 1000
    this.#aggregateOnce('counter', METRIC_NAMES.clientRequest, tags, 1)
    this.#aggregateOnce('timing', METRIC_NAMES.clientResponseTime, tags, ms)
    this.#sendMuted(() => {
      this.#client.increment(METRIC_NAMES.clientRequest, 1, this.#sampleRate, tags)
      this.#client.timing(METRIC_NAMES.clientResponseTime, ms, this.#sampleRate, tags)
    })
  }

  /**
   * One database query: `system` and `operation` come from fixed lists, `controller` is the
   * sending request's (bounded like the requests'), or `none` outside a request.
   */
  recordQuery (system: 'postgresql' | 'mysql', operation: string, outcome: 'ok' | 'error', controller: string, durationMs: number): void {
    // The cache's third key: system and outcome as one number.
    const code = (system === 'mysql' ? 2 : 0) + (outcome === 'error' ? 1 : 0)
    const thousandths = Math.round(durationMs * 1000)
    const sink = this.#preformatted
    if (sink !== undefined) {
      try {
        const lines = this.#queryLineCache.get(controller, operation, code) ?? this.#queryLineCache.set(controller, operation, code,
          this.#linesOf(sink, this.#querySeries(system, operation, outcome, controller), METRIC_NAMES.dbQuery, METRIC_NAMES.dbQueryResponseTime))
        this.#aggregate(lines, thousandths / 1000)
        sink.add(lines.head, thousandths, lines.tail)
      } catch (err) {
        this.#onSendError(err)
      }
      return
    }
    const series = this.#querySeriesCache.get(controller, operation, code) ??
      this.#querySeriesCache.set(controller, operation, code, this.#querySeries(system, operation, outcome, controller))
    const ms = thousandths / 1000
    this.#aggregate(series, ms)
    this.#sendCountAndTiming(METRIC_NAMES.dbQuery, METRIC_NAMES.dbQueryResponseTime, ms, series.tags)
  }

  #querySeries (system: string, operation: string, outcome: string, controller: string): RequestSeries {
    const tags = [
      this.#tag('db_system', system),
      this.#tag('db_operation', operation),
      this.#tag('outcome', outcome),
      this.#tag('controller', controller === NO_CONTROLLER ? controller : this.#controllers.label(controller)),
    ]
    const aggregator = this.#aggregator
    return {
      tags,
      requests: aggregator === null ? NOT_AGGREGATED : aggregator.series('counter', METRIC_NAMES.dbQuery, tags),
      responseTime: aggregator === null ? NOT_AGGREGATED : aggregator.series('timing', METRIC_NAMES.dbQueryResponseTime, tags),
    }
  }

  /** One request into its two series; an aggregation failure is reported, never thrown. */
  #aggregate (series: RequestSeries, ms: number): void {
    const aggregator = this.#aggregator
    if (aggregator === null) return
    try {
      const time = aggregator.now()
      series.requests.recordAt(1, time)
      series.responseTime.recordAt(ms, time)
    } catch (err) {
      this.#onAggregationError(err)
    }
  }

  /** For the rarer metrics (exceptions, outgoing calls): the series is looked up each time. */
  #aggregateOnce (kind: 'counter' | 'timing', name: string, tags: readonly string[], value: number): void {
    if (this.#aggregator === null) return
    try {
      this.#aggregator.record(kind, name, tags, value)
    } catch (err) {
      this.#onAggregationError(err)
    }
  }

  /** Sends through the client with its recording muted: these metrics are aggregated here. */
  /** A counter and a timing through hot-shots (no closure: this is on every request's path). */
  #sendCountAndTiming (counter: string, timing: string, ms: number, tags: string[]): void {
    const recording = this.#recording
    if (recording !== null) recording.muted = true
    try {
      this.#client.increment(counter, 1, this.#sampleRate, tags)
      this.#client.timing(timing, ms, this.#sampleRate, tags)
    } catch (err) {
      this.#onSendError(err)
    } finally {
      if (recording !== null) recording.muted = false
    }
  }

  #sendMuted (send: () => void): void {
    const recording = this.#recording
    if (recording !== null) recording.muted = true
    try {
      send()
    } catch (err) {
      this.#onSendError(err)
    } finally {
      if (recording !== null) recording.muted = false
    }
  }

  /** The tags of one request series; the controller becomes its bounded label here. */
  #requestTags (controller: string, method: string, statusCode: number): string[] {
    return [
      this.#tag('http_status', String(statusCode)),
      this.#tag('http_status_class', `${Math.floor(statusCode / 100)}xx`),
      this.#tag('method', KNOWN_METHODS.has(method) ? method : 'other'),
      this.#tag('controller', this.#controllers.label(controller)),
    ]
  }

  #requestSeries (tags: string[]): RequestSeries {
    const aggregator = this.#aggregator
    return {
      tags,
      requests: aggregator === null ? NOT_AGGREGATED : aggregator.series('counter', METRIC_NAMES.request, tags),
      responseTime: aggregator === null ? NOT_AGGREGATED : aggregator.series('timing', METRIC_NAMES.responseTime, tags),
    }
  }

  /** The lines of one series, formatted as hot-shots would (DogStatsD or Telegraf), then cached. */
  #newLines (sink: PreformattedSink, controller: string, method: string, statusCode: number): RequestLines {
    const series = this.#requestSeries(this.#requestTags(controller, method, statusCode))
    return this.#lineCache.set(controller, method, statusCode, this.#linesOf(sink, series, METRIC_NAMES.request, METRIC_NAMES.responseTime))
  }

  /** A series' counter line and timing line around its value, formatted as hot-shots would (DogStatsD or Telegraf). */
  #linesOf (sink: PreformattedSink, series: RequestSeries, counterMetric: string, timingMetric: string): RequestLines {
    const tags = [...sink.globalTags, ...series.tags]
    const counterName = sink.prefix + counterMetric
    const timingName = sink.prefix + timingMetric
    let counter: string, timingHead: string, timingTail: string
    if (this.#format === 'telegraf') {
      const tagText = tags.map(telegrafTag).join(',')
      counter = `${counterName},${tagText}:1|c`
      timingHead = `${timingName},${tagText}:`
      timingTail = '|ms'
    } else {
      const tagText = tags.join(',')
      counter = `${counterName}:1|c|#${tagText}`
      timingHead = `${timingName}:`
      timingTail = `|ms|#${tagText}`
    }
    const head = Buffer.from(`${counter}\n${timingHead}`)
    return { ...series, head, tail: Buffer.from(timingTail) }
  }

  /** Request lines vigie's own socket dropped so far, by reason; null when hot-shots sends them (no count is kept). */
  dropped (): DroppedLineCounts | null {
    return this.#preformatted?.dropped() ?? null
  }

  /** Sends the batched request lines, stops their periodic flush and closes vigie's socket (bounded). */
  async close (): Promise<void> {
    this.#stopLabelIntervals?.()
    this.#stopLabelIntervals = () => {}
    await this.#preformatted?.close()
  }

  /** Until a cap is reached, no value ever gives its place up: intervals need not go by. */
  #startLabelIntervals (): void {
    this.#stopLabelIntervals ??= this.#everyLabelInterval(() => this.#nextLabelInterval())
  }

  #nextLabelInterval (): void {
    this.#controllers.nextInterval()
    this.#exceptionNames.nextInterval()
    this.#targetHosts.nextInterval()
    // Everything cached holds labels: each value still in use goes through label() again, and is seen in this interval.
    this.#lineCache.clear()
    this.#seriesCache.clear()
    this.#querySeriesCache.clear()
    this.#queryLineCache.clear()
    this.#tagCache.clear()
  }

  /** Every value reaching here is already bounded (status codes, methods, capped labels). */
  #tag (key: string, value: string): string {
    const cacheKey = `${key}\u0000${value}`
    let tag = this.#tagCache.get(cacheKey)
    if (tag === undefined) {
      tag = formatTag(key, value, this.#format)
      this.#tagCache.set(cacheKey, tag)
    }
    return tag
  }
}
