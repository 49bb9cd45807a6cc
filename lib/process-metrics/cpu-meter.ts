import { performance } from 'node:perf_hooks'

/**
 * CPU use between two reads: the process's user + system CPU time (`process.cpuUsage()`, every
 * thread of the process) ÷ the wall time elapsed, in %. 100 is one core fully busy; a process
 * whose threads keep several cores busy goes above 100.
 */
export class CpuMeter {
  #lastUsage = process.cpuUsage()
  #lastAt = performance.now()

  start (): void {
    this.#lastUsage = process.cpuUsage()
    this.#lastAt = performance.now()
  }

  /** % since the last read (or start), to 2 decimals; null if no time has passed. */
  read (): number | null {
    const usage = process.cpuUsage()
    const at = performance.now()
    const cpuMicros = usage.user - this.#lastUsage.user + usage.system - this.#lastUsage.system
    const elapsedMs = at - this.#lastAt
    this.#lastUsage = usage
    this.#lastAt = at
    if (!(elapsedMs > 0)) return null
    // µs of CPU ÷ (ms of wall × 1000) × 100.
    return Math.max(0, Math.round(cpuMicros / elapsedMs * 10) / 100)
  }
}
