// The `alerts` option: threshold rules checked one field at a time, each error naming the field
// (`alerts.rules[1].stat`), the two intervals, and the plans (resolve-plans.ts).

import type { InvalidOption } from '../errors.ts'
import { METRIC_NAMES } from '../metrics/request-metrics.ts'
import { PROCESS_METRIC_NAMES } from '../metrics/process-metric-names.ts'
import type { AlertSeverity, AlertStat, MetricKind } from '../types.ts'
import { checkKeysAt, isRecord } from './code-options.ts'
import { describeMs, parseDuration } from './duration.ts'
import { resolvePlans, type ResolvedPlans } from './resolve-plans.ts'

/** Tags a series must have, as `[key, value]` pairs. */
export type TagFilter = ReadonlyArray<readonly [string, string]>

/** What one side of a ratio counts. */
export interface SeriesFilter {
  readonly metric: string
  readonly tags: TagFilter
}

/** Where a rule's value comes from: one statistic of one metric, or a ratio of two counts. */
export type RuleSource =
  | { readonly type: 'stat', readonly metric: string, readonly tags: TagFilter }
  | { readonly type: 'ratio', readonly numerator: SeriesFilter, readonly denominator: SeriesFilter }

export interface ResolvedThresholdRule {
  readonly name: string
  readonly stat: AlertStat
  readonly source: RuleSource
  /** As given (`'5m'`), for lines and notices. */
  readonly window: string
  readonly windowMs: number
  readonly direction: 'above' | 'below'
  readonly threshold: number
  /** Where it resolves: the threshold itself when `clear` was not given. */
  readonly clear: number
  readonly forMs: number
  readonly keepFiringForMs: number
  /** 0 when not given. */
  readonly minCount: number
  readonly severity: AlertSeverity
  /** The rule's `tags`, as labels of its notices. */
  readonly labels: Readonly<Record<string, string>>
}

export interface ResolvedAlerts {
  readonly rules: readonly ResolvedThresholdRule[]
  /** The notifiers of each severity, checked. */
  readonly plans: ResolvedPlans
  readonly evaluationIntervalMs: number
  readonly repeatIntervalMs: number
}

export const ALERT_DEFAULTS = Object.freeze({
  evaluationInterval: '10s',
  /** A second at least (the aggregator's buckets are 10 s), 10 minutes at most. */
  evaluationIntervalBounds: Object.freeze({ min: 1000, max: 600_000 }),
  repeatInterval: '4h',
  repeatIntervalBounds: Object.freeze({ min: 60_000, max: 30 * 86_400_000 }),
  /** What the aggregator keeps. */
  windowBounds: Object.freeze({ min: 10_000, max: 3_600_000 }),
  /** `for` and `keepFiringFor`. */
  holdBounds: Object.freeze({ min: 0, max: 86_400_000 }),
  maxRules: 1000,
})

/** The kinds of metric each statistic can be read from. */
export const STAT_KINDS: Readonly<Record<Exclude<AlertStat, 'ratio' | 'errorRatio'>, readonly MetricKind[]>> = Object.freeze({
  count: ['counter', 'timing'],
  rate: ['counter'],
  mean: ['timing', 'gauge'],
  min: ['timing', 'gauge'],
  max: ['timing', 'gauge'],
  p50: ['timing'],
  p90: ['timing'],
  p95: ['timing'],
  p99: ['timing'],
  last: ['gauge'],
})
/** The sides of a ratio are counts. */
export const RATIO_KINDS: readonly MetricKind[] = Object.freeze(['counter', 'timing'])
const STATS: readonly AlertStat[] = [...Object.keys(STAT_KINDS) as AlertStat[], 'ratio', 'errorRatio']
const SEVERITIES: readonly AlertSeverity[] = ['page', 'ticket', 'info']

