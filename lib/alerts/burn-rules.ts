import { describeMs } from '../options/duration.ts'
import type { BurnSource, ResolvedBurnRateAlert } from '../slo/burn-source.ts'
import type { AlertSeverity } from '../types.ts'

/** One line of an SLO's burn-rate table, as a rule of its own. */
export interface BurnRule {
  /** `slo:<slo>:<severity>:<long>/<short>`, e.g. `slo:checkout:page:1h/5m`. */
  readonly name: string
  readonly severity: AlertSeverity
  /** The burn rate both windows must be over. */
  readonly factor: number
  readonly long: string
  readonly short: string
  readonly line: ResolvedBurnRateAlert
  readonly source: BurnSource
}

/** The burn rates of a rule's two windows: the bad ratio ÷ (1 − objective); null without events. */
export interface BurnReading {
  readonly long: number | null
  readonly short: number | null
}

/**
 * A rule per line of each SLO's table, named `slo:<slo>:<severity>:<long>/<short>`. The `:` keeps
 * them apart from threshold rules (whose names cannot hold one); a line that repeats another's
 * severity and windows gets `:2`, `:3`… after its name.
 */
export function burnRules (sources: readonly BurnSource[]): BurnRule[] {
  const rules: BurnRule[] = []
  const names = new Set<string>()
  for (const source of sources) {
    for (const line of source.burnRateAlerts) {
      const long = describeMs(line.longMs)
      const short = describeMs(line.shortMs)
      const base = `slo:${source.name}:${line.severity}:${long}/${short}`
      let name = base
      for (let n = 2; names.has(name); n++) name = `${base}:${n}`
      names.add(name)
      rules.push(Object.freeze({ name, severity: line.severity, factor: line.factor, long, short, line, source }))
    }
  }
  return rules
}

/**
 * Relative slack on the comparison: the workbook's rates are where a share of the budget is spent
 * (2 % in an hour is 14.4), and a bad ratio of exactly that share must reach the rate whatever the
 * rounding of the division (0.0144 / 0.001 is 14.399999999999999 in doubles).
 */
const ROUNDING = 1e-9

/** Whether a burn rate reaches `factor`: at or over it, rounding aside. */
export function reaches (burn: number | null, factor: number): boolean {
  return burn !== null && burn >= factor * (1 - ROUNDING)
}

/** Reads both windows of a burn-rate rule. */
export function readBurn (rule: BurnRule): BurnReading {
  const budget = (100 - rule.source.objective) / 100
  const long = rule.source.badRatio(rule.line.longMs)
  const short = rule.source.badRatio(rule.line.shortMs)
  return { long: long === null ? null : long / budget, short: short === null ? null : short / budget }
}
