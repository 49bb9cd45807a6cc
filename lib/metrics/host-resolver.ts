import { lookup, type LookupAddress } from 'node:dns'
import { isIP } from 'node:net'
import { RetryBackoff } from './retry-backoff.ts'

export interface HostAddress {
  readonly address: string
  readonly family: 4 | 6
}

/** How long an answer is used before the name is looked up again. */
export const ADDRESS_TTL_MS = 60_000

/**
 * The address of the StatsD host. An IP address (`[::1]` too) is used as it is. A name is looked
 * up with the system resolver (`dns.lookup`, as `net` and `dgram` do, so /etc/hosts counts) once,
 * then again when a send finds the answer 60 s old, and never with more than one lookup in
 * flight. A failed lookup may be retried after 1 s, then 2, 4… up to 60 s; meanwhile the last
 * answer, if there is one, stays in use. IPv4 is preferred when a name has both (hot-shots sends
 * to a name over IPv4). An unchanged answer keeps its object, so callers compare by identity.
 */
export class HostResolver {
  readonly #host: string
  readonly #onLookup: (err: Error | null) => void
  readonly #backoff = new RetryBackoff()
  #address: HostAddress | undefined
  #expiresAt = 0
  #inFlight = false
  #lookups = 0
  #closed = false

  /** `onLookup` runs after each lookup, with its error if it found no address, until close(). */
  constructor (host: string, onLookup: (err: Error | null) => void) {
    const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
    const family = isIP(literal)
    this.#host = host
    this.#onLookup = onLookup
    if (family !== 0) {
      this.#address = Object.freeze({ address: literal, family: family === 6 ? 6 : 4 })
      this.#expiresAt = Number.POSITIVE_INFINITY
    }
  }

  /** The address to send to now, or undefined; starts a lookup if one is due. */
  address (): HostAddress | undefined {
    if (!this.#inFlight && !this.#closed) {
      const now = Date.now()
      if (now >= this.#expiresAt && this.#backoff.ready(now)) this.#lookup()
    }
    return this.#address
  }

  get lookupInFlight (): boolean {
    return this.#inFlight
  }

  /** Lookups started so far. */
  get lookups (): number {
    return this.#lookups
  }

  /** No lookup starts after this, and one in flight calls back no more. */
  close (): void {
    this.#closed = true
  }

  #lookup (): void {
    this.#inFlight = true
    this.#lookups++
    try {
      lookup(this.#host, { all: true }, (err, addresses) => this.#answered(err, addresses))
    } catch (err) {
      this.#answered(err as Error, [])
    }
  }

  #answered (err: Error | null, addresses: LookupAddress[]): void {
    this.#inFlight = false
    const chosen = err === null ? addresses.find((a) => a.family === 4) ?? addresses[0] : undefined
    if (chosen === undefined) {
      this.#backoff.failed(Date.now())
      err ??= new Error(`getaddrinfo returned no address for ${this.#host}`)
    } else {
      this.#backoff.succeeded()
      this.#expiresAt = Date.now() + ADDRESS_TTL_MS
      if (this.#address?.address !== chosen.address) {
        this.#address = Object.freeze({ address: chosen.address, family: chosen.family === 6 ? 6 : 4 })
      }
    }
    if (!this.#closed) this.#onLookup(err)
  }
}