/** The kind of each metric vigie sends itself: a rule on one of them must ask for a statistic it has. */
export const KNOWN_METRIC_KINDS: ReadonlyMap<string, MetricKind> = new Map<string, MetricKind>([
  [METRIC_NAMES.request, 'counter'],
  [METRIC_NAMES.responseTime, 'timing'],
  [METRIC_NAMES.exception, 'counter'],
  [METRIC_NAMES.clientRequest, 'counter'],
  [METRIC_NAMES.clientResponseTime, 'timing'],
  [METRIC_NAMES.dbQuery, 'counter'],
  [METRIC_NAMES.dbQueryResponseTime, 'timing'],
  [METRIC_NAMES.dbTime, 'timing'],
  [METRIC_NAMES.metricsDropped, 'counter'],
  ['alert.transition', 'counter'],
  ...Object.values(PROCESS_METRIC_NAMES).map((name): [string, MetricKind] => [name, 'gauge']),
])

/** The tag of `http_request` that `errorRatio` counts 5xx answers by (request-metrics.ts). */
export const ERROR_RATIO = Object.freeze({ metric: METRIC_NAMES.request, tag: 'http_status_class', value: '5xx' })

const RULE_KEYS = ['name', 'metric', 'stat', 'tags', 'numerator', 'denominator', 'window', 'above', 'below', 'clear', 'for',
  'keepFiringFor', 'minCount', 'severity']
const SELECTOR_KEYS = ['metric', 'tags']
// Letters, digits and `._-`: a name fits a tag, a label and a file name as it is, and cannot be
// taken for a burn-rate rule's (`slo:…`).
const RULE_NAME = /^[A-Za-z0-9._-]{1,100}$/
const MAX_METRIC_LENGTH = 200
const MAX_TAGS = 20

/**
 * `alerts` as given in code (its own keys were checked with the code options). Throws a
 * VigieError naming the first field at fault.
 */
export function resolveAlerts (value: Record<string, unknown> | undefined, invalid: InvalidOption, loadNodemailer?: () => unknown): ResolvedAlerts {
  const alerts = value ?? {}
  const { evaluationIntervalBounds: evaluation, repeatIntervalBounds: repeat } = ALERT_DEFAULTS
  return Object.freeze({
    rules: resolveRules(alerts.rules, invalid),
    plans: resolvePlans(alerts.plans, invalid, loadNodemailer),
    evaluationIntervalMs: parseDuration(alerts.evaluationInterval ?? ALERT_DEFAULTS.evaluationInterval, 'alerts.evaluationInterval', invalid, evaluation.min, evaluation.max),
    repeatIntervalMs: parseDuration(alerts.repeatInterval ?? ALERT_DEFAULTS.repeatInterval, 'alerts.repeatInterval', invalid, repeat.min, repeat.max),
  })
}

function resolveRules (value: unknown, invalid: InvalidOption): readonly ResolvedThresholdRule[] {
  if (value === undefined) return Object.freeze([])
  if (!Array.isArray(value) || value.length > ALERT_DEFAULTS.maxRules) {
    throw invalid('alerts.rules', `an array of at most ${ALERT_DEFAULTS.maxRules} rules`, value)
  }
  const names = new Map<string, number>()
  return Object.freeze(value.map((rule: unknown, index) => {
    const resolved = resolveRule(rule, `alerts.rules[${index}]`, invalid)
    const other = names.get(resolved.name)
    if (other !== undefined) throw invalid(`alerts.rules[${index}].name`, `a name no other rule has (alerts.rules[${other}] is named so too)`, resolved.name)
    names.set(resolved.name, index)
    return resolved
  }))
}

