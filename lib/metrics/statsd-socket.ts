/**
 * What vigie's own StatsD sockets (UDP: udp-statsd-socket.ts, TCP: tcp-statsd-socket.ts) share:
 * the contract, the count of dropped lines, the queue kept while the first address is looked up,
 * and the bound on close.
 */

/** Why lines were dropped: no address for the host, the socket failed, or too much was queued. */
export type DropReason = 'dns' | 'socket' | 'queue_full'

export type DroppedLineCounts = Readonly<Record<DropReason, number>>

/** A socket to the StatsD server, for batches of whole lines joined by `\n`. */
export interface StatsdSocket {
  /**
   * Sends one batch; never throws. The buffer is handed over: the caller does not reuse it. With
   * `onDropped`, its lines are not counted if dropped: `onDropped` is called instead, once (vigie's
   * report of the drops, drop-report.ts, so that reporting never adds to what it reports).
   */
  send: (payload: Buffer, onDropped?: () => void) => void
  /** Sends what it can of what is queued, then closes; settles within {@link CLOSE_TIMEOUT_MS}. */
  close: () => Promise<void>
  /**
   * Lines dropped so far, by reason (for a datagram refused by the host: those of the last one
   * sent), but those of batches sent with `onDropped`.
   */
  dropped: () => DroppedLineCounts
  /** DNS lookups started so far (none for an IP address). */
  lookups: () => number
  /** Bytes held until the network takes them: waiting for an address, or (TCP) in Node's socket buffer. */
  queuedBytes: () => number
}

/** Bytes a socket may hold that the network has not taken yet; what comes beyond is dropped. */
export const MAX_QUEUED_BYTES = 1024 * 1024

/** The longest a close waits for the network before it drops what is left. */
export const CLOSE_TIMEOUT_MS = 1000

const NEWLINE = 10

const TOLD = (): void => {}

export class DroppedLines {
  readonly #counts = { dns: 0, socket: 0, queue_full: 0 }
  /** Batches whose sender is told of their drop instead of it being counted. */
  readonly #tell = new WeakMap<Buffer, () => void>()

  /** A drop of `payload` goes to `onDropped`, the first time only, and is never counted. */
  tell (payload: Buffer, onDropped: () => void): void {
    this.#tell.set(payload, onDropped)
  }

  add (reason: DropReason, payload: Buffer): void {
    const onDropped = this.#tell.get(payload)
    if (onDropped === undefined) {
      this.#counts[reason] += lineCount(payload)
      return
    }
    // Over UDP a refusal is blamed on the last datagram sent, which may be blamed twice: told once.
    this.#tell.set(payload, TOLD)
    onDropped()
  }

  counts (): DroppedLineCounts {
    return { ...this.#counts }
  }
}

function lineCount (payload: Buffer): number {
  if (payload.length === 0) return 0
  let lines = 1
  for (let at = payload.indexOf(NEWLINE); at !== -1; at = payload.indexOf(NEWLINE, at + 1)) lines++
  return lines
}

/** Batches kept until the socket has somewhere to send them, at most {@link MAX_QUEUED_BYTES}. */
export class PendingPayloads {
  #payloads: Buffer[] = []
  #bytes = 0

  get size (): number {
    return this.#payloads.length
  }

  get bytes (): number {
    return this.#bytes
  }

  /** False, keeping nothing, when the payload does not fit. */
  push (payload: Buffer): boolean {
    if (this.#bytes + payload.length > MAX_QUEUED_BYTES) return false
    this.#payloads.push(payload)
    this.#bytes += payload.length
    return true
  }

  take (): Buffer[] {
    const payloads = this.#payloads
    this.#payloads = []
    this.#bytes = 0
    return payloads
  }
}

/**
 * A close that settles when the socket is done, or after {@link CLOSE_TIMEOUT_MS} whatever the
 * network does. `finish` (drop what is left, release the socket) runs once either way; the
 * promise resolves when what it returns does: once the released socket has closed, the callbacks
 * of writes it cut short have counted their lines. The timer is not unref'd: while close() is
 * awaited it is what ends the wait, and an awaited promise still pending when the event loop
 * empties would end the process early (exit code 13 after a top-level await).
 */
export class BoundedClose {
  readonly promise: Promise<void>
  readonly #finish: () => Promise<void> | undefined
  readonly #timer: NodeJS.Timeout
  #resolve!: () => void
  #settled = false

  constructor (finish: () => Promise<void> | undefined) {
    this.#finish = finish
    this.promise = new Promise((resolve) => { this.#resolve = resolve })
    this.#timer = setTimeout(() => this.settle(), CLOSE_TIMEOUT_MS)
  }

  settle (): void {
    if (this.#settled) return
    this.#settled = true
    clearTimeout(this.#timer)
    let released: Promise<void> | undefined
    try {
      released = this.#finish()
    } finally {
      if (released === undefined) this.#resolve()
      else released.then(this.#resolve, this.#resolve)
    }
  }
}
