import type { Clock } from '@tapjs/clock'
import { StatsD } from 'hot-shots'
import pino from 'pino'
import type { Test } from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { alertEngine, type AlertEngine } from '../../lib/alerts/alert-engine.ts'
import type { AlertNotice } from '../../lib/alerts/alert-notice.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import type { BurnSource, ResolvedBurnRateAlert } from '../../lib/slo/burn-source.ts'
import type { AlertsOptions } from '../../lib/types.ts'
import { fakeClock } from './fake-clock.ts'
import { createLogSink, type LogSink } from './log-sink.ts'

/** A Wednesday, midnight UTC: the fake clock starts here rather than at the epoch. */
export const T0 = Date.UTC(2026, 11, 2)

export interface AlertHarness {
  readonly clock: Clock
  readonly aggregator: Aggregator
  readonly engine: AlertEngine
  /** vigie's logger: a real pino writing JSON lines, parsed. */
  readonly logs: LogSink
  /** What the dispatch was handed. */
  readonly notices: AlertNotice[]
  /** The StatsD lines sent (hot-shots in mock mode). */
  readonly sent: string[]
  readonly reports: Array<{ subsystem: string, err: unknown }>
  /** Moves the fake clock by `ms`, one evaluation interval at a time: the engine's timer evaluates at each. */
  readonly advance: (ms: number) => void
  /** The alert lines written so far (`alert firing`, `alert resolved`, …). */
  readonly alertLines: () => Array<Record<string, any>>
}

/**
 * An alert engine over a real aggregator, a real pino logger and a hot-shots client in mock
 * mode, on a fake clock started at T0; the options go through resolveOptions() as an app's do.
 */
export function alertHarness (t: Test, alerts: AlertsOptions, burnSources: readonly BurnSource[] = []): AlertHarness {
  const clock = fakeClock(t)
  clock.travel(T0)
  const resolved = resolveOptions({ alerts }, {}).alerts
  const aggregator = new Aggregator({ maxSeries: 500 })
  const logs = createLogSink()
  const logger = pino({ level: 'info' }, logs.stream)
  const statsd = new StatsD({ mock: true })
  const notices: AlertNotice[] = []
  const reports: Array<{ subsystem: string, err: unknown }> = []
  const engine = alertEngine(resolved, {
    aggregator,
    burnSources,
    dispatch: { notify: (notice) => notices.push(notice), close: async () => {} },
    logger,
    statsd,
    reporter: { report: (subsystem, err) => reports.push({ subsystem, err }) },
  })
  t.teardown(() => engine.close())
  const interval = resolved.evaluationIntervalMs
  return {
    clock,
    aggregator,
    engine,
    logs,
    notices,
    sent: statsd.mockBuffer as string[],
    reports,
    advance (ms) {
      for (let left = ms; left > 0; left -= interval) clock.advance(Math.min(interval, left))
    },
    alertLines: () => logs.lines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('alert ')),
  }
}

/** An SLO's events, one record per call, read back over any window: what the SLO tracker gives the engine. */
export class TestBurnSource implements BurnSource {
  readonly #events: Array<{ at: number, good: number, bad: number }> = []

  readonly name: string
  readonly objective: number
  readonly windowMs: number
  readonly burnRateAlerts: readonly ResolvedBurnRateAlert[]

  constructor (name: string, objective: number, windowMs: number, burnRateAlerts: readonly ResolvedBurnRateAlert[]) {
    this.name = name
    this.objective = objective
    this.windowMs = windowMs
    this.burnRateAlerts = burnRateAlerts
  }

  record (good: number, bad: number): void {
    this.#events.push({ at: Date.now(), good, bad })
  }

  total (ms: number): number {
    const { good, bad } = this.#sum(ms)
    return good + bad
  }

  badRatio (ms: number): number | null {
    const { good, bad } = this.#sum(ms)
    return good + bad === 0 ? null : bad / (good + bad)
  }

  #sum (ms: number): { good: number, bad: number } {
    const since = Date.now() - ms
    let good = 0
    let bad = 0
    for (const event of this.#events) {
      if (event.at > since) {
        good += event.good
        bad += event.bad
      }
    }
    return { good, bad }
  }
}

const HOUR = 3_600_000
/** The Google SRE Workbook's table for a 30-day SLO. */
export const WORKBOOK_TABLE: readonly ResolvedBurnRateAlert[] = [
  { severity: 'page', factor: 14.4, longMs: HOUR, shortMs: 5 * 60_000 },
  { severity: 'page', factor: 6, longMs: 6 * HOUR, shortMs: 30 * 60_000 },
  { severity: 'ticket', factor: 3, longMs: 24 * HOUR, shortMs: 2 * HOUR },
  { severity: 'ticket', factor: 1, longMs: 72 * HOUR, shortMs: 6 * HOUR },
]