function resolveRule (rule: unknown, at: string, invalid: InvalidOption): ResolvedThresholdRule {
  if (!isRecord(rule)) throw invalid(at, 'an object', rule)
  checkKeysAt(rule, at, RULE_KEYS)
  const name = rule.name
  if (typeof name !== 'string' || !RULE_NAME.test(name)) throw invalid(`${at}.name`, 'a name of 1 to 100 letters, digits and "._-"', name)
  const stat = rule.stat
  if (typeof stat !== 'string' || !STATS.includes(stat as AlertStat)) throw invalid(`${at}.stat`, `one of ${STATS.map((s) => `"${s}"`).join(', ')}`, stat)
  const source = resolveSource(rule, stat as AlertStat, at, invalid)

  const windowMs = parseDuration(rule.window, `${at}.window`, invalid, ALERT_DEFAULTS.windowBounds.min, ALERT_DEFAULTS.windowBounds.max)
  const forMs = rule.for === undefined ? 0 : parseDuration(rule.for, `${at}.for`, invalid, ALERT_DEFAULTS.holdBounds.min, ALERT_DEFAULTS.holdBounds.max)
  if (windowMs < forMs) throw invalid(`${at}.window`, `at least the rule's "for" (${describeMs(forMs)})`, rule.window)
  const keepFiringForMs = rule.keepFiringFor === undefined
    ? 0
    : parseDuration(rule.keepFiringFor, `${at}.keepFiringFor`, invalid, ALERT_DEFAULTS.holdBounds.min, ALERT_DEFAULTS.holdBounds.max)

  if ((rule.above === undefined) === (rule.below === undefined)) {
    throw invalid(`${at}.${rule.above === undefined ? 'above' : 'below'}`, 'given alone: a rule has exactly one of "above" and "below"', rule.above ?? rule.below)
  }
  const direction = rule.above === undefined ? 'below' : 'above'
  const threshold = finite(rule[direction], `${at}.${direction}`, invalid)
  const clear = rule.clear === undefined ? threshold : finite(rule.clear, `${at}.clear`, invalid)
  if (stat === 'errorRatio') {
    // A share of answers: 5 for 5 % would never fire.
    if (threshold < 0 || threshold > 1) throw invalid(`${at}.${direction}`, 'a ratio from 0 to 1 (0.05 for 5 %)', threshold)
    if (clear < 0 || clear > 1) throw invalid(`${at}.clear`, 'a ratio from 0 to 1 (0.05 for 5 %)', clear)
  }
  if (direction === 'above' ? clear > threshold : clear < threshold) {
    throw invalid(`${at}.clear`, `a number ${direction === 'above' ? 'at most' : 'at least'} the threshold (${direction}: ${threshold}): the value resolves once back past it`, rule.clear)
  }
  const minCount = rule.minCount ?? 0
  if (rule.minCount !== undefined && (typeof minCount !== 'number' || !Number.isSafeInteger(minCount) || minCount < 1)) {
    throw invalid(`${at}.minCount`, 'a positive integer', rule.minCount)
  }
  const severity = rule.severity
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity as AlertSeverity)) {
    throw invalid(`${at}.severity`, `one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}`, severity)
  }
  return Object.freeze({
    name,
    stat: stat as AlertStat,
    source,
    window: rule.window as string,
    windowMs,
    direction,
    threshold,
    clear,
    forMs,
    keepFiringForMs,
    minCount: minCount as number,
    severity: severity as AlertSeverity,
    labels: Object.freeze(Object.fromEntries(source.type === 'stat' ? source.tags : [])),
  })
}

