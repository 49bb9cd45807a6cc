import type { ResolvedSlo } from '../options/resolve-options.ts'
import type { BurnRateWindow, Duration, SloStatus } from '../types.ts'
import type { BurnSource } from './burn-source.ts'
import { MinuteCounts } from './minute-counts.ts'

export const MINUTE_MS = 60_000
/** HTTP status vigie counts a request under when the client went away before the answer. */
const CLIENT_CLOSED_STATUS = 499

/** The windows `SloStatus.burnRates` reports, in minutes. */
export const BURN_RATE_WINDOWS: ReadonlyArray<readonly [BurnRateWindow, number]> = Object.freeze([
  ['5m', 5], ['30m', 30], ['1h', 60], ['2h', 120], ['6h', 360], ['1d', 1440], ['3d', 4320],
] as const)

/** A span of `ms` in whole minutes, from 1 to `max`. */
function spanOf (ms: number, max: number): number {
  return Math.min(max, Math.max(1, Math.round(ms / MINUTE_MS)))
}

/**
 * One SLO: which requests it counts, and what is good; its minute counts, and what is read of
 * them (its status, its burn source for the alert engine).
 */
export class SloTracker {
  readonly slo: ResolvedSlo
  readonly counts: MinuteCounts
  /** Good and total budget fraction: 1 − objective/100. */
  readonly #allowed: number
  readonly #controllers: ReadonlySet<string> | null
  /** Latency: the threshold; availability: null. */
  readonly #thresholdMs: number | null
  /** What this process counted since the last takeUnshared(): what a cluster's other workers have not seen. */
  #unsharedGood = 0
  #unsharedTotal = 0

  constructor (slo: ResolvedSlo, minute: number) {
    this.slo = slo
    const minutes = slo.windowMs / MINUTE_MS
    const spans = [
      ...BURN_RATE_WINDOWS.map(([, span]) => span),
      ...slo.burnRateAlerts.flatMap((line) => [spanOf(line.longMs, minutes), spanOf(line.shortMs, minutes)]),
    ]
    this.counts = new MinuteCounts(minutes, spans, minute)
    this.#allowed = 1 - slo.objective / 100
    this.#controllers = slo.controllers
    this.#thresholdMs = slo.sli.kind === 'latency' ? slo.sli.thresholdMs : null
  }

  /** What identifies its counts in a store: what decides which events count and how (not the objective, nor the alerts). */
  get identity (): string {
    const { name, windowMs, sli, controllers } = this.slo
    return JSON.stringify({ name, windowMs, sli, controllers: controllers === null ? null : [...controllers].sort() })
  }

  /** A counted request that ended at `minute`. Aborted requests (499) are left out: the client never waited for the answer. */
  record (minute: number, controller: string, statusCode: number, durationMs: number): void {
    if (statusCode === CLIENT_CLOSED_STATUS) return
    if (this.#controllers !== null && !this.#controllers.has(controller)) return
    // Availability: answered and not 5xx. Latency: answered within the threshold, whatever the status.
    const threshold = this.#thresholdMs
    const good = threshold === null ? statusCode < 500 : durationMs <= threshold
    this.counts.add(minute, good)
    this.#unsharedTotal++
    if (good) this.#unsharedGood++
  }

  /** The events counted here since the last call. */
  takeUnshared (): { good: number, total: number } {
    const taken = { good: this.#unsharedGood, total: this.#unsharedTotal }
    this.#unsharedGood = this.#unsharedTotal = 0
    return taken
  }

  status (minute: number): SloStatus {
    const counts = this.counts
    counts.advance(minute, true)
    const window = counts.sum(counts.minutes)
    const burnRates = {} as Record<BurnRateWindow, number | null>
    for (const [name, span] of BURN_RATE_WINDOWS) burnRates[name] = span > counts.minutes ? null : this.#burnRate(counts.sum(span))
    return {
      name: this.slo.name,
      objective: this.slo.objective,
      window: this.slo.window as Duration,
      good: window.good,
      total: window.total,
      sli: window.total === 0 ? null : window.good / window.total,
      errorBudget: { remaining: window.total === 0 ? 1 : 1 - (window.total - window.good) / (window.total * this.#allowed) },
      burnRates,
      coverage: counts.coverage,
    }
  }

  /** What the alert engine reads, the clock read through `minuteNow`. */
  burnSource (minuteNow: () => number): BurnSource {
    const counts = this.counts
    const read = (ms: number): { good: number, total: number } => {
      counts.advance(minuteNow(), true)
      return counts.sum(spanOf(ms, counts.minutes))
    }
    return Object.freeze({
      name: this.slo.name,
      objective: this.slo.objective,
      windowMs: this.slo.windowMs,
      burnRateAlerts: this.slo.burnRateAlerts,
      total: (ms: number) => read(ms).total,
      badRatio: (ms: number) => {
        const { good, total } = read(ms)
        return total === 0 ? null : (total - good) / total
      },
    })
  }

  #burnRate ({ good, total }: { good: number, total: number }): number | null {
    return total === 0 ? null : (total - good) / total / this.#allowed
  }
}
