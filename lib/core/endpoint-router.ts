import type { IncomingHttpHeaders } from 'node:http'
import type { Endpoint, EndpointResponse } from './vigie.js'

/** Finds which of the features' endpoints answers a URL, for frameworks without per-route registration (Express). */
export class EndpointRouter {
  readonly #byPath = new Map<string, Endpoint>()

  constructor (endpoints: readonly Endpoint[]) {
    for (const endpoint of endpoints) {
      for (const path of endpoint.paths) this.#byPath.set(path, endpoint)
    }
  }

  get empty (): boolean {
    return this.#byPath.size === 0
  }

  /** The answer to `method url` (`url`: path and query, as received); null when no endpoint has that path. */
  answer (method: string, url: string, headers: IncomingHttpHeaders, localAddress?: string): EndpointResponse | null {
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const endpoint = this.#byPath.get(path)
    if (endpoint === undefined) return null
    return endpoint.respond(path, method, q === -1 ? '' : url.slice(q + 1), headers, localAddress)
  }
}
