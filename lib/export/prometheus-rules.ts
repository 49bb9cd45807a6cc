import { describeMs } from '../options/duration.ts'
import type { ResolvedThresholdRule, SeriesFilter } from '../options/resolve-alerts.ts'
import type { ResolvedSlo } from '../options/resolve-slos.ts'
import { KNOWN_METRIC_KINDS } from '../options/resolve-alerts.ts'
import { METRIC_NAMES } from '../metrics/request-metrics.ts'
import type { AlertStat, MetricKind } from '../types.ts'
import { DURATION_BUCKETS, prometheusName, sanitizeName, type Flavour } from './prometheus-names.ts'
import { oneOf, selector, type Matcher } from './promql.ts'

/** The windows sloth records for every SLO, so that SLO dashboards made for sloth find them. */
const SLOTH_WINDOWS_MS = [5, 30, 60, 120, 360, 1440, 4320].map((minutes) => minutes * 60_000)
const CLIENT_CLOSED = '499'

export interface RulesInput {
  readonly slos: readonly ResolvedSlo[]
  readonly rules: readonly ResolvedThresholdRule[]
  /** `sloth_service`: the app's name. */
  readonly service: string
  readonly flavour: Flavour
}

interface RecordingRule { record: string, expr: string, labels?: Record<string, string> }
interface AlertingRule { alert: string, expr: string, for?: string, keep_firing_for?: string, labels: Record<string, string>, annotations: Record<string, string> }

/**
 * Prometheus rule groups for `input`: per SLO, sloth's recording rules (`slo:sli_error:ratio_rate<w>`
 * for each burn-rate window and sloth's own, the period's ratio, the objective, the budget left)
 * and an alerting rule per line of its burn-rate table; then an alerting rule per threshold rule.
 * `notes` gets what could not be expressed exactly.
 */
export function prometheusRules (input: RulesInput, notes: string[]): { groups: unknown[] } {
  const groups: unknown[] = []
  for (const slo of input.slos) groups.push(...sloGroups(slo, input, notes))
  const alerting: AlertingRule[] = []
  for (const rule of input.rules) {
    const built = thresholdAlert(rule, input.flavour, notes)
    if (built !== null) alerting.push(built)
  }
  if (alerting.length > 0) groups.push({ name: `vigie-${input.service}-threshold-rules`, rules: alerting })
  return { groups }
}

