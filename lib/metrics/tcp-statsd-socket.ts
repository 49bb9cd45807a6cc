import { connect, type Socket } from 'node:net'
import { HostResolver, type HostAddress } from './host-resolver.ts'
import { RetryBackoff } from './retry-backoff.ts'
import { BoundedClose, DroppedLines, MAX_QUEUED_BYTES, PendingPayloads, type DroppedLineCounts, type StatsdSocket } from './statsd-socket.ts'

const NEWLINE = Buffer.from('\n')

/**
 * How long a connection may take to connect, or hold data the server takes none of, before it is
 * given up: a pending write keeps Node's event loop alive even on an unref'd socket. Node checks
 * progress at each timeout and reports a stall at the first one without any, so a stalled
 * connection goes after one to two of these.
 */
export const STALL_TIMEOUT_MS = 5000

/**
 * vigie's StatsD socket over TCP: each batch is written with a final `\n` (as hot-shots writes
 * it), as UTF-8 bytes. At most 1 MiB may wait in Node for the server; what comes beyond is
 * dropped, and a connection that does not connect, or takes none of its data, for
 * {@link STALL_TIMEOUT_MS} (to twice that) is given up. A lost connection is made again by the next batch, after 1 s, then 2, 4… up to
 * 60 s; meanwhile batches are dropped. The host's address is looked up as for UDP
 * ({@link HostResolver}), when a connection is made. The socket is unref'd; errors are counted
 * and reported, never thrown.
 */
export class TcpStatsdSocket implements StatsdSocket {
  readonly #port: number
  readonly #onError: (err: unknown) => void
  readonly #resolver: HostResolver
  readonly #drops = new DroppedLines()
  readonly #pending = new PendingPayloads()
  readonly #backoff = new RetryBackoff()
  #socket: Socket | null = null
  #closing: BoundedClose | null = null

  constructor (host: string, port: number, onError: (err: unknown) => void) {
    this.#port = port
    this.#onError = onError
    this.#resolver = new HostResolver(host, (err) => this.#looked(err))
    const address = this.#resolver.address()
    if (address !== undefined) this.#connect(address)
  }

  send (payload: Buffer, onDropped?: () => void): void {
    if (onDropped !== undefined) this.#drops.tell(payload, onDropped)
    if (this.#closing !== null) return this.#drops.add('socket', payload)
    const socket = this.#socket ?? this.#reconnect(payload)
    if (socket !== null) this.#write(socket, payload)
  }

  close (): Promise<void> {
    if (this.#closing === null) {
      this.#closing = new BoundedClose(() => this.#finish())
      this.#settleIfDone()
    }
    return this.#closing.promise
  }

  dropped (): DroppedLineCounts {
    return this.#drops.counts()
  }

  lookups (): number {
    return this.#resolver.lookups
  }

  queuedBytes (): number {
    return this.#pending.bytes + (this.#socket?.writableLength ?? 0)
  }

  /** A new connection for `payload`, or null when it waits for the first lookup or is dropped. */
  #reconnect (payload: Buffer): Socket | null {
    const address = this.#resolver.address()
    if (address === undefined) {
      if (!this.#resolver.lookupInFlight) this.#drops.add('dns', payload)
      else if (!this.#pending.push(payload)) this.#drops.add('queue_full', payload)
      return null
    }
    if (!this.#backoff.ready(Date.now())) {
      this.#drops.add('socket', payload)
      return null
    }
    return this.#connect(address)
  }

  #looked (err: Error | null): void {
    if (err !== null) this.#onError(err)
    const address = this.#resolver.address()
    const pending = this.#pending.take()
    if (address === undefined) {
      for (const payload of pending) this.#drops.add('dns', payload)
    } else if (this.#socket === null && (pending.length > 0 || (this.#closing === null && this.#backoff.ready(Date.now())))) {
      const socket = this.#connect(address)
      for (const payload of pending) this.#write(socket, payload)
    }
    this.#settleIfDone()
  }

  #connect (address: HostAddress): Socket {
    const socket = connect({ host: address.address, port: this.#port, family: address.family })
    this.#socket = socket
    socket.unref()
    socket.setKeepAlive(true)
    socket.setTimeout(STALL_TIMEOUT_MS)
    socket.on('connect', () => this.#backoff.succeeded())
    socket.on('timeout', () => {
      if (socket.connecting || socket.writableLength > 0) {
        socket.destroy(new Error(`StatsD TCP server at ${address.address}:${this.#port} took nothing for ${STALL_TIMEOUT_MS} ms`))
      }
    })
    socket.on('error', (err) => this.#onError(err))
    socket.on('close', () => this.#closed(socket))
    return socket
  }

  #write (socket: Socket, payload: Buffer): void {
    if (socket.destroyed) return this.#drops.add('socket', payload)
    if (socket.writableLength + payload.length + 1 > MAX_QUEUED_BYTES) return this.#drops.add('queue_full', payload)
    socket.write(Buffer.concat([payload, NEWLINE]), (err) => {
      if (err) this.#drops.add('socket', payload)
    })
  }

  #closed (socket: Socket): void {
    if (socket !== this.#socket) return
    this.#socket = null
    if (this.#closing === null) this.#backoff.failed(Date.now())
    this.#settleIfDone()
  }

  /** While closing: ends the connection once nothing waits for a lookup; done when it has closed. */
  #settleIfDone (): void {
    if (this.#closing === null) return
    if (this.#pending.size > 0 && this.#resolver.lookupInFlight) return
    const socket = this.#socket
    if (socket === null) return this.#closing.settle()
    // 'finish': every byte is with the kernel, which still delivers it after the socket closes.
    if (!socket.writableEnded) socket.end(() => socket.destroy())
  }

  #finish (): Promise<void> | undefined {
    for (const payload of this.#pending.take()) this.#drops.add('dns', payload)
    this.#resolver.close()
    const socket = this.#socket
    if (socket === null) return undefined
    socket.destroy()
    return new Promise((resolve) => socket.once('close', resolve))
  }
}
