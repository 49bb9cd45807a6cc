const FIRST_DELAY_MS = 1000
const MAX_DELAY_MS = 60_000

/**
 * When a failed step (a DNS lookup, a connection) may be tried again: 1 s after the first
 * failure, then 2, 4… up to 60 s between tries; back to 1 s after a success. Nothing is
 * scheduled: the caller asks before it tries.
 */
export class RetryBackoff {
  #delay = FIRST_DELAY_MS
  #retryAt = 0

  ready (now: number): boolean {
    return now >= this.#retryAt
  }

  failed (now: number): void {
    this.#retryAt = now + this.#delay
    this.#delay = Math.min(this.#delay * 2, MAX_DELAY_MS)
  }

  succeeded (): void {
    this.#delay = FIRST_DELAY_MS
    this.#retryAt = 0
  }
}
