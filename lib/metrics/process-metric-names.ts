/**
 * The process gauges vigie sends every `processMetrics.intervalMs` (see docs/process-metrics.md).
 * Names are sent as they are, after the client's prefix; global tags apply.
 */
export const PROCESS_METRIC_NAMES = Object.freeze({
  /** Median event-loop delay over the interval, in ms. */
  eventLoopDelayP50: 'process.event_loop_delay.p50',
  /** 99th percentile of the event-loop delay over the interval, in ms. */
  eventLoopDelayP99: 'process.event_loop_delay.p99',
  /** V8 heap in use, in bytes. */
  heapUsed: 'process.heap_used',
  /** Resident set size of the process, in bytes. */
  rss: 'process.rss',
  /** CPU time (user + system) over the interval ÷ wall time, in %: 100 is one core fully busy. */
  cpuPercent: 'process.cpu_percent',
  /** Handles and requests keeping the event loop alive. */
  activeHandles: 'process.active_handles',
  /** Garbage-collection pauses summed over the interval, in ms. */
  gcPause: 'process.gc_pause',
  /** Bytes free to the process on the filesystem of its working directory. */
  diskFree: 'process.disk_free',
})
