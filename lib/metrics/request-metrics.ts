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
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'QUERY'])

export interface RequestMetricsOptions {
  readonly client: StatsD
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

  constructor (options: RequestMetricsOptions) {
    this.#client = options.client
    this.#format = options.tagFormat
    this.#sampleRate = options.sampleRate
    this.#onSendError = options.onSendError
    this.#controllers = new BoundedLabels(options.maxControllers, OVERFLOW_CONTROLLER,
      (controller) => options.onControllerOverflow(controller, options.maxControllers))
    this.#exceptionNames = new BoundedLabels(MAX_EXCEPTION_NAMES, 'other', () => {})
    this.#targetHosts = new BoundedLabels(MAX_TARGET_HOSTS, 'other', () => {})
  }

  recordRequest (controller: string, method: string, statusCode: number, durationMs: number): void {
    const tags = [
      this.#tag('http_status', String(statusCode)),
      this.#tag('http_status_class', `${Math.floor(statusCode / 100)}xx`),
      this.#tag('method', KNOWN_METHODS.has(method) ? method : 'other'),
      this.#tag('controller', this.#controllers.label(controller)),
    ]
    try {
      this.#client.increment(METRIC_NAMES.request, 1, this.#sampleRate, tags)
      this.#client.timing(METRIC_NAMES.responseTime, Math.round(durationMs * 1000) / 1000, this.#sampleRate, tags)
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
