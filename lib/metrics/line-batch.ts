/**
 * The send buffer of vigie's per-request lines: they are appended to one string and written out
 * in datagrams of at most `maxBytes`, when the next line would not fit and every `flushIntervalMs`.
 *
 * hot-shots' own buffer measures its whole content (`Buffer.byteLength`) at every metric, which
 * flattens and scans up to a datagram's worth of text per call; here the caller passes each
 * text's size in bytes, known from the cached parts it was built from, so an add costs the same
 * whatever the buffer holds. `maxBytes: 0` writes every text at once (hot-shots' unbuffered mode).
 */
export class LineBatch {
  #pending = ''
  #bytes = 0
  readonly #maxBytes: number
  readonly #write: (payload: string) => void
  readonly #onError: (err: unknown) => void
  readonly #timer: NodeJS.Timeout | null

  constructor (options: { maxBytes: number, flushIntervalMs: number, write: (payload: string) => void, onError: (err: unknown) => void }) {
    this.#maxBytes = options.maxBytes
    this.#write = options.write
    this.#onError = options.onError
    this.#timer = options.maxBytes > 0 && options.flushIntervalMs > 0 ? setInterval(() => this.flush(), options.flushIntervalMs) : null
    this.#timer?.unref()
  }

  /** Adds one or more `\n`-joined lines; `bytes` is their UTF-8 size. */
  add (text: string, bytes: number): void {
    if (this.#bytes === 0) {
      this.#pending = text
      this.#bytes = bytes
    } else if (this.#bytes + 1 + bytes <= this.#maxBytes) {
      this.#pending += '\n' + text
      this.#bytes += 1 + bytes
    } else {
      this.flush()
      this.#pending = text
      this.#bytes = bytes
    }
    if (this.#bytes >= this.#maxBytes) this.flush()
  }

  /** Writes what is pending, if anything; a failing write is reported, never thrown. */
  flush (): void {
    if (this.#bytes === 0) return
    const payload = this.#pending
    this.#pending = ''
    this.#bytes = 0
    try {
      this.#write(payload)
    } catch (err) {
      this.#onError(err)
    }
  }

  /** Writes what is pending and stops the timer. */
  close (): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.flush()
  }
}
