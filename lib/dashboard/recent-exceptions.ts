/** One captured exception, as the dashboard lists it. Every string is already scrubbed. */
export interface RecentException {
  /** Epoch ms when it was captured (when the response ended). */
  readonly at: number
  readonly correlationId: string
  readonly method: string
  readonly controller: string
  readonly status: number
  /** The error's name (`TypeError`, `PaymentDeclinedError`), or `HTTP <status>` without an error. */
  readonly name: string
  /** The scrubbed error message, cut to MAX_MESSAGE_LENGTH characters. */
  readonly message: string
}

export const RECENT_EXCEPTIONS_CAPACITY = 20
export const MAX_MESSAGE_LENGTH = 500

/** The latest exceptions, in a fixed-size ring: memory stays bounded whatever the error rate. */
export class RecentExceptions {
  readonly #ring: Array<RecentException | undefined>
  #next = 0

  constructor (capacity = RECENT_EXCEPTIONS_CAPACITY) {
    this.#ring = new Array<RecentException | undefined>(capacity)
  }

  /** Adds one, its message cut; the entry as listed. */
  add (exception: RecentException): RecentException {
    const entry = Object.freeze({ ...exception, message: cut(exception.message) })
    this.#ring[this.#next] = entry
    this.#next = (this.#next + 1) % this.#ring.length
    return entry
  }

  /** Newest first. */
  list (): RecentException[] {
    const out: RecentException[] = []
    for (let i = 1; i <= this.#ring.length; i++) {
      const entry = this.#ring[(this.#next - i + this.#ring.length) % this.#ring.length]
      if (entry !== undefined) out.push(entry)
    }
    return out
  }
}

/** Cuts to MAX_MESSAGE_LENGTH characters, ellipsis included, never through a surrogate pair. */
function cut (message: string): string {
  if (message.length <= MAX_MESSAGE_LENGTH) return message
  let end = MAX_MESSAGE_LENGTH - 1
  const last = message.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${message.slice(0, end)}…`
}
