import type { ResolvedThresholdRule, SeriesFilter, TagFilter } from '../options/resolve-alerts.ts'
import { KNOWN_METRIC_KINDS } from '../options/resolve-alerts.ts'
import type { ResolvedNotifier, ResolvedPlans } from '../options/resolve-plans.ts'
import type { ResolvedBurnRate, ResolvedSlo } from '../options/resolve-slos.ts'
import { METRIC_NAMES } from '../metrics/request-metrics.ts'
import type { AlertSeverity, AlertStat, MetricKind } from '../types.ts'

const DAY_MS = 86_400_000
/** The SLO timeframes Datadog takes (`thresholds[].timeframe`). */
const TIMEFRAMES: ReadonlyArray<readonly [string, number]> = [['7d', 7 * DAY_MS], ['30d', 30 * DAY_MS], ['90d', 90 * DAY_MS]]
/** The evaluation windows of a metric monitor's query (`last_5m`) that a rule's window (10 s to 1 h) rounds up to. */
const MONITOR_WINDOWS: ReadonlyArray<readonly [string, number]> = [['1m', 60_000], ['5m', 300_000], ['10m', 600_000], ['15m', 900_000], ['30m', 1_800_000], ['1h', 3_600_000]]
/** What the Datadog Agent writes for a DogStatsD timing (a histogram) per statistic, and whether its default configuration writes it. */
const TIMING_SUFFIXES: Partial<Record<AlertStat, readonly [suffix: string, byDefault: boolean, percentile?: string]>> = {
  mean: ['avg', true],
  max: ['max', true],
  p50: ['median', true],
  p90: ['90percentile', false, '0.90'],
  p95: ['95percentile', true],
  p99: ['99percentile', false, '0.99'],
}
const CLIENT_CLOSED = '499'

export interface DatadogInput {
  readonly slos: readonly ResolvedSlo[]
  readonly rules: readonly ResolvedThresholdRule[]
  readonly plans: ResolvedPlans
  /** `statsd.prefix`: every metric name starts with it. */
  readonly prefix: string
  readonly service: string
}

type Json = Record<string, unknown>

/**
 * Datadog objects over the DogStatsD lines vigie sends: per availability SLO, a metric-based SLO
 * as `POST /api/v1/slo` takes it and an `slo alert` monitor per line of its burn-rate table
 * (the SLO's id is a placeholder `<SLO_ID:name>`: Datadog gives it when the SLO is created);
 * per threshold rule that maps, a `query alert` monitor (`POST /api/v1/monitor`). Each
 * monitor's message mentions the notifiers of its severity's plan as placeholders
 * (`@slack-<SLACK_CHANNEL_PAGE_2>`, listed in `placeholders`), never a URL, key or token.
 * `notes` gets what could not be expressed.
 */
export function datadogExport (input: DatadogInput, placeholders: string[], notes: string[]): { slos: Json[], monitors: Json[] } {
  const slos: Json[] = []
  const monitors: Json[] = []
  const mentions = mentionsOf(input.plans, placeholders, notes)
  const request = `${input.prefix}${METRIC_NAMES.request}`
  for (const slo of input.slos) {
    if (slo.sli.kind === 'latency') {
      notes.push(`SLO ${slo.name}: a latency SLI needs a count of requests under ${slo.sli.thresholdMs} ms; vigie sends response times as DogStatsD timings, which the Agent turns into per-flush statistics without one: not exported (nor its burn-rate monitors). Datadog can count under a threshold on a distribution metric with percentiles enabled`)
      continue
    }
    const controllers = slo.controllers === null ? null : [...slo.controllers].sort().map(tagValue)
    const counted = [...(controllers === null ? [] : [`controller IN (${controllers.join(', ')})`]), `NOT http_status:${CLIENT_CLOSED}`]
    const timeframe = timeframeOf(slo, notes)
    slos.push({
      name: `${input.service} ${slo.name}`,
      type: 'metric',
      description: `vigie SLO "${slo.name}": ${slo.objective} % of the answers of ${controllers === null ? 'every controller' : controllers.join(', ')} are not 5xx over ${slo.window} (499s left out, as vigie leaves them). Written by vigie export datadog.`,
      query: {
        numerator: `sum:${request}{${[...counted, 'NOT http_status_class:5xx'].join(' AND ')}}.as_count()`,
        denominator: `sum:${request}{${counted.join(' AND ')}}.as_count()`,
      },
      thresholds: [{ timeframe, target: slo.objective }],
      tags: [`service:${tagValue(input.service)}`, `slo:${tagValue(slo.name)}`, 'source:vigie'],
    })
    for (const line of slo.burnRateAlerts) monitors.push(burnRateMonitor(slo, line, timeframe, input.service, mentions))
  }
  for (const rule of input.rules) {
    const monitor = thresholdMonitor(rule, input, mentions, notes)
    if (monitor !== null) monitors.push(monitor)
  }
  return { slos, monitors }
}

