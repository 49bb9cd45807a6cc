import type { Aggregator, WindowReading } from '../aggregate/aggregator.ts'
import type { CounterStats, GaugeStats, TimingStats } from '../aggregate/types.ts'
import { RATIO_KINDS, STAT_KINDS, type ResolvedThresholdRule, type SeriesFilter } from '../options/resolve-alerts.ts'

/** A threshold rule's value over its window, and how many events it rests on (for `minCount`). */
export interface RuleReading {
  /** null: nothing to read (a metric never seen, a window without a value, a ratio over 0). */
  readonly value: number | null
  /** Increments of a counter, timings, gauge samples; for a ratio, the denominator's count. */
  readonly count: number
}

const NOTHING: RuleReading = Object.freeze({ value: null, count: 0 })

/** Reads one threshold rule from the aggregator (Aggregator#readWindow()). */
export function readRule (aggregator: Aggregator, rule: ResolvedThresholdRule): RuleReading {
  const source = rule.source
  if (source.type === 'ratio') {
    const denominator = countOf(readSide(aggregator, source.denominator, rule.windowMs))
    if (denominator === null || denominator <= 0) return { value: null, count: denominator ?? 0 }
    // A numerator never seen (no 5xx answer yet) counts 0.
    const numerator = countOf(readSide(aggregator, source.numerator, rule.windowMs)) ?? 0
    return { value: numerator / denominator, count: denominator }
  }
  const stat = rule.stat as keyof typeof STAT_KINDS
  const reading = aggregator.readWindow(source.metric, STAT_KINDS[stat], source.tags, rule.windowMs)
  if (reading === null || reading.stats === null) return NOTHING
  switch (reading.kind) {
    case 'counter': {
      const stats = reading.stats as CounterStats
      return { value: stat === 'rate' ? stats.ratePerSecond : stats.count, count: stats.count }
    }
    case 'timing': {
      const stats = reading.stats as TimingStats
      return { value: stat === 'p50' ? stats.median : stats[stat as 'count' | 'mean' | 'min' | 'max' | 'p90' | 'p95' | 'p99'], count: stats.count }
    }
    case 'gauge': {
      const stats = reading.stats as GaugeStats
      return { value: stats[stat as 'last' | 'mean' | 'min' | 'max'], count: stats.samples }
    }
  }
}

function readSide (aggregator: Aggregator, side: SeriesFilter, windowMs: number): WindowReading | null {
  return aggregator.readWindow(side.metric, RATIO_KINDS, side.tags, windowMs)
}

/** The events a count side holds: null when its metric was never seen. */
function countOf (reading: WindowReading | null): number | null {
  if (reading === null) return null
  if (reading.stats === null) return 0
  return (reading.stats as CounterStats | TimingStats).count
}
