import type { IncomingHttpHeaders } from 'node:http'
import type { Endpoint, EndpointResponse } from '../core/vigie.js'
import { DashboardAuth } from '../dashboard/dashboard-auth.js'
import { CONTENT_TYPES, expose, formatFor } from './exposition.js'
import type { PrometheusRegistry } from './prometheus-registry.js'

const ALLOWED_METHODS = 'GET, HEAD'

/**
 * The registry at `path`, for `GET` and `HEAD`: text format 0.0.4, or OpenMetrics 1.0 when the
 * scraper's `Accept` asks for it. With a token, a request without it (`Authorization: Bearer`,
 * or `?token=`) gets 401. Written at each scrape from the cumulative values: nothing is reset.
 */
export class PrometheusEndpoint implements Endpoint {
  readonly paths: readonly string[]
  readonly #registry: PrometheusRegistry
  readonly #auth: DashboardAuth

  constructor (registry: PrometheusRegistry, options: { readonly path: string, readonly token: string | undefined }) {
    this.paths = Object.freeze([options.path])
    this.#registry = registry
    this.#auth = new DashboardAuth(options.token)
  }

  respond (_path: string, method: string, query: string, headers: IncomingHttpHeaders): EndpointResponse {
    if (method !== 'GET' && method !== 'HEAD') {
      return plain(405, 'Method not allowed', { allow: ALLOWED_METHODS })
    }
    if (!this.#auth.allows(headers.authorization, new URLSearchParams(query))) {
      return plain(401, 'Unauthorized', { 'www-authenticate': 'Bearer realm="vigie"' })
    }
    const format = formatFor(headers.accept)
    return {
      status: 200,
      headers: { 'content-type': CONTENT_TYPES[format], 'cache-control': 'no-store' },
      body: expose(this.#registry, format),
    }
  }
}

function plain (status: number, body: string, headers: Record<string, string>): EndpointResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }, body }
}
