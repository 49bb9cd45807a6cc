import type { ResolvedStatsd } from '../options/resolve-options.ts'
import { DropReport } from './drop-report.ts'
import { LineBatch } from './line-batch.ts'
import type { PreformattedSink } from './request-metrics.ts'
import type { StatsdSocket } from './statsd-socket.ts'
import { formatGlobalTags, normalizePrefix } from './tag-format.ts'
import { TcpStatsdSocket } from './tcp-statsd-socket.ts'
import { UdpStatsdSocket } from './udp-statsd-socket.ts'

/**
 * The fast path of request metrics: whole lines, formatted by vigie and batched as bytes
 * ({@link LineBatch}), sent on vigie's own socket (UDP or TCP), which counts the lines it drops;
 * {@link DropReport} sends those counts every `bufferFlushInterval`. Undefined where hot-shots must
 * write the lines: a user's `statsd.client`, a Unix socket (`uds`), sampling (`|@rate`) and
 * Datadog mode (its extra fields); there RequestMetrics goes through the client's public methods.
 */
export function createPreformattedSink (options: ResolvedStatsd, onError: (err: unknown) => void): PreformattedSink | undefined {
  if (options.client !== undefined || options.protocol === 'uds' || options.sampleRate < 1 || options.datadog) return undefined
  const socket: StatsdSocket = options.protocol === 'tcp'
    ? new TcpStatsdSocket(options.host, options.port, onError)
    : new UdpStatsdSocket(options.host, options.port, onError)
  const batch = new LineBatch({
    maxBytes: options.maxBufferSize,
    flushIntervalMs: options.bufferFlushInterval,
    write: (payload) => socket.send(payload),
    onError,
  })
  const prefix = normalizePrefix(options.prefix)
  const globalTags = Object.freeze(formatGlobalTags(options.globalTags))
  const report = new DropReport({ socket, prefix, globalTags, format: options.tagFormat, intervalMs: options.bufferFlushInterval, onError })
  return Object.freeze({
    prefix,
    globalTags,
    add: (head: Uint8Array, thousandths: number, tail: Uint8Array) => batch.add(head, thousandths, tail),
    close: () => {
      batch.close()
      report.close()
      return socket.close()
    },
    dropped: () => socket.dropped(),
  })
}
