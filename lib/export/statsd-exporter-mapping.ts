import { METRIC_NAMES } from '../metrics/request-metrics.ts'
import { PROCESS_METRIC_NAMES } from '../metrics/process-metric-names.ts'
import { SLO_METRIC_NAMES } from '../slo/slo-gauges.ts'
import { DURATION_BUCKETS, prometheusName, sanitizeName } from './prometheus-names.ts'

const COUNTERS = [METRIC_NAMES.request, METRIC_NAMES.exception, METRIC_NAMES.clientRequest, METRIC_NAMES.dbQuery, METRIC_NAMES.metricsDropped, 'alert.transition', 'alert.notification_failed']
const TIMINGS = [METRIC_NAMES.responseTime, METRIC_NAMES.clientResponseTime, METRIC_NAMES.dbQueryResponseTime, METRIC_NAMES.dbTime]
const GAUGES = [...Object.values(PROCESS_METRIC_NAMES), ...Object.values(SLO_METRIC_NAMES)]

/**
 * A mapping file for prometheus/statsd_exporter that turns vigie's StatsD lines (with
 * `statsd.prefix`, DogStatsD tags) into the series the exported rules read: counters as
 * `_total`, timings as histograms (never summaries, which cannot be added up across instances)
 * with the buckets of vigie's own `/metrics`. Lines it does not match keep statsd_exporter's
 * default names.
 */
export function statsdExporterMapping (prefix: string): Record<string, unknown> {
  const match = (metric: string): string => `${prefix}${metric}`
  const mappings: Array<Record<string, unknown>> = [
    ...COUNTERS.map((metric) => ({ match: match(metric), name: prometheusName(metric, 'counter') })),
    ...TIMINGS.map((metric) => ({
      match: match(metric),
      name: prometheusName(metric, 'timing'),
      observer_type: 'histogram',
      histogram_options: { buckets: [...DURATION_BUCKETS] },
    })),
    ...GAUGES.map((metric) => ({ match: match(metric), name: sanitizeName(metric) })),
  ]
  return {
    defaults: { observer_type: 'histogram', histogram_options: { buckets: [...DURATION_BUCKETS] } },
    mappings,
  }
}