function sloGroups (slo: ResolvedSlo, input: RulesInput, notes: string[]): unknown[] {
  const id = `${input.service}-${slo.name}`
  const labels = { sloth_id: id, sloth_service: input.service, sloth_slo: slo.name }
  const windows = new Set(SLOTH_WINDOWS_MS)
  for (const line of slo.burnRateAlerts) {
    windows.add(line.longMs)
    windows.add(line.shortMs)
  }
  const sorted = [...windows].sort((a, b) => a - b)
  const errorRatio = sliErrorRatio(slo, input.flavour, notes)
  const recordings: RecordingRule[] = sorted.map((ms) => ({
    record: `slo:sli_error:ratio_rate${describeMs(ms)}`,
    expr: errorRatio(describeMs(ms)),
    labels: { ...labels, sloth_window: describeMs(ms) },
  }))
  const period = describeMs(slo.windowMs)
  const budget = round((100 - slo.objective) / 100)
  const sel = `{sloth_id="${id}", sloth_service="${input.service}", sloth_slo="${slo.name}"}`
  const meta: RecordingRule[] = [
    { record: `slo:sli_error:ratio_rate${period}`, expr: `sum_over_time(slo:sli_error:ratio_rate5m${sel}[${period}])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m${sel}[${period}])`, labels: { ...labels, sloth_window: period } },
    { record: 'slo:objective:ratio', expr: `vector(${round(slo.objective / 100)})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(1 - ${round(slo.objective / 100)})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${round(slo.windowMs / 86_400_000)})`, labels },
    { record: 'slo:current_burn_rate:ratio', expr: `slo:sli_error:ratio_rate5m${sel}\n/ on (sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${sel}`, labels },
    { record: 'slo:period_burn_rate:ratio', expr: `slo:sli_error:ratio_rate${period}${sel}\n/ on (sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${sel}`, labels },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${sel}`, labels },
    { record: 'sloth_slo_info', expr: 'vector(1)', labels: { ...labels, sloth_mode: 'vigie', sloth_objective: String(slo.objective) } },
  ]
  // The period's ratio is recorded apart: a window already among the burn windows is not recorded twice.
  const periodRecorded = windows.has(slo.windowMs)
  const alerts: AlertingRule[] = slo.burnRateAlerts.map((line) => {
    const long = describeMs(line.longMs)
    const short = describeMs(line.shortMs)
    const threshold = `(${line.factor} * ${budget})`
    return {
      alert: 'VigieSloErrorBudgetBurn',
      expr: `max without (sloth_window) (slo:sli_error:ratio_rate${long}${sel} > ${threshold})\nand\nmax without (sloth_window) (slo:sli_error:ratio_rate${short}${sel} > ${threshold})`,
      labels: { severity: line.severity, slo: slo.name, sloth_id: id, sloth_service: input.service, sloth_slo: slo.name, long_window: long, short_window: short },
      annotations: {
        summary: `SLO ${slo.name}: the error budget burns at ${line.factor}× or more over ${long} and ${short}`,
        vigie_rule: `slo:${slo.name}:${line.severity}:${long}/${short}`,
      },
    }
  })
  return [
    { name: `sloth-slo-sli-recordings-${id}`, rules: recordings },
    { name: `sloth-slo-meta-recordings-${id}`, rules: periodRecorded ? meta.slice(1) : meta },
    { name: `sloth-slo-alerts-${id}`, rules: alerts },
  ]
}

/** The SLI's error ratio over a window, as PromQL: bad ÷ counted, answers to aborted requests (499) left out as vigie leaves them. */
function sliErrorRatio (slo: ResolvedSlo, flavour: Flavour, notes: string[]): (window: string) => string {
  const controllers: Matcher[] = slo.controllers === null ? [] : [['controller', '=~', oneOf([...slo.controllers].sort())]]
  const counted: Matcher[] = [...controllers, ['http_status', '!=', CLIENT_CLOSED]]
  if (slo.sli.kind === 'availability') {
    const requests = prometheusName(METRIC_NAMES.request, 'counter')
    return (w) => `(sum(rate(${selector(requests, [], flavour, [...controllers, ['http_status_class', '=', '5xx']])}[${w}])))\n/\n(sum(rate(${selector(requests, [], flavour, counted)}[${w}])))`
  }
  const histogram = prometheusName(METRIC_NAMES.responseTime, 'timing')
  const thresholdSeconds = slo.sli.thresholdMs / 1000
  const bucket = [...DURATION_BUCKETS].reverse().find((le) => le <= thresholdSeconds + 1e-12)
  if (bucket === undefined) {
    notes.push(`SLO ${slo.name}: its latency threshold (${slo.sli.thresholdMs} ms) is below the first bucket (${DURATION_BUCKETS[0]! * 1000} ms): every request counts as slow in these rules`)
  } else if (Math.abs(bucket - thresholdSeconds) > 1e-12) {
    notes.push(`SLO ${slo.name}: its latency threshold (${slo.sli.thresholdMs} ms) is not a bucket boundary; these rules count a request as fast under ${bucket * 1000} ms (stricter than vigie's own SLI)`)
  }
  const le = bucket === undefined ? '0' : String(bucket)
  return (w) => `1 - (\n(sum(rate(${selector(`${histogram}_bucket`, [], flavour, [...counted, ['le', '=', le]])}[${w}])))\n/\n(sum(rate(${selector(`${histogram}_count`, [], flavour, counted)}[${w}])))\n)`
}

const QUANTILES: Partial<Record<AlertStat, number>> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 }

/** The kind a rule reads its metric as: vigie's own are known; the app's follow from the statistic. */
function kindOf (metric: string, stat: AlertStat): MetricKind {
  const known = KNOWN_METRIC_KINDS.get(metric)
  if (known !== undefined) return known
  if (stat === 'last' || stat === 'min' || stat === 'max') return 'gauge'
  if (stat === 'count' || stat === 'rate' || stat === 'ratio' || stat === 'errorRatio') return 'counter'
  return 'timing'
}

