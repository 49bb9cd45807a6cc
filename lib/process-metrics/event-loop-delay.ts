import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

/** Milliseconds between two of Node's event-loop delay probes. */
export const EVENT_LOOP_RESOLUTION_MS = 20

/**
 * Event-loop delay percentiles between two reads, from Node's `monitorEventLoopDelay`: a libuv
 * timer every EVENT_LOOP_RESOLUTION_MS records how long each tick of it really took. The delay is
 * that time minus the resolution (the under-pressure convention), never below 0. The histogram is
 * enabled only between start() and stop().
 */
export class EventLoopDelayMeter {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS })

  start (): void {
    this.#histogram.reset()
    this.#histogram.enable()
  }

  stop (): void {
    this.#histogram.disable()
  }

  /** p50 and p99 in ms since the last read, then starts over; null before a first full probe. */
  read (): { p50: number, p99: number } | null {
    const histogram = this.#histogram
    if (histogram.count === 0) return null
    const p50 = delayMs(histogram.percentile(50))
    const p99 = delayMs(histogram.percentile(99))
    histogram.reset()
    return { p50, p99 }
  }
}

function delayMs (probeNs: number): number {
  return Math.max(0, Math.round(probeNs / 1000 - EVENT_LOOP_RESOLUTION_MS * 1000) / 1000)
}
