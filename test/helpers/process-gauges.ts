import type { Test } from 'tap'
import { PROCESS_METRIC_NAMES } from '../../lib/metrics/process-metric-names.ts'

export const GAUGE_NAMES: readonly string[] = Object.values(PROCESS_METRIC_NAMES)

/** Every value received per process gauge name (StatsD gauge lines `name:value|g…`), oldest first. */
export function processGauges (lines: readonly string[], prefix = ''): Map<string, number[]> {
  const out = new Map<string, number[]>()
  for (const line of lines) {
    const match = /^([^:|]+):([^|]+)\|g(?:\||$)/.exec(line)
    if (match === null || !match[1]!.startsWith(`${prefix}process.`)) continue
    const name = match[1]!.slice(prefix.length)
    out.set(name, [...out.get(name) ?? [], Number(match[2])])
  }
  return out
}

/** True once at least one value of every process gauge has arrived. */
export function hasEveryGauge (lines: readonly string[], prefix = ''): boolean {
  const gauges = processGauges(lines, prefix)
  return GAUGE_NAMES.every((name) => gauges.has(name))
}

/** Asserts that the latest value of every gauge is plausible for a live Node process. */
export function assertPlausibleGauges (t: Test, lines: readonly string[], prefix = ''): void {
  const gauges = processGauges(lines, prefix)
  const last = (name: string): number => gauges.get(name)?.at(-1) ?? NaN
  t.same([...gauges.keys()].sort(), [...GAUGE_NAMES].sort(), 'every process gauge, and no other, is sent')
  const p50 = last(PROCESS_METRIC_NAMES.eventLoopDelayP50)
  const p99 = last(PROCESS_METRIC_NAMES.eventLoopDelayP99)
  t.ok(p50 >= 0 && p99 >= p50, `event-loop delay: 0 ≤ p50 (${p50}) ≤ p99 (${p99})`)
  t.ok(p99 < 10_000, `event-loop delay p99 is in ms, not ns (${p99})`)
  const heap = last(PROCESS_METRIC_NAMES.heapUsed)
  const rss = last(PROCESS_METRIC_NAMES.rss)
  t.ok(Number.isInteger(heap) && heap > 1_000_000, `heap used is a byte count (${heap})`)
  t.ok(rss >= heap, `rss (${rss}) ≥ heap used (${heap})`)
  const cpu = last(PROCESS_METRIC_NAMES.cpuPercent)
  t.ok(cpu >= 0 && cpu < 100 * 64, `cpu % is ≥ 0 (${cpu})`)
  const handles = last(PROCESS_METRIC_NAMES.activeHandles)
  t.ok(Number.isInteger(handles) && handles >= 0, `active handles is a count (${handles})`)
  t.ok(last(PROCESS_METRIC_NAMES.gcPause) >= 0, 'gc pause is ≥ 0')
  const disk = last(PROCESS_METRIC_NAMES.diskFree)
  t.ok(Number.isInteger(disk) && disk > 0, `disk free is a positive byte count (${disk})`)
}
