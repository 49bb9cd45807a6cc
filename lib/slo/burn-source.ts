import type { AlertSeverity } from '../types.ts'

/** One line of an SLO's burn-rate table, windows in ms. */
export interface ResolvedBurnRateAlert {
  readonly severity: AlertSeverity
  readonly factor: number
  readonly longMs: number
  readonly shortMs: number
}

/** What the alert engine reads of one SLO to evaluate its burn-rate rules. */
export interface BurnSource {
  readonly name: string
  /** A percentage in (0, 100). */
  readonly objective: number
  readonly windowMs: number
  /** Its burn-rate table (the default, scaled, or the SLO's own); empty for `burnRateAlerts: false`. */
  readonly burnRateAlerts: readonly ResolvedBurnRateAlert[]
  /** Events (good and bad) over the last `ms`. */
  total: (ms: number) => number
  /** Bad ÷ total over the last `ms`; null when there was no event. */
  badRatio: (ms: number) => number | null
}
