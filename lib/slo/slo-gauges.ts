import type { StatsD } from 'hot-shots'
import { formatTag, type TagFormat } from '../metrics/tag-format.ts'
import type { SloStatus } from '../types.ts'
import { BURN_RATE_WINDOWS } from './slo-tracker.ts'

export const SLO_METRIC_NAMES = Object.freeze({
  sli: 'slo.sli',
  errorBudgetRemaining: 'slo.error_budget_remaining',
  burnRate: 'slo.burn_rate',
})

/**
 * Sends each SLO's status as gauges, tagged `slo:<name>` (and `window:<w>` for burn rates) after
 * `extraTags` (the `instance` tag); a value that is null is not sent.
 */
export function sloGaugeSender (client: Pick<StatsD, 'gauge'>, tagFormat: TagFormat, extraTags: readonly string[] = []): (statuses: readonly SloStatus[]) => void {
  const windowTags = new Map(BURN_RATE_WINDOWS.map(([name]) => [name, formatTag('window', name, tagFormat)]))
  const sloTags = new Map<string, string>()
  return (statuses) => {
    for (const status of statuses) {
      let slo = sloTags.get(status.name)
      if (slo === undefined) {
        slo = formatTag('slo', status.name, tagFormat)
        sloTags.set(status.name, slo)
      }
      if (status.sli !== null) client.gauge(SLO_METRIC_NAMES.sli, rounded(status.sli), [...extraTags, slo])
      if (status.errorBudget.remaining !== null) client.gauge(SLO_METRIC_NAMES.errorBudgetRemaining, rounded(status.errorBudget.remaining), [...extraTags, slo])
      for (const [window, tag] of windowTags) {
        const rate = status.burnRates[window]
        if (rate !== null) client.gauge(SLO_METRIC_NAMES.burnRate, rounded(rate), [...extraTags, slo, tag])
      }
    }
  }
}

/** Six decimals: a gauge line stays short, and a budget is read to the millionth. */
function rounded (value: number): number {
  return Math.round(value * 1e6) / 1e6
}
