import { METRIC_NAMES } from '../metrics/request-metrics.ts'
import type { MetricKind } from '../types.ts'

/**
 * The histogram buckets of every timing, in seconds: vigie's `/metrics` and the
 * statsd_exporter mapping use the same, so rules read both the same way.
 */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])

/** Which names the exported rules read: vigie's own `/metrics`, or statsd_exporter's with the exported mapping. */
export type Flavour = 'vigie' | 'statsd-exporter'

/** vigie's metrics and their Prometheus names: counters end in `_total`, timings are histograms in seconds. */
const KNOWN: ReadonlyMap<string, string> = new Map([
  [METRIC_NAMES.request, 'http_requests_total'],
  [METRIC_NAMES.responseTime, 'http_request_duration_seconds'],
  [METRIC_NAMES.exception, 'http_request_exceptions_total'],
  [METRIC_NAMES.clientRequest, 'http_client_requests_total'],
  [METRIC_NAMES.clientResponseTime, 'http_client_request_duration_seconds'],
  [METRIC_NAMES.dbQuery, 'db_queries_total'],
  [METRIC_NAMES.dbQueryResponseTime, 'db_query_duration_seconds'],
  [METRIC_NAMES.dbTime, 'http_request_db_time_seconds'],
  [METRIC_NAMES.metricsDropped, 'vigie_metrics_dropped_total'],
])

/** vigie's status tags, as vigie's `/metrics` labels them (statsd_exporter keeps the tags' names). */
const VIGIE_LABELS: ReadonlyMap<string, string> = new Map([
  ['http_status', 'status'],
  ['http_status_class', 'status_class'],
])

/** A metric name made valid for Prometheus: `[a-zA-Z_:][a-zA-Z0-9_:]*`, `.` and `-` as `_`. */
export function sanitizeName (name: string): string {
  let out = ''
  for (const ch of name) out += /[A-Za-z0-9_]/.test(ch) ? ch : '_'
  return /^[0-9]/.test(out) || out === '' ? `_${out}` : out
}

/** The Prometheus name of a metric vigie aggregates, of `kind`. */
export function prometheusName (metric: string, kind: MetricKind): string {
  const known = KNOWN.get(metric)
  if (known !== undefined) return known
  const base = sanitizeName(metric)
  if (kind === 'counter') return base.endsWith('_total') ? base : `${base}_total`
  if (kind === 'timing') return `${base}_seconds`
  return base
}

/** The label name of a tag, for `flavour`. */
export function labelName (tag: string, flavour: Flavour): string {
  const name = flavour === 'vigie' ? VIGIE_LABELS.get(tag) ?? tag : tag
  return sanitizeName(name)
}
