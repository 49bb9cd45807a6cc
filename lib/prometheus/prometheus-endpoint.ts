import type { IncomingHttpHeaders } from 'node:http'
import type { Endpoint, EndpointResponse } from '../core/vigie.ts'
import { DashboardAuth } from '../dashboard/dashboard-auth.ts'
import { CONTENT_TYPES, expose, formatFor, type ExpositionFormat } from './exposition.ts'
import type { PrometheusRegistry } from './prometheus-registry.ts'

const ALLOWED_METHODS = 'GET, HEAD'

/**
 * What a cluster's primary answered for the whole app: its exposition; `local`, serve this
 * worker's own (no primary, or none that keeps a registry); `unavailable`, it did not answer in
 * time (a 503: this worker's own counts, lower, would read as a counter reset).
 */
export type FleetAnswer = { readonly kind: 'fleet', readonly body: string } | { readonly kind: 'local' } | { readonly kind: 'unavailable' }
/** Asks the primary for the whole app's exposition in `format`. Never rejects. */
export type FleetExposition = (format: ExpositionFormat) => Promise<FleetAnswer>

/**
 * The registry at `path`, for `GET` and `HEAD`: text format 0.0.4, or OpenMetrics 1.0 when the
 * scraper's `Accept` asks for it. With a token, a request without it (`Authorization: Bearer`,
 * or `?token=`) gets 401. Written at each scrape from the cumulative values: nothing is reset.
 */
export class PrometheusEndpoint implements Endpoint {
  readonly paths: readonly string[]
  readonly #registry: PrometheusRegistry
  readonly #auth: DashboardAuth
  readonly #fleet: FleetExposition | null

  /** `fleet`: in a cluster worker, where the whole app's exposition comes from. */
  constructor (registry: PrometheusRegistry, options: { readonly path: string, readonly token: string | undefined }, fleet: FleetExposition | null = null) {
    this.paths = Object.freeze([options.path])
    this.#registry = registry
    this.#auth = new DashboardAuth(options.token)
    this.#fleet = fleet
  }

  respond (_path: string, method: string, query: string, headers: IncomingHttpHeaders): EndpointResponse | Promise<EndpointResponse> {
    if (method !== 'GET' && method !== 'HEAD') {
      return plain(405, 'Method not allowed', { allow: ALLOWED_METHODS })
    }
    if (!this.#auth.allows(headers.authorization, new URLSearchParams(query))) {
      return plain(401, 'Unauthorized', { 'www-authenticate': 'Bearer realm="vigie"' })
    }
    const format = formatFor(headers.accept)
    if (this.#fleet === null) return this.#answer(format, expose(this.#registry, format))
    return this.#fleet(format).then((got) => {
      if (got.kind === 'fleet') return this.#answer(format, got.body)
      if (got.kind === 'local') return this.#answer(format, expose(this.#registry, format))
      return plain(503, 'The cluster\'s primary did not answer in time', { 'retry-after': '1' })
    })
  }

  #answer (format: ExpositionFormat, body: string): EndpointResponse {
    return { status: 200, headers: { 'content-type': CONTENT_TYPES[format], 'cache-control': 'no-store' }, body }
  }
}

function plain (status: number, body: string, headers: Record<string, string>): EndpointResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }, body }
}
