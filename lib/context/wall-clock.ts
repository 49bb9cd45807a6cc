import { performance } from 'node:perf_hooks'

/** How long the offset between the two clocks is trusted: a wall clock that was set is followed within this. */
const RESYNC_MS = 1000
let offset = 0
let resyncAt = -Infinity

/**
 * Date.now(), read through performance.now() plus an offset re-read from Date.now() at least
 * once a second: Date.now() is a call into V8's runtime (about 265 instructions on Node 26),
 * performance.now() a fast API call (about 100 with its receiver check), and the request path
 * reads the wall clock twice (the UUID's timestamp, the aggregation's bucket). Never ahead of
 * Date.now(); less than 1 ms behind it between re-reads (the offset is taken from a whole
 * millisecond).
 */
export function wallClockMs (): number {
  const now = performance.now()
  if (now >= resyncAt) {
    offset = Date.now() - now
    resyncAt = now + RESYNC_MS
  }
  return Math.floor(offset + now)
}