/** A count over the window, of a counter or a timing. */
function countOf (filter: SeriesFilter, window: string, flavour: Flavour): string {
  const kind = KNOWN_METRIC_KINDS.get(filter.metric) === 'timing' ? 'timing' : 'counter'
  const name = prometheusName(filter.metric, kind)
  return `sum(increase(${selector(kind === 'timing' ? `${name}_count` : name, filter.tags, flavour)}[${window}]))`
}

function rateOf (filter: SeriesFilter, window: string, flavour: Flavour): string {
  const kind = KNOWN_METRIC_KINDS.get(filter.metric) === 'timing' ? 'timing' : 'counter'
  const name = prometheusName(filter.metric, kind)
  return `sum(rate(${selector(kind === 'timing' ? `${name}_count` : name, filter.tags, flavour)}[${window}]))`
}

/** The value a threshold rule compares, as PromQL; null when a histogram cannot give it. */
function valueOf (rule: ResolvedThresholdRule, window: string, flavour: Flavour): { expr: string, count: string | null } | null {
  const source = rule.source
  if (source.type === 'ratio') {
    return { expr: `(${rateOf(source.numerator, window, flavour)})\n/\n(${rateOf(source.denominator, window, flavour)})`, count: countOf(source.denominator, window, flavour) }
  }
  const kind = kindOf(source.metric, rule.stat)
  const name = prometheusName(source.metric, kind)
  const sel = (suffix: string): string => selector(`${name}${suffix}`, source.tags, flavour)
  const quantile = QUANTILES[rule.stat]
  if (kind === 'counter') {
    const count = `sum(increase(${sel('')}[${window}]))`
    return { expr: rule.stat === 'rate' ? `sum(rate(${sel('')}[${window}]))` : count, count }
  }
  if (kind === 'timing') {
    const count = `sum(increase(${sel('_count')}[${window}]))`
    if (rule.stat === 'count') return { expr: count, count }
    if (rule.stat === 'mean') return { expr: `1000 * sum(rate(${sel('_sum')}[${window}])) / sum(rate(${sel('_count')}[${window}]))`, count }
    if (quantile !== undefined) return { expr: `1000 * histogram_quantile(${quantile}, sum by (le) (rate(${sel('_bucket')}[${window}])))`, count }
    return null
  }
  const over = { mean: 'avg', min: 'min', max: 'max', last: 'last' }[rule.stat as 'mean']
  if (over === undefined) return null
  return { expr: `${over === 'last' ? 'max' : over}(${over}_over_time(${sel('')}[${window}]))`, count: null }
}

function thresholdAlert (rule: ResolvedThresholdRule, flavour: Flavour, notes: string[]): AlertingRule | null {
  const window = describeMs(rule.windowMs)
  const value = valueOf(rule, window, flavour)
  if (value === null) {
    notes.push(`rule ${rule.name}: ${rule.stat} of a timing cannot be read from a histogram; not exported`)
    return null
  }
  const op = rule.direction === 'above' ? '>' : '<'
  let expr = `(${value.expr})\n${op} ${rule.threshold}`
  if (rule.minCount > 0 && value.count !== null) expr = `${expr}\nand on ()\n(${value.count} >= ${rule.minCount})`
  if (rule.clear !== rule.threshold) notes.push(`rule ${rule.name}: Prometheus has no hysteresis; it resolves when the value crosses ${rule.threshold} again, not ${rule.clear}`)
  const alert: AlertingRule = {
    alert: sanitizeName(rule.name),
    expr,
    labels: { ...labelsOf(rule.labels), severity: rule.severity, vigie_rule: rule.name },
    annotations: { summary: `${rule.name}: ${rule.stat} over ${window} ${rule.direction} ${rule.threshold}` },
  }
  if (rule.forMs > 0) alert.for = describeMs(rule.forMs)
  if (rule.keepFiringForMs > 0) alert.keep_firing_for = describeMs(rule.keepFiringForMs)
  return alert
}

function labelsOf (labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([key, value]) => [sanitizeName(key), value]))
}

function round (value: number): number {
  return Math.round(value * 1e9) / 1e9
}
