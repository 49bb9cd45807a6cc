import { isIP } from 'node:net'
import type { StatsD } from 'hot-shots'
import lazyDependencies from '../lazy-dependencies.cjs'
import type { ResolvedStatsd } from '../options/resolve-options.ts'
import { cachedLookup } from './cached-lookup.ts'

/**
 * The hot-shots client users send through as `app.statsd` (vigie's own request lines have their
 * own socket: preformatted-sink.ts). `errorHandler` is always set, so hot-shots never throws on
 * send or prints to the console; Datadog mode and the `DD_*` tags stay off unless
 * `statsd.datadog` is true. Over UDP its socket looks the host up as vigie's own does
 * ({@link cachedLookup}): once a minute and one lookup at a time, not once per datagram.
 */
export function createStatsdClient (options: ResolvedStatsd, onError: (err: Error) => void): StatsD {
  const datadog = options.datadog
  const client = new (lazyDependencies.hotShots().StatsD)({
    host: options.host,
    port: options.port,
    protocol: options.protocol,
    ...(options.path !== undefined ? { path: options.path } : {}),
    prefix: options.prefix,
    globalTags: { ...options.globalTags },
    telegraf: options.tagFormat === 'telegraf',
    maxBufferSize: options.maxBufferSize,
    bufferFlushInterval: options.bufferFlushInterval,
    ...(options.protocol === 'udp' ? { udpSocketOptions: { type: udpSocketType(options.host), lookup: cachedLookup(options.host).lookup } } : {}),
    datadog,
    includeDataDogTags: datadog,
    errorHandler: onError,
  })
  CREATED.set(client, { protocol: options.protocol, onError })
  return client
}

/** As hot-shots picks it: IPv6 for an IPv6 address, IPv4 for anything else (a name included). */
function udpSocketType (host: string): 'udp4' | 'udp6' {
  return isIP(host) === 6 ? 'udp6' : 'udp4'
}

/** What closeStatsdClient() needs of each client vigie created. */
const CREATED = new WeakMap<StatsD, { protocol: ResolvedStatsd['protocol'], onError: (err: Error) => void }>()

const FLUSH_TIMEOUT_MS = 1000
const CLOSE_TIMEOUT_MS = 1000

/**
 * Closes a client vigie created, after its buffer is flushed, within about 2 s, through
 * hot-shots' published API. Its close() prints to the console when messages are still in flight
 * at its own deadline (a DNS lookup for an unresolvable host), so vigie closes only once a
 * flush() has called back, which waits for every message in flight. If that takes longer than
 * FLUSH_TIMEOUT_MS, the close is left to happen when it does. Over UDP that is a DNS lookup,
 * which ends by itself. Over TCP it is a server that takes nothing, and a pending write would
 * keep the process alive: the client's socket is closed at once, which fails those writes.
 * close() is bounded too: it never calls back on a TCP socket that has already failed.
 */
export async function closeStatsdClient (client: StatsD): Promise<void> {
  const created = CREATED.get(client)
  // Errors of these last sends come back to the callbacks, not to the client's errorHandler.
  const report = (err: Error | null | undefined): void => {
    if (err) created?.onError(err)
  }
  let drained = false
  let closeWhenDrained = false
  await withTimeout((done) => {
    const onDrained = (err?: Error): void => {
      report(err)
      drained = true
      done()
      if (closeWhenDrained) closeQuietly(client, report)
    }
    try {
      client.flush(onDrained)
    } catch (err) {
      onDrained(err as Error)
    }
  }, FLUSH_TIMEOUT_MS)
  if (drained) {
    await withTimeout((done) => client.close((err) => {
      report(err)
      done()
    }), CLOSE_TIMEOUT_MS)
    return
  }
  closeWhenDrained = true
  if (created?.protocol === 'tcp') {
    try {
      client.socket.close()
    } catch {
      // Closed already.
    }
  }
}

function closeQuietly (client: StatsD, report: (err: Error | undefined) => void): void {
  try {
    client.close(report)
  } catch (err) {
    report(err as Error)
  }
}

/** Sends what a client has buffered, without closing it (a user-supplied client's owner does). */
export function flushStatsdClient (client: StatsD): Promise<void> {
  return withTimeout((done) => {
    if (typeof client.flush === 'function') client.flush(() => done())
    else done()
  }, FLUSH_TIMEOUT_MS + CLOSE_TIMEOUT_MS)
}

/**
 * Runs a callback-style operation; resolves when it calls back, throws, or after `ms`. The timer
 * is not unref'd: it bounds a close being awaited, and an awaited promise left pending when the
 * event loop empties would end the process early (exit code 13 after a top-level await).
 */
function withTimeout (operation: (done: () => void) => void, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
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
  for (const name of Object.getOwnPropertyNames(lazyDependencies.hotShots().StatsD.prototype)) {
    if (name === 'constructor') continue
    noop[name] = function disabledStatsdMethod (...args: unknown[]) {
      const last = args[args.length - 1]
      if (typeof last === 'function') last()
    }
  }
  noop.childClient = () => noop
  return noop as unknown as StatsD
}
