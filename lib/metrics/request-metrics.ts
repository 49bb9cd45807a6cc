import type { StatsD } from 'hot-shots'
import { BoundedLabels } from './bounded-labels.js'
import { formatTag, type TagFormat } from './tag-format.js'

export const METRIC_NAMES = Object.freeze({
  request: 'http_request',
  responseTime: 'http_request.response_time',
  exception: 'http_request.exception',
  clientRequest: 'http_client_request',
  clientResponseTime: 'http_client_request.response_time',
})

/** `controller` of requests that matched no route. */
export const NOT_FOUND_CONTROLLER = 'not_found'
/** `controller` once `maxControllers` distinct values have been seen. */
export const OVERFLOW_CONTROLLER = 'other'
/** HTTP status recorded when the client went away before the answer (the nginx convention). */
export const CLIENT_CLOSED_STATUS = 499

const MAX_EXCEPTION_NAMES = 100
const MAX_TARGET_HOSTS = 100
const MAX_CACHED_SERIES = 10_000
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'QUERY'])

/**
 * How vigie's own client writes a line, for the per-request fast path: request metrics are then
 * formatted here once per series and handed over whole. Absent for a user-supplied client (its
 * formatting is its own), with sampling, and in Datadog mode (hot-shots adds fields).
 */
export interface PreformattedSink {
  readonly prefix: string
  /** `key:value` global tags, already sanitised, in hot-shots' order. */
  readonly globalTags: readonly string[]
  /** Hands one or more complete lines (joined by `\n`) to the client's buffer. */
  readonly send: (lines: string) => void
}

export interface RequestMetricsOptions {
  readonly client: StatsD
  readonly preformatted: PreformattedSink | undefined
  readonly tagFormat: TagFormat
  readonly sampleRate: number
  readonly maxControllers: number
  readonly onSendError: (err: unknown) => void
  readonly onControllerOverflow: (controller: string, max: number) => void
}

/**
 * The per-request metrics: counter `http_request` and timing `http_request.response_time`
 * tagged with status, status class, method and controller, plus `http_request.exception`.
 * Tag values are sanitised and the number of controllers and exception names is bounded.
 * Formatted tags are cached: their number is bounded by the same caps.
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
  /** Per series (controller, method, status): the counter line and the timing line around its value. */
  readonly #lineCache = new Map<string, { counter: string, timingHead: string, timingTail: string }>()

  constructor (options: RequestMetricsOptions) {
    this.#client = options.client
    this.#format = options.tagFormat
    this.#sampleRate = options.sampleRate
    this.#onSendError = options.onSendError
    this.#preformatted = options.preformatted
    this.#controllers = new BoundedLabels(options.maxControllers, OVERFLOW_CONTROLLER,
      (controller) => options.onControllerOverflow(controller, options.maxControllers))
    this.#exceptionNames = new BoundedLabels(MAX_EXCEPTION_NAMES, 'other', () => {})
    this.#targetHosts = new BoundedLabels(MAX_TARGET_HOSTS, 'other', () => {})
  }

  recordRequest (controller: string, method: string, statusCode: number, durationMs: number): void {
    const label = this.#controllers.label(controller)
    const ms = Math.round(durationMs * 1000) / 1000
    if (this.#preformatted !== undefined) {
      try {
        const lines = this.#linesFor(this.#preformatted, label, method, statusCode)
        this.#preformatted.send(`${lines.counter}\n${lines.timingHead}${ms}${lines.timingTail}`)
      } catch (err) {
        this.#onSendError(err)
      }
      return
    }
    const tags = [
      this.#tag('http_status', String(statusCode)),
      this.#tag('http_status_class', `${Math.floor(statusCode / 100)}xx`),
      this.#tag('method', KNOWN_METHODS.has(method) ? method : 'other'),
      this.#tag('controller', label),
    ]
    try {
      this.#client.increment(METRIC_NAMES.request, 1, this.#sampleRate, tags)
      this.#client.timing(METRIC_NAMES.responseTime, ms, this.#sampleRate, tags)
    } catch (err) {
      this.#onSendError(err)
    }
  }

  recordException (controller: string, exceptionName: string): void {
    const tags = [
      this.#tag('controller', this.#controllers.label(controller)),
      this.#tag('exception', this.#exceptionNames.label(exceptionName)),
    ]
    try {
      this.#client.increment(METRIC_NAMES.exception, 1, tags)
    } catch (err) {
      this.#onSendError(err)
    }
  }

  /** An outgoing HTTP call made while a request was handled; `outcome` is a status or `'error'`. */
  recordClientRequest (host: string, method: string, outcome: number | 'error', durationMs: number): void {
    const tags = [
      this.#tag('target_host', this.#targetHosts.label(host)),
      this.#tag('method', KNOWN_METHODS.has(method) ? method : 'other'),
      this.#tag('http_status', String(outcome)),
      this.#tag('http_status_class', outcome === 'error' ? 'error' : `${Math.floor(outcome / 100)}xx`),
    ]
    try {
      this.#client.increment(METRIC_NAMES.clientRequest, 1, this.#sampleRate, tags)
      this.#client.timing(METRIC_NAMES.clientResponseTime, Math.round(durationMs * 1000) / 1000, this.#sampleRate, tags)
    } catch (err) {
      this.#onSendError(err)
    }
  }

  /** The lines of one series, formatted as hot-shots would (DogStatsD or Telegraf), cached. */
  #linesFor (sink: PreformattedSink, label: string, method: string, statusCode: number): { counter: string, timingHead: string, timingTail: string } {
    const key = `${label}\u0000${method}\u0000${statusCode}`
    let lines = this.#lineCache.get(key)
    if (lines === undefined) {
      const tags = [
        ...sink.globalTags,
        this.#tag('http_status', String(statusCode)),
        this.#tag('http_status_class', `${Math.floor(statusCode / 100)}xx`),
        this.#tag('method', KNOWN_METHODS.has(method) ? method : 'other'),
        this.#tag('controller', label),
      ]
      const counterName = sink.prefix + METRIC_NAMES.request
      const timingName = sink.prefix + METRIC_NAMES.responseTime
      if (this.#format === 'telegraf') {
        const tagText = tags.map((tag) => tag.replace(':', '=')).join(',')
        lines = { counter: `${counterName},${tagText}:1|c`, timingHead: `${timingName},${tagText}:`, timingTail: '|ms' }
      } else {
        const tagText = tags.join(',')
        lines = { counter: `${counterName}:1|c|#${tagText}`, timingHead: `${timingName}:`, timingTail: `|ms|#${tagText}` }
      }
      // Series are bounded by the caps on their parts; the cache is bounded outright too.
      if (this.#lineCache.size >= MAX_CACHED_SERIES) this.#lineCache.clear()
      this.#lineCache.set(key, lines)
    }
    return lines
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