function burnRateMonitor (slo: ResolvedSlo, line: ResolvedBurnRate, timeframe: string, service: string, mentions: MentionsBySeverity): Json {
  const long = window(line.longMs)
  const short = window(line.shortMs)
  return {
    name: `${service} SLO ${slo.name}: error budget burning ${line.factor}x over ${long} and ${short}`,
    type: 'slo alert',
    query: `burn_rate("<SLO_ID:${slo.name}>").over("${timeframe}").long_window("${long}").short_window("${short}") > ${line.factor}`,
    message: message(`SLO ${slo.name}: the error budget burns at ${line.factor}x or more over ${long} and ${short}.`, mentions[line.severity]),
    tags: [`service:${tagValue(service)}`, `slo:${tagValue(slo.name)}`, `severity:${line.severity}`, 'source:vigie'],
    options: { thresholds: { critical: line.factor } },
  }
}

/** A rule as a `query alert` monitor: `time_aggr(last_w):space_aggr:metric{filter} op threshold`; null when it does not map. */
function thresholdMonitor (rule: ResolvedThresholdRule, input: DatadogInput, mentions: MentionsBySeverity, notes: string[]): Json | null {
  const monitorWindow = MONITOR_WINDOWS.find(([, ms]) => ms >= rule.windowMs)!
  if (monitorWindow[1] !== rule.windowMs) notes.push(`rule ${rule.name}: a monitor evaluates over ${monitorWindow[0]}, the first window Datadog offers from ${rule.window} up`)
  const last = `last_${monitorWindow[0]}`
  const metric = (name: string): string => `${input.prefix}${name}`
  const source = rule.source
  let query: string
  if (source.type === 'ratio') {
    if (isTiming(source.numerator) || isTiming(source.denominator)) {
      notes.push(`rule ${rule.name}: a ratio of timing counts is not exported`)
      return null
    }
    query = `sum(${last}):sum:${metric(source.numerator.metric)}${filter(source.numerator.tags)}.as_count() / sum:${metric(source.denominator.metric)}${filter(source.denominator.tags)}.as_count()`
  } else {
    const kind = kindOf(source.metric, rule.stat)
    const sel = `${metric(source.metric)}${filter(source.tags)}`
    if (kind === 'counter') {
      query = rule.stat === 'rate' ? `avg(${last}):sum:${sel}.as_rate()` : `sum(${last}):sum:${sel}.as_count()`
    } else if (kind === 'gauge') {
      const over = { mean: 'avg', min: 'min', max: 'max' }[rule.stat as 'mean']
      if (over === undefined) {
        notes.push(`rule ${rule.name}: ${rule.stat} of a gauge has no monitor time aggregation: not exported`)
        return null
      }
      query = `${over}(${last}):${over}:${sel}`
    } else {
      const suffix = rule.stat === 'count' ? ['count', true] as const : TIMING_SUFFIXES[rule.stat]
      if (suffix === undefined) {
        notes.push(`rule ${rule.name}: ${rule.stat} of a timing is not among what the Agent writes for a DogStatsD timing: not exported`)
        return null
      }
      const [name, byDefault, percentile] = suffix
      if (!byDefault) notes.push(`rule ${rule.name}: ${metric(source.metric)}.${name} is written only when the Agent's datadog.yaml lists ${percentile} in histogram_percentiles`)
      if (name.endsWith('percentile') || name === 'median') notes.push(`rule ${rule.name}: the Agent computes ${rule.stat} per flush and per Agent; the monitor reads the highest of them, not the fleet's ${rule.stat}`)
      query = name === 'count'
        ? `sum(${last}):sum:${metric(source.metric)}.count${filter(source.tags)}.as_count()`
        : `avg(${last}):max:${metric(source.metric)}.${name}${filter(source.tags)}`
    }
  }
  const op = rule.direction === 'above' ? '>' : '<'
  if (rule.forMs > 0 || rule.keepFiringForMs > 0) notes.push(`rule ${rule.name}: a metric monitor has no "for" or "keepFiringFor"; it fires on the first evaluation past the threshold`)
  if (rule.minCount > 0) notes.push(`rule ${rule.name}: minCount (${rule.minCount}) has no counterpart in one metric monitor; it fires on any count`)
  const thresholds: Json = { critical: rule.threshold }
  if (rule.clear !== rule.threshold) thresholds.critical_recovery = rule.clear
  return {
    name: `${input.service} ${rule.name}: ${rule.stat} ${rule.direction} ${rule.threshold}`,
    type: 'query alert',
    query: `${query} ${op} ${rule.threshold}`,
    message: message(`${rule.name}: ${rule.stat} over ${rule.window} ${rule.direction} ${rule.threshold}.`, mentions[rule.severity]),
    tags: [`service:${tagValue(input.service)}`, `vigie_rule:${tagValue(rule.name)}`, `severity:${rule.severity}`, ...Object.entries(rule.labels).map(([k, v]) => `${tagValue(k)}:${tagValue(v)}`).sort(), 'source:vigie'],
    options: { thresholds, notify_no_data: false, require_full_window: false },
  }
}

