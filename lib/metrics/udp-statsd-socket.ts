import { createSocket, type Socket } from 'node:dgram'
import { HostResolver, type HostAddress } from './host-resolver.ts'
import { RetryBackoff } from './retry-backoff.ts'
import { BoundedClose, DroppedLines, PendingPayloads, type DroppedLineCounts, type StatsdSocket } from './statsd-socket.ts'

/**
 * vigie's StatsD socket over UDP: one datagram per batch, on a socket connected to the host's
 * address (looked up once, again after 60 s: {@link HostResolver}), so nothing is resolved per
 * datagram and a closed port shows: the host's ICMP refusal comes back as an ECONNREFUSED error
 * event, which is counted and reported, never thrown. Batches wait, up to 1 MiB, while the first
 * address is looked up and the socket connects; without an address they are dropped. After a
 * socket failure, a new one is tried after 1 s, then 2, 4… up to 60 s. The socket is unref'd.
 */
export class UdpStatsdSocket implements StatsdSocket {
  readonly #port: number
  readonly #onError: (err: unknown) => void
  readonly #resolver: HostResolver
  readonly #drops = new DroppedLines()
  readonly #pending = new PendingPayloads()
  readonly #backoff = new RetryBackoff()
  #socket: Socket | null = null
  /** The address #socket is connected or connecting to (also after it failed: the backoff is about it). */
  #remote: HostAddress | undefined
  #connected = false
  #inFlight = 0
  /** A refusal reported by the host is about a datagram already sent: the last one, as near as can be told. */
  #lastSent: Buffer | null = null
  #closing: BoundedClose | null = null

  constructor (host: string, port: number, onError: (err: unknown) => void) {
    this.#port = port
    this.#onError = onError
    this.#resolver = new HostResolver(host, (err) => this.#looked(err))
    const address = this.#resolver.address()
    if (address !== undefined) this.#open(address)
  }

  send (payload: Buffer, onDropped?: () => void): void {
    if (onDropped !== undefined) this.#drops.tell(payload, onDropped)
    if (this.#closing !== null) return this.#drops.add('socket', payload)
    const address = this.#resolver.address()
    if (address === undefined) {
      if (this.#resolver.lookupInFlight) this.#queue(payload)
      else this.#drops.add('dns', payload)
      return
    }
    if (address !== this.#remote || (this.#socket === null && this.#backoff.ready(Date.now()))) this.#open(address)
    const socket = this.#socket
    if (socket === null) this.#drops.add('socket', payload)
    else if (!this.#connected) this.#queue(payload)
    else this.#write(socket, payload)
  }

  close (): Promise<void> {
    this.#closing ??= new BoundedClose(() => this.#finish())
    this.#settleIfDone()
    return this.#closing.promise
  }

  dropped (): DroppedLineCounts {
    return this.#drops.counts()
  }

  lookups (): number {
    return this.#resolver.lookups
  }

  queuedBytes (): number {
    return this.#pending.bytes
  }

  #queue (payload: Buffer): void {
    if (!this.#pending.push(payload)) this.#drops.add('queue_full', payload)
  }

  #looked (err: Error | null): void {
    const address = this.#resolver.address()
    if (err !== null) this.#onError(err)
    if (address === undefined) {
      for (const payload of this.#pending.take()) this.#drops.add('dns', payload)
    } else if (address !== this.#remote && (this.#closing === null || this.#pending.size > 0)) {
      this.#open(address)
    }
    this.#settleIfDone()
  }

  #open (address: HostAddress): void {
    this.#release()
    this.#remote = address
    const socket = createSocket(address.family === 6 ? 'udp6' : 'udp4')
    this.#socket = socket
    socket.unref()
    socket.on('error', (err) => this.#socketError(socket, err))
    try {
      socket.connect(this.#port, address.address, () => this.#onConnect(socket))
    } catch (err) {
      this.#socketError(socket, err as Error)
    }
  }

  #onConnect (socket: Socket): void {
    if (socket !== this.#socket) return
    this.#connected = true
    this.#backoff.succeeded()
    for (const payload of this.#pending.take()) this.#write(socket, payload)
    this.#settleIfDone()
  }

  #write (socket: Socket, payload: Buffer): void {
    this.#inFlight++
    this.#lastSent = payload
    try {
      socket.send(payload, (err) => this.#sent(err, payload))
    } catch (err) {
      this.#sent(err as Error, payload)
    }
  }

  #sent (err: Error | null, payload: Buffer): void {
    this.#inFlight--
    if (err) {
      this.#drops.add('socket', payload)
      this.#onError(err)
    }
    this.#settleIfDone()
  }

  /** Once connected, an error is about a datagram (a refusal): the socket stays. Before, connecting failed. */
  #socketError (socket: Socket, err: Error): void {
    if (socket !== this.#socket) return
    this.#onError(err)
    if (this.#connected) {
      if (this.#lastSent !== null) this.#drops.add('socket', this.#lastSent)
      return
    }
    this.#backoff.failed(Date.now())
    this.#release()
    for (const payload of this.#pending.take()) this.#drops.add('socket', payload)
    this.#settleIfDone()
  }

  /** Closes the socket; the promise resolves once it has (and the sends it cut short have called back). */
  #release (): Promise<void> | undefined {
    const socket = this.#socket
    this.#socket = null
    this.#connected = false
    this.#lastSent = null
    if (socket === null) return undefined
    try {
      socket.close()
    } catch {
      return undefined // Already closed: nothing to release.
    }
    return new Promise((resolve) => socket.once('close', resolve))
  }

  /** While closing: done once nothing is queued for a lookup or a connection, and no send is in flight. */
  #settleIfDone (): void {
    if (this.#closing === null || this.#inFlight > 0) return
    if (this.#pending.size > 0 && (this.#resolver.lookupInFlight || this.#socket !== null)) return
    this.#closing.settle()
  }

  #finish (): Promise<void> | undefined {
    const reason = this.#resolver.lookupInFlight ? 'dns' : 'socket'
    for (const payload of this.#pending.take()) this.#drops.add(reason, payload)
    this.#resolver.close()
    return this.#release()
  }
}
