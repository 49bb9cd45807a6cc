import { StatsD } from 'hot-shots'
import type { ResolvedStatsd } from '../options/resolve-options.js'
import { LineBatch } from './line-batch.js'
import type { PreformattedSink } from './request-metrics.js'

/**
 * The hot-shots client vigie sends through (and decorates as `app.statsd`). `errorHandler` is
 * always set, so hot-shots never throws on send or prints to the console; Datadog mode and the
 * `DD_*` tags stay off unless `statsd.datadog` is true.
 */
export function createStatsdClient (options: ResolvedStatsd, onError: (err: Error) => void): StatsD {
  const datadog = options.datadog
  return new StatsD({
    host: options.host,
    port: options.port,
    protocol: options.protocol,
    ...(options.path !== undefined ? { path: options.path } : {}),
    prefix: options.prefix,
    globalTags: { ...options.globalTags },
    telegraf: options.tagFormat === 'telegraf',
    maxBufferSize: options.maxBufferSize,
    bufferFlushInterval: options.bufferFlushInterval,
    datadog,
    includeDataDogTags: datadog,
    errorHandler: onError,
  })
}

/**
 * The fast path of request metrics for a client vigie created: whole, pre-formatted lines are
 * batched by vigie ({@link LineBatch}) and each batch goes out through hot-shots' transport
 * (`sendMessage`, the step after its own formatting and buffering), skipping per-call tag merging
 * and hot-shots' per-call buffer measuring. Not used with sampling or Datadog mode, where
 * hot-shots adds to each line.
 */
export function preformattedSink (client: StatsD, options: ResolvedStatsd, onError: (err: unknown) => void): PreformattedSink | undefined {
  // The prefix and global tags exactly as hot-shots normalised and formatted them.
  // sendMessage() takes a Buffer as well as a string: it measures it and copies it for the transport.
  const { sendMessage, prefix, globalTags } = client as unknown as { sendMessage?: (message: string | Buffer) => void, prefix?: unknown, globalTags?: unknown }
  if (typeof sendMessage !== 'function' || typeof prefix !== 'string' || !Array.isArray(globalTags)) return undefined
  if (options.sampleRate < 1 || options.datadog) return undefined
  const batch = new LineBatch({
    maxBytes: options.maxBufferSize,
    flushIntervalMs: options.bufferFlushInterval,
    write: (payload) => sendMessage.call(client, payload),
    onError,
  })
  return Object.freeze({
    prefix,
    globalTags: Object.freeze([...globalTags as string[]]),
    add: (head: Uint8Array, thousandths: number, tail: Uint8Array) => batch.add(head, thousandths, tail),
    close: () => batch.close(),
  })
}

const CLOSE_TIMEOUT_MS = 2000

/**
 * Closes a client vigie created, after its buffer is flushed. Bounded: hot-shots' close() never
 * calls back on a TCP socket that has already failed, and prints to the console when messages
 * are still in flight (a DNS lookup for an unresolvable host), so vigie waits for those first,
 * a bounded time, and then gives up on them quietly.
 */
export async function closeStatsdClient (client: StatsD): Promise<void> {
  await flushStatsdClient(client)
  const inFlight = client as unknown as { messagesInFlight?: number }
  const deadline = Date.now() + CLOSE_TIMEOUT_MS
  while ((inFlight.messagesInFlight ?? 0) > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  if ((inFlight.messagesInFlight ?? 0) > 0) inFlight.messagesInFlight = 0
  await withTimeout((done) => client.close(() => done()))
}

/** Sends what a client has buffered, without closing it (a user-supplied client's owner does). */
export function flushStatsdClient (client: StatsD): Promise<void> {
  return withTimeout((done) => {
    if (typeof client.flush === 'function') client.flush(() => done())
    else done()
  })
}

/** Runs a callback-style operation; resolves when it calls back, throws, or times out. */
function withTimeout (operation: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)
    timer.unref()
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    try {
      operation(done)
    } catch {
      done()
    }
  })
}

/**
 * A client that sends nothing, for `VIGIE_DISABLED=1`: handlers that call `app.statsd` keep
 * working, and no socket is opened. Every method of hot-shots' client is a no-op that calls a
 * trailing callback, if any.
 */
export function createDisabledStatsdClient (): StatsD {
  const noop: Record<string, unknown> = {}
  for (const name of Object.getOwnPropertyNames(StatsD.prototype)) {
    if (name === 'constructor') continue
    noop[name] = function disabledStatsdMethod (...args: unknown[]) {
      const last = args[args.length - 1]
      if (typeof last === 'function') last()
    }
  }
  noop.childClient = () => noop
  return noop as unknown as StatsD
}
