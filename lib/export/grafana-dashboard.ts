import { createHash } from 'node:crypto'
import { describeMs } from '../options/duration.ts'
import type { ResolvedSlo } from '../options/resolve-slos.ts'
import { METRIC_NAMES } from '../metrics/request-metrics.ts'
import { PROCESS_METRIC_NAMES } from '../metrics/process-metric-names.ts'
import { prometheusName, sanitizeName, type Flavour } from './prometheus-names.ts'
import { quoteLabelValue, selector, type Matcher } from './promql.ts'

/** The dashboard schema of Grafana 11 (39 since Grafana 10.3); older Grafanas migrate nothing back, newer ones migrate it up. */
export const GRAFANA_SCHEMA_VERSION = 39
/** What every panel and target reads: the data source picked in the `datasource` variable. */
// eslint-disable-next-line no-template-curly-in-string -- Grafana's own variable syntax, not a template literal
export const DATASOURCE = Object.freeze({ type: 'prometheus', uid: '${datasource}' })
/** Grafana's longest uid. */
const MAX_UID = 40
const WIDTH = 24
const HEIGHT = 8

export interface DashboardInput {
  readonly slos: readonly ResolvedSlo[]
  /** The app's name: the title, the uid, `sloth_service` in the SLO rows. */
  readonly service: string
  readonly flavour: Flavour
}

interface Target { refId: string, datasource: typeof DATASOURCE, expr: string, legendFormat: string, range: true }
type Panel = Record<string, unknown>

/**
 * A Grafana dashboard over `input.flavour`'s series: requests, status classes, latency
 * percentiles, exceptions, database queries, a row per SLO over the recording rules of
 * `vigie export prometheus-rules`, and the process gauges. Every panel reads the `datasource`
 * variable; `controller` filters the request and query panels, `instance` the process gauges.
 * `notes` gets what the dashboard needs besides itself.
 */
export function grafanaDashboard (input: DashboardInput, notes: string[]): Record<string, unknown> {
  const flavour = input.flavour
  const controller: Matcher = ['controller', '=~', '$controller']
  const instance: Matcher = ['instance', '=~', '$instance']
  const requests = prometheusName(METRIC_NAMES.request, 'counter')
  const duration = prometheusName(METRIC_NAMES.responseTime, 'timing')
  const exceptions = prometheusName(METRIC_NAMES.exception, 'counter')
  const queries = prometheusName(METRIC_NAMES.dbQuery, 'counter')
  const queryDuration = prometheusName(METRIC_NAMES.dbQueryResponseTime, 'timing')
  const rate = (name: string): string => `rate(${selector(name, [], flavour, [controller])}[$__rate_interval])`
  const statusClass = sanitizeName(flavour === 'vigie' ? 'status_class' : 'http_status_class')
  const gauge = (metric: string): string => `max by (instance) (${selector(sanitizeName(metric), [], flavour, [instance])})`

  const layout = new Layout()
  layout.row('Requests')
  layout.panel('Requests per second, by controller', 'reqps', [[`sum by (controller) (${rate(requests)})`, '{{controller}}']])
  layout.panel('Answers per second, by status class', 'reqps', [[`sum by (${statusClass}) (${rate(requests)})`, `{{${statusClass}}}`]])
  layout.panel('Response time percentiles', 's', [0.5, 0.9, 0.99].map((q) => [`histogram_quantile(${q}, sum by (le) (${rate(`${duration}_bucket`)}))`, `p${q * 100}`]))
  layout.panel('Exceptions per second, by exception', 'ops', [[`sum by (exception) (${rate(exceptions)})`, '{{exception}}']])
  layout.row('Database')
  layout.panel('Queries per second, by system and operation', 'ops', [[`sum by (db_system, db_operation) (${rate(queries)})`, '{{db_system}} {{db_operation}}']])
  layout.panel('Query time p99, by system', 's', [[`histogram_quantile(0.99, sum by (le, db_system) (${rate(`${queryDuration}_bucket`)}))`, '{{db_system}}']])
  for (const slo of input.slos) sloRow(layout, slo, input.service)
  layout.row('Process (per instance)')
  layout.panel('Heap used', 'bytes', [[gauge(PROCESS_METRIC_NAMES.heapUsed), '{{instance}}']])
  layout.panel('Resident set size', 'bytes', [[gauge(PROCESS_METRIC_NAMES.rss), '{{instance}}']])
  layout.panel('Event-loop delay', 'ms', [[gauge(PROCESS_METRIC_NAMES.eventLoopDelayP50), 'p50 {{instance}}'], [gauge(PROCESS_METRIC_NAMES.eventLoopDelayP99), 'p99 {{instance}}']])
  layout.panel('CPU', 'percent', [[gauge(PROCESS_METRIC_NAMES.cpuPercent), '{{instance}}']])

  if (input.slos.length > 0) notes.push('The SLO rows read the recording rules of `vigie export prometheus-rules` (same --names): load them into the Prometheus this dashboard reads.')
  if (flavour === 'statsd-exporter') notes.push('The process gauges carry vigie\'s own `instance` tag: scrape statsd_exporter with `honor_labels: true`, or Prometheus renames it `exported_instance`.')
  const label = (name: string, query: string): Record<string, unknown> => ({
    name,
    label: name,
    type: 'query',
    datasource: DATASOURCE,
    definition: query,
    query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: {},
    options: [],
    regex: '',
    sort: 1,
    hide: 0,
  })
  return {
    annotations: { list: [] },
    description: [`vigie: the requests, queries, SLOs and process of ${input.service}, over ${flavour === 'vigie' ? 'vigie\'s own /metrics' : 'statsd_exporter with the mapping of `vigie export statsd-exporter-mapping`'}. Written by \`vigie export grafana\`: edit the definitions, not this file.`, ...notes].join(' '),
    editable: true,
    graphTooltip: 1,
    links: [],
    panels: layout.panels,
    refresh: '30s',
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    tags: ['vigie', input.service],
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, options: [], regex: '', refresh: 1, hide: 0 },
        label('controller', `label_values(${requests}, controller)`),
        label('instance', `label_values(${sanitizeName(PROCESS_METRIC_NAMES.heapUsed)}, instance)`),
      ],
    },
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: `${input.service} (vigie)`,
    uid: dashboardUid(input.service),
    version: 1,
  }
}