/** As the Prometheus rules read it: vigie's own metrics are known; the app's follow from the statistic. */
function kindOf (metric: string, stat: AlertStat): MetricKind {
  const known = KNOWN_METRIC_KINDS.get(metric)
  if (known !== undefined) return known
  if (stat === 'last' || stat === 'min' || stat === 'max') return 'gauge'
  if (stat === 'count' || stat === 'rate') return 'counter'
  return 'timing'
}

function isTiming (series: SeriesFilter): boolean {
  return KNOWN_METRIC_KINDS.get(series.metric) === 'timing'
}

/** `{a:1 AND b:2}`, `{*}` for none. */
function filter (tags: TagFilter): string {
  if (tags.length === 0) return '{*}'
  return `{${tags.map(([key, value]) => `${tagValue(key)}:${tagValue(value)}`).join(' AND ')}}`
}

/** A tag as Datadog stores it: lower case; characters other than letters, digits and `_-:./` as `_`. */
export function tagValue (value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_\-:./]/g, '_')
}

/** The SLO window's Datadog timeframe: equal, else the nearest (said in `notes`). */
function timeframeOf (slo: ResolvedSlo, notes: string[]): string {
  const exact = TIMEFRAMES.find(([, ms]) => ms === slo.windowMs)
  if (exact !== undefined) return exact[0]
  const nearest = [...TIMEFRAMES].sort((a, b) => Math.abs(Math.log(a[1] / slo.windowMs)) - Math.abs(Math.log(b[1] / slo.windowMs)))[0]!
  notes.push(`SLO ${slo.name}: its window (${slo.window}) is not a Datadog timeframe (7d, 30d, 90d); the SLO is written over ${nearest[0]}, the nearest`)
  return nearest[0]
}

/** Whole hours as `<n>h`, else whole minutes as `<n>m`. */
function window (ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`
}

function message (text: string, mentions: readonly string[]): string {
  return mentions.length === 0 ? text : `${text}\n\n${mentions.join(' ')}`
}

type MentionsBySeverity = Readonly<Record<AlertSeverity, readonly string[]>>

/** The `@` mentions of each severity's plan: placeholders for what Datadog's integrations name, addresses for e-mail. */
function mentionsOf (plans: ResolvedPlans, placeholders: string[], notes: string[]): MentionsBySeverity {
  const out: Record<AlertSeverity, string[]> = { page: [], ticket: [], info: [] }
  for (const severity of ['page', 'ticket', 'info'] as const) {
    plans[severity].forEach((notifier, i) => {
      const placeholder = (what: string): string => {
        const name = `<${what}_${severity.toUpperCase()}_${i + 1}>`
        placeholders.push(name)
        return name
      }
      const mention = mentionOf(notifier, placeholder, notes, severity)
      out[severity].push(...mention)
    })
  }
  return out
}

function mentionOf (notifier: ResolvedNotifier, placeholder: (what: string) => string, notes: string[], severity: AlertSeverity): string[] {
  switch (notifier.type) {
    case 'log':
      notes.push(`${severity}: the "log" notifier writes to the app's log; Datadog has nothing to send`)
      return []
    case 'slack':
      return [`@slack-${placeholder('SLACK_CHANNEL')}`]
    case 'pagerduty':
      return [`@pagerduty-${placeholder('PAGERDUTY_SERVICE')}`]
    case 'webhook':
      return [`@webhook-${placeholder('WEBHOOK_NAME')}`]
    case 'email':
      return notifier.to.map((address) => `@${address.replace(/^.*<([^>]*)>\s*$/, '$1')}`)
    case 'github':
      notes.push(`${severity}: Datadog has no GitHub notification; a webhook stands in: point it at a bridge that opens issues in ${notifier.repo}`)
      return [`@webhook-${placeholder('GITHUB_BRIDGE')}`]
  }
}