function resolveSource (rule: Record<string, unknown>, stat: AlertStat, at: string, invalid: InvalidOption): RuleSource {
  if (stat !== 'ratio') {
    for (const side of ['numerator', 'denominator'] as const) {
      if (rule[side] !== undefined) throw invalid(`${at}.${side}`, 'absent: only a rule of stat "ratio" has a numerator and a denominator', rule[side])
    }
  }
  if (stat === 'ratio') {
    if (rule.metric !== undefined) throw invalid(`${at}.metric`, 'absent for stat "ratio" (its numerator and denominator name their metrics)', rule.metric)
    if (rule.tags !== undefined) throw invalid(`${at}.tags`, 'absent for stat "ratio" (give the numerator and the denominator their tags)', rule.tags)
    return Object.freeze({ type: 'ratio', numerator: selector(rule.numerator, `${at}.numerator`, invalid), denominator: selector(rule.denominator, `${at}.denominator`, invalid) })
  }
  const tags = tagFilter(rule.tags, `${at}.tags`, invalid)
  if (stat === 'errorRatio') {
    if (rule.metric !== undefined && rule.metric !== ERROR_RATIO.metric) {
      throw invalid(`${at}.metric`, `"${ERROR_RATIO.metric}" or absent: errorRatio counts 5xx answers among vigie's requests`, rule.metric)
    }
    const others = tags.filter(([key]) => key !== ERROR_RATIO.tag)
    return Object.freeze({
      type: 'ratio',
      numerator: Object.freeze({ metric: ERROR_RATIO.metric, tags: Object.freeze([...others, [ERROR_RATIO.tag, ERROR_RATIO.value] as const]) }),
      denominator: Object.freeze({ metric: ERROR_RATIO.metric, tags: others }),
    })
  }
  const metric = metricName(rule.metric, `${at}.metric`, invalid)
  const kinds = STAT_KINDS[stat]
  const known = KNOWN_METRIC_KINDS.get(metric)
  if (known !== undefined && !kinds.includes(known)) {
    const allowed = Object.entries(STAT_KINDS).filter(([, k]) => k.includes(known)).map(([s]) => `"${s}"`)
    throw invalid(`${at}.stat`, `a statistic of a ${known} ("${metric}" is one): ${allowed.join(', ')}`, stat)
  }
  return Object.freeze({ type: 'stat', metric, tags })
}

function selector (value: unknown, at: string, invalid: InvalidOption): SeriesFilter {
  if (!isRecord(value)) throw invalid(at, 'an object { metric, tags? }: a ratio needs a numerator and a denominator', value)
  checkKeysAt(value, at, SELECTOR_KEYS)
  const metric = metricName(value.metric, `${at}.metric`, invalid)
  const known = KNOWN_METRIC_KINDS.get(metric)
  if (known !== undefined && !RATIO_KINDS.includes(known)) throw invalid(`${at}.metric`, `a counter or a timing (a ratio divides counts; "${metric}" is a ${known})`, metric)
  return Object.freeze({ metric, tags: tagFilter(value.tags, `${at}.tags`, invalid) })
}

/** Names that start so are vigie's own: one that is not among them is a typo, caught at startup. */
const VIGIE_NAMESPACES = ['http_request', 'http_client_request', 'db.query', 'process.', 'vigie.', 'alert.']

function metricName (value: unknown, at: string, invalid: InvalidOption): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_METRIC_LENGTH) {
    throw invalid(at, `a metric name of 1 to ${MAX_METRIC_LENGTH} characters, as sent (without the StatsD prefix)`, value)
  }
  const namespace = VIGIE_NAMESPACES.find((prefix) => value.startsWith(prefix))
  if (namespace !== undefined && !KNOWN_METRIC_KINDS.has(value)) {
    const same = [...KNOWN_METRIC_KINDS.keys()].filter((name) => name.startsWith(namespace))
    throw invalid(at, `one of vigie's metrics (names starting with "${namespace}" are vigie's): ${same.map((name) => `"${name}"`).join(', ')}`, value)
  }
  return value
}

function tagFilter (value: unknown, at: string, invalid: InvalidOption): TagFilter {
  if (value === undefined) return Object.freeze([])
  const expected = `an object of at most ${MAX_TAGS} tags, each a non-empty key and a string value`
  if (!isRecord(value)) throw invalid(at, expected, value)
  const entries = Object.entries(value)
  if (entries.length > MAX_TAGS) throw invalid(at, expected, value)
  for (const [key, tag] of entries) {
    if (key.length === 0 || typeof tag !== 'string') throw invalid(`${at}.${key}`, 'a string', tag)
  }
  return Object.freeze(entries.map(([key, tag]) => Object.freeze([key, tag as string] as const)))
}

function finite (value: unknown, at: string, invalid: InvalidOption): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(at, 'a finite number', value)
  return value
}
