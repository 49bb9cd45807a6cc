import type { IncomingHttpHeaders } from 'node:http'
import type { FailureReporter } from './failure-reporter.ts'
import type { Endpoint, EndpointResponse } from './vigie.ts'

/** What an endpoint that threw or rejected answers: the request is not left hanging, and no detail leaks. */
const FAILED: EndpointResponse = Object.freeze({
  status: 500,
  headers: Object.freeze({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }),
  body: 'vigie: internal error',
})

/**
 * Calls `endpoint.respond`, turning a throw or a rejection (which the contract rules out, but
 * which must not reach the framework) into a 500 and a report. Synchronous answers stay
 * synchronous. Never throws; the promise never rejects.
 */
export function answerOf (endpoint: Endpoint, path: string, method: string, url: string, headers: IncomingHttpHeaders,
  localAddress: string | undefined, reporter: Pick<FailureReporter, 'report'>): EndpointResponse | Promise<EndpointResponse> {
  const q = url.indexOf('?')
  try {
    const response = endpoint.respond(path, method, q === -1 ? '' : url.slice(q + 1), headers, localAddress)
    if (!(response instanceof Promise)) return response
    return response.then(undefined, (err: unknown) => failed(err, reporter))
  } catch (err) {
    return failed(err, reporter)
  }
}

function failed (err: unknown, reporter: Pick<FailureReporter, 'report'>): EndpointResponse {
  reporter.report('endpoint', err)
  return FAILED
}

/** Finds which of the features' endpoints answers a URL, for frameworks without per-route registration (Express). */
export class EndpointRouter {
  readonly #byPath = new Map<string, Endpoint>()
  readonly #reporter: Pick<FailureReporter, 'report'>

  constructor (endpoints: readonly Endpoint[], reporter: Pick<FailureReporter, 'report'>) {
    for (const endpoint of endpoints) {
      for (const path of endpoint.paths) this.#byPath.set(path, endpoint)
    }
    this.#reporter = reporter
  }

  get empty (): boolean {
    return this.#byPath.size === 0
  }

  /**
   * The answer to `method url` (`url`: path and query, as received), now or later; null when no
   * endpoint has that path. Never throws; the promise never rejects.
   */
  answer (method: string, url: string, headers: IncomingHttpHeaders, localAddress?: string): EndpointResponse | Promise<EndpointResponse> | null {
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const endpoint = this.#byPath.get(path)
    if (endpoint === undefined) return null
    return answerOf(endpoint, path, method, url, headers, localAddress, this.#reporter)
  }
}
