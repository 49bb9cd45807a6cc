import type { Aggregator } from '../aggregate/aggregator.ts'
import type { TagEntries } from '../aggregate/series-tags.ts'
import { SHORT_BUCKET_MS, SHORT_BUCKETS } from '../aggregate/time-buckets.ts'
import type { CounterStats, GaugeStats, HistoryPoint, SeriesSnapshot, Snapshot, TimingStats } from '../aggregate/types.ts'
import { METRIC_NAMES } from '../metrics/request-metrics.ts'
import { PROCESS_METRIC_NAMES } from '../metrics/process-metric-names.ts'
import type { AlertStatus, BurnRateWindow, FingerprintStats, MetricsDropped, SloStatus, TopQueries } from '../types.ts'
import type { RecentException } from './recent-exceptions.ts'

/** The SLO tracker's and the alert engine's current state, and the query fingerprints, as the dashboard reads them. */
export interface StatusProviders {
  slos (): readonly SloStatus[]
  alerts (): readonly AlertStatus[]
  /** The fingerprint table's top statements by total time (`app.vigie.queries()`), highest first. */
  queries (): TopQueries
}

/** What the dashboard reads: an Observer fits. */
export interface DashboardSource extends StatusProviders {
  readonly aggregator: Pick<Aggregator, 'history' | 'snapshot' | 'readWindow'> | null
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

/** Database queries over the charts' 5 minutes, from `db.query` and `db.query.response_time`. */
export interface QueryFigures {
  /** Queries sent. */
  queries: number
  perSecond: number
  /** Queries that failed (`outcome:error`). */
  errors: number
  /** Over every series (operation, outcome, route) merged; null when there was no query. */
  responseTimeMs: Record<'p50' | 'p90' | 'p99', number | null>
}

/** One statement fingerprint, from the fingerprint table (figures since the app started, or since it was last admitted). */
export interface SlowQueryRow {
  /** The fingerprint (no literal value), cut to {@link MAX_FINGERPRINT_CHARS} characters. */
  fingerprint: string
  system: 'postgresql' | 'mysql'
  count: number
  totalMs: number
  meanMs: number
  maxMs: number
  p90Ms: number
  errors: number
  /** Rows returned or affected, summed; null when the driver never said. */
  rows: number | null
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
  database: {
    /** Every query; zeros and nulls with aggregation off. */
    all: QueryFigures
    /** Per `db_system`, only those with queries in the window. */
    bySystem: Array<QueryFigures & { system: 'postgresql' | 'mysql' }>
    /** The {@link MAX_SLOWEST_QUERIES} fingerprints of most total time, highest first. Filled with aggregation off too. */
    slowestQueries: SlowQueryRow[]
    /** The queries of every fingerprint not listed: pushed out of the table, or beyond the cap. */
    other: { fingerprints: number, count: number, totalMs: number, errors: number }
  }
}

/** The most SLOs `data.json` lists. */
export const MAX_SLOS = 50
/** The most alert rules `data.json` lists. */
export const MAX_ALERTS = 200
/** The most query fingerprints `data.json` lists. */
export const MAX_SLOWEST_QUERIES = 20
/** Longer fingerprints are cut, and end with `…`. */
export const MAX_FINGERPRINT_CHARS = 300
const DB_SYSTEMS = ['postgresql', 'mysql'] as const
const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = ['5m', '30m', '1h', '2h', '6h', '1d', '3d']
const STATE_ORDER: Readonly<Record<AlertStatus['state'], number>> = { firing: 0, pending: 1, ok: 2 }
const SEVERITY_ORDER: Readonly<Record<AlertStatus['severity'], number>> = { page: 0, ticket: 1, info: 2 }

const RESOLUTION = '10s'
const RESOLUTION_SECONDS = 10
const WINDOW = '5m'
const TOP_CONTROLLERS = 10
const STATUS_CLASSES: readonly StatusClass[] = ['2xx', '3xx', '4xx', '5xx']
const PROCESS_PREFIX = 'process.'
// The charts' span: readWindow() then adds up the same 30 buckets of 10 s.
const QUERY_WINDOW_MS = (SHORT_BUCKETS - 1) * SHORT_BUCKET_MS
const NO_TAGS: TagEntries = []

/** Everything the page shows, JSON-safe, from the aggregator and the recent exceptions. */
export function buildDashboardData (source: DashboardSource, now: () => number = Date.now): DashboardData {
  const aggregator = source.aggregator
  const exceptions = [...source.recentExceptions()]
  const metricsDropped = source.metricsDropped()
  const status = statusLists(source)
  const fingerprints = queryLists(source)
  if (aggregator === null) {
    return { ...emptyData(now(), exceptions, metricsDropped), ...status, database: { all: noQueries(), bySystem: [], ...fingerprints } }
  }

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
    database: { ...databaseFigures(aggregator), ...fingerprints },
  }
}

