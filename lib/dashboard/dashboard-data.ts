import type { Aggregator } from '../aggregate/aggregator.js'
import type { CounterStats, GaugeStats, HistoryPoint, SeriesSnapshot, Snapshot, TimingStats } from '../aggregate/types.js'
import { METRIC_NAMES } from '../metrics/request-metrics.js'
import { PROCESS_METRIC_NAMES } from '../metrics/process-metric-names.js'
import type { AlertStatus, BurnRateWindow, MetricsDropped, SloStatus } from '../types.js'
import type { RecentException } from './recent-exceptions.js'

/** The SLO tracker's and the alert engine's current state, as the dashboard reads it. */
export interface StatusProviders {
  slos (): readonly SloStatus[]
  alerts (): readonly AlertStatus[]
}

/** What the dashboard reads: an Observer fits. */
export interface DashboardSource extends StatusProviders {
  readonly aggregator: Pick<Aggregator, 'history' | 'snapshot'> | null
  recentExceptions (): readonly RecentException[]
  /** `snapshot().metricsDropped`. */
  metricsDropped (): MetricsDropped | null
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx'

export interface ControllerRow {
  controller: string
  requests: number
  perSecond: number
  /** 4xx answers. */
  clientErrors: number
  /** 5xx answers. */
  serverErrors: number
  /** serverErrors ÷ requests. */
  errorRate: number
}

/** The JSON the dashboard page polls (`<path>/data.json`); see docs/dashboard.md. */
export interface DashboardData {
  version: 1
  /** Epoch ms when built. */
  at: number
  /** False when the `aggregation` option is off: only `exceptions` is filled then. */
  aggregation: boolean
  resolutionSeconds: number
  /** The window of `statusClasses` and `controllers`. */
  window: '5m'
  timeline: {
    /** Start of each bucket, epoch seconds, oldest first (the current, partial bucket last). */
    time: number[]
    requestsPerSecond: Record<'total' | StatusClass, number[]>
    responseTimeMs: Record<'p50' | 'p90' | 'p99', Array<number | null>>
  }
  statusClasses: { total: number, counts: Record<StatusClass | 'other', number> }
  controllers: { busiest: ControllerRow[], failing: ControllerRow[] }
  exceptions: RecentException[]
  process: {
    /** The latest value of every `process.*` gauge, by metric name. */
    latest: Record<string, number>
    timeline: {
      time: number[]
      heapUsedBytes: Array<number | null>
      rssBytes: Array<number | null>
      eventLoopDelayP99Ms: Array<number | null>
    }
  }
  series: { count: number, maxSeries: number, evictedSeries: number }
  /** Request lines vigie's StatsD socket could not send, by reason; null when hot-shots sends them. Filled with aggregation off too. */
  metricsDropped: MetricsDropped | null
  /** The first {@link MAX_SLOS} SLOs, in the order they are declared. Filled with aggregation off too. */
  slos: SloStatus[]
  /** At most {@link MAX_ALERTS} alert rules: firing first, then pending, then ok. Filled with aggregation off too. */
  alerts: AlertStatus[]
  /** How many SLOs and alert rules were left out of `slos` and `alerts` by their caps. */
  omitted: { slos: number, alerts: number }
}

/** The most SLOs `data.json` lists. */
export const MAX_SLOS = 50
/** The most alert rules `data.json` lists. */
export const MAX_ALERTS = 200
const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = ['5m', '30m', '1h', '2h', '6h', '1d', '3d']
const STATE_ORDER: Readonly<Record<AlertStatus['state'], number>> = { firing: 0, pending: 1, ok: 2 }
const SEVERITY_ORDER: Readonly<Record<AlertStatus['severity'], number>> = { page: 0, ticket: 1, info: 2 }

const RESOLUTION = '10s'
const RESOLUTION_SECONDS = 10
const WINDOW = '5m'
const TOP_CONTROLLERS = 10
const STATUS_CLASSES: readonly StatusClass[] = ['2xx', '3xx', '4xx', '5xx']
const PROCESS_PREFIX = 'process.'

/** Everything the page shows, JSON-safe, from the aggregator and the recent exceptions. */
export function buildDashboardData (source: DashboardSource, now: () => number = Date.now): DashboardData {
  const aggregator = source.aggregator
  const exceptions = [...source.recentExceptions()]
  const metricsDropped = source.metricsDropped()
  const status = statusLists(source)
  if (aggregator === null) return { ...emptyData(now(), exceptions, metricsDropped), ...status }

  const snapshot = aggregator.snapshot()
  const requests = aggregator.history(METRIC_NAMES.request, RESOLUTION)
  const requestsByClass = aggregator.history(METRIC_NAMES.request, RESOLUTION, 'http_status_class')
  const latency = aggregator.history(METRIC_NAMES.responseTime, RESOLUTION)
  // Without grouping, the '' group is always there, one point per bucket.
  const time = (requests.groups[''] ?? []).map((point) => point.start)
  const rate = (points: readonly HistoryPoint[] | undefined): number[] => {
    const byStart = indexByStart(points)
    return time.map((start) => {
      const stats = byStart.get(start) as CounterStats | null | undefined
      return stats == null ? 0 : round(stats.ratePerSecond)
    })
  }
  const timing = (pick: (stats: TimingStats) => number): Array<number | null> => {
    const byStart = indexByStart(latency.groups[''])
    return time.map((start) => {
      const stats = byStart.get(start) as TimingStats | null | undefined
      return stats == null || stats.count === 0 ? null : round(pick(stats))
    })
  }
  const gauge = (name: string): Array<number | null> => {
    const byStart = indexByStart(aggregator.history(name, RESOLUTION).groups[''])
    return time.map((start) => {
      const stats = byStart.get(start) as GaugeStats | null | undefined
      return stats == null || stats.samples === 0 ? null : stats.last
    })
  }

  return {
    version: 1,
    at: snapshot.at,
    aggregation: true,
    resolutionSeconds: RESOLUTION_SECONDS,
    window: WINDOW,
    timeline: {
      time: time.map((start) => start / 1000),
      requestsPerSecond: {
        total: rate(requests.groups['']),
        '2xx': rate(requestsByClass.groups['2xx']),
        '3xx': rate(requestsByClass.groups['3xx']),
        '4xx': rate(requestsByClass.groups['4xx']),
        '5xx': rate(requestsByClass.groups['5xx']),
      },
      responseTimeMs: {
        p50: timing((s) => s.median),
        p90: timing((s) => s.p90),
        p99: timing((s) => s.p99),
      },
    },
    statusClasses: statusClasses(snapshot),
    controllers: controllers(snapshot),
    exceptions,
    process: {
      latest: latestGauges(snapshot),
      timeline: {
        time: time.map((start) => start / 1000),
        heapUsedBytes: gauge(PROCESS_METRIC_NAMES.heapUsed),
        rssBytes: gauge(PROCESS_METRIC_NAMES.rss),
        eventLoopDelayP99Ms: gauge(PROCESS_METRIC_NAMES.eventLoopDelayP99),
      },
    },
    series: { count: snapshot.series.length, maxSeries: snapshot.maxSeries, evictedSeries: snapshot.evictedSeries },
    metricsDropped,
    ...status,
  }
}

/**
 * The SLOs and alerts, capped and copied field by field (a provider's live objects are never
 * serialized as they are): the SLOs in their declared order, the alerts by state (firing,
 * pending, ok), then severity (page, ticket, info), then name.
 */
function statusLists (source: StatusProviders): Pick<DashboardData, 'slos' | 'alerts' | 'omitted'> {
  const slos = source.slos()
  const alerts = [...source.alerts()].sort((a, b) =>
    (STATE_ORDER[a.state] ?? 3) - (STATE_ORDER[b.state] ?? 3) ||
    (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return {
    slos: slos.slice(0, MAX_SLOS).map(copySlo),
    alerts: alerts.slice(0, MAX_ALERTS).map(copyAlert),
    omitted: { slos: Math.max(0, slos.length - MAX_SLOS), alerts: Math.max(0, alerts.length - MAX_ALERTS) },
  }
}

function copySlo (slo: SloStatus): SloStatus {
  const burnRates = {} as Record<BurnRateWindow, number | null>
  for (const window of BURN_RATE_WINDOWS) burnRates[window] = finiteOrNull(slo.burnRates?.[window])
  return {
    name: String(slo.name),
    objective: slo.objective,
    window: slo.window,
    good: slo.good,
    total: slo.total,
    sli: finiteOrNull(slo.sli),
    errorBudget: { remaining: finiteOrNull(slo.errorBudget?.remaining) },
    burnRates,
    coverage: slo.coverage,
  }
}

function copyAlert (alert: AlertStatus): AlertStatus {
  return { name: String(alert.name), state: alert.state, since: alert.since, value: finiteOrNull(alert.value), severity: alert.severity }
}

/** JSON has no Infinity nor NaN: null, which the page shows as "–". */
function finiteOrNull (value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function indexByStart (points: readonly HistoryPoint[] | undefined): Map<number, HistoryPoint['stats']> {
  const byStart = new Map<number, HistoryPoint['stats']>()
  for (const point of points ?? []) byStart.set(point.start, point.stats)
  return byStart
}

function windowCount (series: SeriesSnapshot): number {
  const stats = series.windows[WINDOW] as CounterStats | null
  return stats === null ? 0 : stats.count
}

function requestCounters (snapshot: Snapshot): SeriesSnapshot[] {
  return snapshot.series.filter((series) => series.kind === 'counter' && series.name === METRIC_NAMES.request)
}

function statusClasses (snapshot: Snapshot): DashboardData['statusClasses'] {
  const counts: Record<StatusClass | 'other', number> = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 }
  let total = 0
  for (const series of requestCounters(snapshot)) {
    const count = windowCount(series)
    const statusClass = series.tags.http_status_class as StatusClass
    total += count
    if (STATUS_CLASSES.includes(statusClass)) counts[statusClass] += count
    else counts.other += count
  }
  return { total, counts }
}

function controllers (snapshot: Snapshot): DashboardData['controllers'] {
  const rows = new Map<string, ControllerRow>()
  for (const series of requestCounters(snapshot)) {
    const stats = series.windows[WINDOW] as CounterStats | null
    if (stats === null || stats.count === 0) continue
    const name = series.tags.controller ?? ''
    let row = rows.get(name)
    if (row === undefined) {
      row = { controller: name, requests: 0, perSecond: 0, clientErrors: 0, serverErrors: 0, errorRate: 0 }
      rows.set(name, row)
    }
    row.requests += stats.count
    row.perSecond += stats.ratePerSecond
    if (series.tags.http_status_class === '4xx') row.clientErrors += stats.count
    if (series.tags.http_status_class === '5xx') row.serverErrors += stats.count
  }
  const all = [...rows.values()]
  for (const row of all) {
    row.perSecond = round(row.perSecond)
    row.errorRate = round(row.serverErrors / row.requests)
  }
  const byName = (a: ControllerRow, b: ControllerRow): number => (a.controller < b.controller ? -1 : a.controller > b.controller ? 1 : 0)
  return {
    busiest: [...all].sort((a, b) => b.requests - a.requests || byName(a, b)).slice(0, TOP_CONTROLLERS),
    failing: all.filter((row) => row.serverErrors > 0)
      .sort((a, b) => b.serverErrors - a.serverErrors || b.errorRate - a.errorRate || byName(a, b))
      .slice(0, TOP_CONTROLLERS),
  }
}

/** The newest value of each `process.*` gauge (from the shortest window that has one). */
function latestGauges (snapshot: Snapshot): Record<string, number> {
  const latest = Object.create(null) as Record<string, number>
  for (const series of snapshot.series) {
    if (series.kind !== 'gauge' || !series.name.startsWith(PROCESS_PREFIX) || series.name in latest) continue
    const windows = series.windows
    // A snapshot lists only series with a record in the last 60 minutes: one window has it.
    latest[series.name] = ((windows['1m'] ?? windows['5m'] ?? windows['15m'] ?? windows['60m']) as GaugeStats).last
  }
  return latest
}

function emptyData (at: number, exceptions: RecentException[], metricsDropped: MetricsDropped | null): Omit<DashboardData, 'slos' | 'alerts' | 'omitted'> {
  return {
    version: 1,
    at,
    aggregation: false,
    resolutionSeconds: RESOLUTION_SECONDS,
    window: WINDOW,
    timeline: {
      time: [],
      requestsPerSecond: { total: [], '2xx': [], '3xx': [], '4xx': [], '5xx': [] },
      responseTimeMs: { p50: [], p90: [], p99: [] },
    },
    statusClasses: { total: 0, counts: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 } },
    controllers: { busiest: [], failing: [] },
    exceptions,
    process: { latest: {}, timeline: { time: [], heapUsedBytes: [], rssBytes: [], eventLoopDelayP99Ms: [] } },
    series: { count: 0, maxSeries: 0, evictedSeries: 0 },
    metricsDropped,
  }
}

function round (value: number): number {
  return Math.round(value * 1000) / 1000
}
