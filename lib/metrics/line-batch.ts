const NEWLINE = 10
const DOT = 46
const ZERO = 48

/**
 * The send buffer of vigie's per-request lines, kept as bytes: each text is copied in from
 * pieces encoded once per series, with its one varying number written digit by digit, and the
 * batch goes out in datagrams of at most `maxBytes`, when the next text would not fit and every
 * `flushIntervalMs`.
 *
 * hot-shots' own buffer measures its whole content (`Buffer.byteLength`) at every metric, and a
 * batch kept as a string is flattened and encoded again when it is sent: here an add costs the
 * same whatever the batch holds, and nothing is encoded twice. `maxBytes: 0` writes every text at
 * once (hot-shots' unbuffered mode).
 */
export class LineBatch {
  /** The batch being filled; null until the first add after a flush (a written batch is handed over, never reused). */
  #buffer: Buffer | null = null
  #length = 0
  readonly #maxBytes: number
  readonly #write: (payload: Buffer) => void
  readonly #onError: (err: unknown) => void
  readonly #timer: NodeJS.Timeout | null

  constructor (options: { maxBytes: number, flushIntervalMs: number, write: (payload: Buffer) => void, onError: (err: unknown) => void }) {
    this.#maxBytes = options.maxBytes
    this.#write = options.write
    this.#onError = options.onError
    this.#timer = options.maxBytes > 0 && options.flushIntervalMs > 0 ? setInterval(() => this.flush(), options.flushIntervalMs) : null
    this.#timer?.unref()
  }

  /**
   * Adds one text: `head`, then `thousandths / 1000` in decimal (at most three fractional digits,
   * no trailing zeros: 12345 → `12.345`, 1500 → `1.5`), then `tail`. Texts are joined by `\n`.
   * A value that is not a whole number from 0 to 2^53 is written as 0.
   */
  add (head: Uint8Array, thousandths: number, tail: Uint8Array): void {
    if (!Number.isSafeInteger(thousandths) || thousandths < 0) thousandths = 0
    const digits = decimalLength(thousandths)
    const size = head.length + digits + tail.length
    if (this.#length > 0 && this.#length + 1 + size > this.#maxBytes) this.flush()
    let buffer = this.#buffer
    if (buffer === null) buffer = this.#buffer = Buffer.allocUnsafe(Math.max(this.#maxBytes, size))
    let at = this.#length
    if (at > 0) buffer[at++] = NEWLINE
    buffer.set(head, at)
    at += head.length
    writeDecimal(buffer, at, thousandths, digits)
    at += digits
    buffer.set(tail, at)
    this.#length = at + tail.length
    if (this.#length >= this.#maxBytes) this.flush()
  }

  /** Writes what is pending, if anything; a failing write is reported, never thrown. */
  flush (): void {
    if (this.#length === 0) return
    const payload = this.#buffer!.subarray(0, this.#length)
    this.#buffer = null
    this.#length = 0
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

/** Bytes of `thousandths / 1000` as {@link writeDecimal} writes it. */
function decimalLength (thousandths: number): number {
  let whole = Math.floor(thousandths / 1000)
  let fraction = thousandths - whole * 1000
  let length = 1
  while (whole >= 10) {
    whole = Math.floor(whole / 10)
    length++
  }
  if (fraction === 0) return length
  length += 4 // the dot and three digits, less the trailing zeros
  while (fraction % 10 === 0) {
    fraction /= 10
    length--
  }
  return length
}

/** Writes `thousandths / 1000` in decimal into the `length` bytes (decimalLength()) at `at`, from its last digit back. */
function writeDecimal (buffer: Buffer, at: number, thousandths: number, length: number): void {
  let whole = Math.floor(thousandths / 1000)
  let fraction = thousandths - whole * 1000
  let i = at + length
  if (fraction !== 0) {
    let digits = 3
    while (fraction % 10 === 0) {
      fraction /= 10
      digits--
    }
    for (; digits > 0; digits--) {
      const next = Math.floor(fraction / 10)
      buffer[--i] = ZERO + fraction - next * 10
      fraction = next
    }
    buffer[--i] = DOT
  }
  do {
    const next = Math.floor(whole / 10)
    buffer[--i] = ZERO + whole - next * 10
    whole = next
  } while (whole > 0)
}
