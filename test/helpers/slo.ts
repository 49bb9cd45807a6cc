import type { Test } from 'tap'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import { sloFeature, type SloFeature, type SloFeatureOptions } from '../../lib/slo/slo-feature.ts'
import type { SloDefinition } from '../../lib/types.ts'

/** A minute boundary, so that whole minutes of fake time are whole minutes of counts. */
export const EPOCH = Date.UTC(2026, 0, 1)
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** Warnings and failures the feature reported. */
export interface Reports {
  readonly warnings: Array<{ key: string, msg: string, details: object }>
  readonly failures: Array<{ subsystem: string, err: unknown }>
}

/** The SLO feature over `slos` as resolveOptions() checks them, with a reporter that keeps what it is told; closed with the test. */
export function trackSlos (t: Test, slos: SloDefinition[], options: Partial<Omit<SloFeatureOptions, 'store'>> & { store?: string, writeIntervalMs?: number } = {}): SloFeature & { reports: Reports, end: (controller: string, status: number, durationMs?: number) => void } {
  const resolved = resolveOptions({ slos, slo: { store: options.store, writeIntervalMs: options.writeIntervalMs } }, {})
  const reports: Reports = { warnings: [], failures: [] }
  const { store: _store, writeIntervalMs: _interval, ...rest } = options
  const feature = sloFeature(resolved.slos, {
    statsd: { gauge: () => {} },
    tagFormat: 'datadog',
    ...rest,
    store: resolved.slo,
    reporter: {
      warnOnce: (key, msg, details = {}) => reports.warnings.push({ key, msg, details }),
      report: (subsystem, err) => reports.failures.push({ subsystem, err }),
    },
  })
  t.teardown(() => feature.close())
  return {
    ...feature,
    reports,
    end: (controller, status, durationMs = 10) => feature.subscriber.requestEnded!(controller, 'GET', status, durationMs),
  }
}

/** `n` requests ending now with `status`. */
export function times (n: number, fn: () => void): void {
  for (let i = 0; i < n; i++) fn()
}
