import type { RequestQueryTally } from '../context/request-context.ts'

/** Distinct fingerprints counted per request for the N+1 check; further ones are not. */
export const MAX_FINGERPRINTS_PER_REQUEST = 64

/**
 * What a query sent inside a request reads of it (RequestStore.queries), and what the request
 * learns of its queries: how many, how long in all, how many of each fingerprint. It holds the
 * request only until the request ends: a timer or socket started inside the request keeps its
 * async context, and with it this object, alive long after.
 */
export class RequestQueries<Request> implements RequestQueryTally {
  readonly owner: object
  readonly comment: boolean
  readonly correlationId: string
  count = 0
  totalMs = 0
  /** The last query that failed, as its `query failed` line describes it. */
  failed: Readonly<Record<string, unknown>> | null = null
  #byFingerprint: Map<string, number> | null = null
  #request: Request | undefined
  #controllerOf: ((request: Request) => string | null) | undefined
  #ended: string | null = null

  constructor (owner: object, comment: boolean, correlationId: string, request: Request, controllerOf: (request: Request) => string | null) {
    this.owner = owner
    this.comment = comment
    this.correlationId = correlationId
    this.#request = request
    this.#controllerOf = controllerOf
  }

  controller (): string | null {
    return this.#request === undefined ? this.#ended : this.#controllerOf!(this.#request)
  }

  /** Counts one query; `key` stands for its statement's fingerprint (the N+1 check counts by it). */
  add (key: string, durationMs: number): void {
    this.count++
    this.totalMs += durationMs
    const counts = this.#byFingerprint ??= new Map()
    const seen = counts.get(key)
    if (seen !== undefined) counts.set(key, seen + 1)
    else if (counts.size < MAX_FINGERPRINTS_PER_REQUEST) counts.set(key, 1)
  }

  /** The keys counted more than `limit` times, with their counts. */
  repeatedOver (limit: number): Array<[key: string, count: number]> {
    const repeated: Array<[string, number]> = []
    if (this.#byFingerprint !== null) {
      for (const entry of this.#byFingerprint) if (entry[1] > limit) repeated.push(entry)
    }
    return repeated
  }

  /** The request ended, under `controller`: let it go. */
  release (controller: string | null): void {
    this.#ended = controller
    this.#request = undefined
    this.#controllerOf = undefined
  }
}