/** A row per SLO: the budget left over its period, and the burn rate over each window of its table. */
function sloRow (layout: Layout, slo: ResolvedSlo, service: string): void {
  const sel = `{sloth_service=${quoteLabelValue(service)}, sloth_slo=${quoteLabelValue(slo.name)}}`
  const windows = [...new Set([5 * 60_000, ...slo.burnRateAlerts.flatMap((line) => [line.shortMs, line.longMs])])].sort((a, b) => a - b)
  layout.row(`SLO ${slo.name}: ${slo.objective} % over ${slo.window}`)
  layout.panel('Error budget remaining over the period', 'percentunit', [[`slo:period_error_budget_remaining:ratio${sel}`, 'remaining']], 'stat')
  layout.panel('Burn rate, by window', 'x', windows.map((ms) => [
    `slo:sli_error:ratio_rate${describeMs(ms)}${sel}\n/ on (sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${sel}`,
    describeMs(ms),
  ]))
}

/** Panels placed two by two under full-width rows, ids from 1 in order. */
class Layout {
  readonly panels: Panel[] = []
  #y = 0
  #x = 0

  row (title: string): void {
    if (this.#x !== 0) this.#newLine()
    this.panels.push({ id: this.panels.length + 1, type: 'row', title, collapsed: false, gridPos: { h: 1, w: WIDTH, x: 0, y: this.#y }, panels: [] })
    this.#y += 1
  }

  panel (title: string, unit: string, queries: ReadonlyArray<readonly [expr: string, legend: string]>, type: 'timeseries' | 'stat' = 'timeseries'): void {
    const targets: Target[] = queries.map(([expr, legendFormat], i) => ({ refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr, legendFormat, range: true }))
    this.panels.push({
      id: this.panels.length + 1,
      type,
      title,
      datasource: DATASOURCE,
      gridPos: { h: HEIGHT, w: WIDTH / 2, x: this.#x, y: this.#y },
      fieldConfig: { defaults: { unit }, overrides: [] },
      options: type === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
        : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
      targets,
    })
    if (this.#x === 0) this.#x = WIDTH / 2
    else this.#newLine()
  }

  #newLine (): void {
    this.#x = 0
    this.#y += HEIGHT
  }
}

/** `vigie-<service>` with every character Grafana does not take as `-`; a hash of the name when that is too long. */
export function dashboardUid (service: string): string {
  const readable = `vigie-${service.replace(/[^A-Za-z0-9_-]/g, '-')}`
  if (readable.length <= MAX_UID) return readable
  return `vigie-${createHash('sha256').update(service).digest('hex').slice(0, MAX_UID - 'vigie-'.length)}`
}
