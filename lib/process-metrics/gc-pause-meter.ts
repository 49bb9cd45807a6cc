import { PerformanceObserver } from 'node:perf_hooks'

/**
 * Time spent in garbage collection between two reads: the summed durations of the `gc`
 * performance entries Node emits for each collection (the main thread's pause for it). Observes
 * only between start() and stop().
 */
export class GcPauseMeter {
  #pauseMs = 0
  #observer: PerformanceObserver | null = null

  start (): void {
    this.#pauseMs = 0
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#pauseMs += entry.duration
    })
    this.#observer.observe({ type: 'gc' })
  }

  stop (): void {
    this.#observer?.disconnect()
    this.#observer = null
  }

  /** ms of GC pause since the last read (µs precision), then starts over. */
  read (): number {
    const pauseMs = this.#pauseMs
    this.#pauseMs = 0
    return Math.round(pauseMs * 1000) / 1000
  }
}
