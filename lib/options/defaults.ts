// Every default and every bound of vigie's options, in one frozen table. resolve-options.ts
// reads nothing else; docs/options.md states the same figures.

import { DEFAULT_CORRELATION_HEADER } from '../context/correlation-id.ts'
import { COPY_LIMIT_CEILINGS } from '../scrub/copy-limits.ts'

/** An inclusive range of integers. */
export interface Bounds { readonly min: number, readonly max: number }

const bounds = (min: number, max: number): Bounds => Object.freeze({ min, max })

export const DEFAULTS = Object.freeze({
  statsdHost: '127.0.0.1',
  statsdPort: 8125,
  statsdPortBounds: bounds(1, 65_535),
  statsdProtocol: 'udp',
  statsdPrefix: '',
  statsdSampleRate: 1,
  statsdTagFormat: 'datadog',
  statsdDatadog: false,
  /** Bytes per UDP datagram to another host: one datagram within a typical network MTU. */
  maxBufferSizeNetwork: 1400,
  /** Loopback, Unix sockets and TCP carry more per write; 8192 is what StatsD servers accept (DogStatsD's default read buffer). */
  maxBufferSizeLocal: 8192,
  /** The largest UDP payload over IPv4: a larger buffer could never be sent (EMSGSIZE at every flush). */
  maxUdpPayload: 65_507,
  bufferFlushInterval: 1000,
  correlationHeader: DEFAULT_CORRELATION_HEADER,
  captureClientErrors: false,
  maxBodyBytes: 8192,
  maxBodyBytesBounds: bounds(1, COPY_LIMIT_CEILINGS.maxStringLength),
  maxDepth: 6,
  maxDepthBounds: bounds(1, COPY_LIMIT_CEILINGS.maxDepth),
  maxArrayItems: 50,
  maxArrayItemsBounds: bounds(1, COPY_LIMIT_CEILINGS.maxArrayItems),
  maxTotalKeys: 1000,
  maxTotalKeysBounds: bounds(1, COPY_LIMIT_CEILINGS.maxTotalKeys),
  maxControllers: 500,
  asyncContext: true,
  logInjection: true,
  cluster: true,
  aggregationMaxSeries: 500,
  /** Beyond 100,000 series the memory bound stops meaning anything (docs/aggregation.md). */
  aggregationMaxSeriesBounds: bounds(1, 100_000),
  processMetricsIntervalMs: 10_000,
  /** A gauge a second at most, one an hour at least. */
  processMetricsIntervalBounds: bounds(1000, 3_600_000),
  dashboardPath: '/_vigie',
  prometheusPath: '/metrics',
  /** The metrics' own server listens on loopback unless told otherwise. */
  prometheusHost: '127.0.0.1',
  /** 0: any free port (the address is logged). */
  prometheusPortBounds: bounds(0, 65_535),
  exceptionLinesPerInterval: 10,
  exceptionLinesPerIntervalBounds: bounds(1, 10_000),
  exceptionLinesIntervalMs: 60_000,
  /** A second at least (a summary line a second per kind at most), an hour at most. */
  exceptionLinesIntervalBounds: bounds(1000, 3_600_000),
  slowQueryMs: 500,
  /** A query of a millisecond is not slow; one of an hour would never be logged in time. */
  slowQueryBounds: bounds(1, 3_600_000),
  nPlusOne: 20,
  nPlusOneBounds: bounds(2, 100_000),
  healthPath: '/_vigie/health',
  healthTimeoutMs: 1000,
  /** A check gets a millisecond at least, a minute at most: a probe waits that long for its answer. */
  healthTimeoutBounds: bounds(1, 60_000),
})