/**
 * Every query's figures, and each system's. A timing read merges every series' sketches over 30
 * buckets (about 1 ms for 100 series): a system's own are read only when there are two, since
 * with one they are the same as all's.
 */
function databaseFigures (aggregator: Pick<Aggregator, 'readWindow'>): Pick<DashboardData['database'], 'all' | 'bySystem'> {
  const all = queryFigures(aggregator, NO_TAGS)
  if (all.queries === 0) return { all, bySystem: [] }
  const systems = DB_SYSTEMS.filter((system) => countIn(aggregator, [['db_system', system]]) > 0)
  return {
    all,
    bySystem: systems.length === 1
      ? [{ system: systems[0]!, ...all }]
      : systems.map((system) => ({ system, ...queryFigures(aggregator, [['db_system', system]]) })),
  }
}

/** `db.query`'s count over the window, in the series whose tags include `tags`. */
function countIn (aggregator: Pick<Aggregator, 'readWindow'>, tags: TagEntries): number {
  const stats = aggregator.readWindow(METRIC_NAMES.dbQuery, ['counter'], tags, QUERY_WINDOW_MS)?.stats as CounterStats | null | undefined
  return stats?.count ?? 0
}

/**
 * The queries of the series whose tags include `tags`, over the charts' 30 buckets: counted and
 * timed by the aggregator's own window read (every series added up, timing sketches merged).
 */
function queryFigures (aggregator: Pick<Aggregator, 'readWindow'>, tags: TagEntries): QueryFigures {
  const counted = aggregator.readWindow(METRIC_NAMES.dbQuery, ['counter'], tags, QUERY_WINDOW_MS)?.stats as CounterStats | null | undefined
  if (counted == null || counted.count === 0) return noQueries()
  const timed = aggregator.readWindow(METRIC_NAMES.dbQueryResponseTime, ['timing'], tags, QUERY_WINDOW_MS)?.stats as TimingStats | null | undefined
  const timing = timed == null || timed.count === 0 ? null : timed
  return {
    queries: counted.count,
    perSecond: round(counted.ratePerSecond),
    errors: countIn(aggregator, [...tags, ['outcome', 'error']]),
    responseTimeMs: {
      p50: timing === null ? null : round(timing.median),
      p90: timing === null ? null : round(timing.p90),
      p99: timing === null ? null : round(timing.p99),
    },
  }
}

function noQueries (): QueryFigures {
  return { queries: 0, perSecond: 0, errors: 0, responseTimeMs: { p50: null, p90: null, p99: null } }
}

/**
 * The first {@link MAX_SLOWEST_QUERIES} fingerprints of the provider's (already by total time),
 * copied field by field and their fingerprints cut; the rest summed into `other` with the
 * provider's own.
 */
function queryLists (source: StatusProviders): Pick<DashboardData['database'], 'slowestQueries' | 'other'> {
  const top = source.queries()
  const rest = top.queries.slice(MAX_SLOWEST_QUERIES)
  const other = {
    fingerprints: countOf(top.other.fingerprints) + rest.length,
    count: countOf(top.other.count),
    totalMs: finiteOr0(top.other.totalMs),
    errors: countOf(top.other.errors),
  }
  for (const stats of rest) {
    other.count += countOf(stats.count)
    other.totalMs += finiteOr0(stats.totalMs)
    other.errors += countOf(stats.errors)
  }
  other.totalMs = round(other.totalMs)
  return { slowestQueries: top.queries.slice(0, MAX_SLOWEST_QUERIES).map(copyQuery), other }
}

function copyQuery (stats: FingerprintStats): SlowQueryRow {
  return {
    fingerprint: cut(String(stats.fingerprint), MAX_FINGERPRINT_CHARS),
    system: stats.system === 'mysql' ? 'mysql' : 'postgresql',
    count: countOf(stats.count),
    totalMs: round(finiteOr0(stats.totalMs)),
    meanMs: round(finiteOr0(stats.meanMs)),
    maxMs: round(finiteOr0(stats.maxMs)),
    p90Ms: round(finiteOr0(stats.p90Ms)),
    errors: countOf(stats.errors),
    rows: typeof stats.rows === 'number' && Number.isFinite(stats.rows) ? stats.rows : null,
  }
}

/** `text` cut to `max` characters, the last one `…`, never between the two halves of a surrogate pair. */
function cut (text: string, max: number): string {
  if (text.length <= max) return text
  const code = text.charCodeAt(max - 2)
  return `${text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 2 : max - 1)}…`
}

function finiteOr0 (value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

function countOf (value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
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

function emptyData (at: number, exceptions: RecentException[], metricsDropped: MetricsDropped | null): Omit<DashboardData, 'slos' | 'alerts' | 'omitted' | 'database'> {
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
