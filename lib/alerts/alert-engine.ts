import type { StatsD } from 'hot-shots'
import type { Aggregator } from '../aggregate/aggregator.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import { formatTag, type TagFormat } from '../metrics/tag-format.ts'
import type { ResolvedAlerts, ResolvedThresholdRule } from '../options/resolve-alerts.ts'
import type { BurnSource } from '../slo/burn-source.ts'
import type { AlertSeverity, AlertStatus } from '../types.ts'
import { alertLabels, fingerprint } from './alert-labels.ts'
import type { AlertDispatch, AlertNotice } from './alert-notice.ts'
import { burnRules, reaches, readBurn, type BurnRule } from './burn-rules.ts'
import { readRule } from './rule-reading.ts'
import { RuleState, type Change, type Condition, type Holds } from './rule-state.ts'

/** The counter of changes of state, tagged `rule`, `severity` and `state` (the state entered). */
export const TRANSITION_METRIC = 'alert.transition'

/** Where an alert line goes: vigie's logger (the app's pino). */
export interface AlertLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
}

export interface AlertEngineParts {
  /** What threshold rules read; null when there is none (aggregation off): only burn-rate rules then. */
  readonly aggregator: Aggregator | null
  /** One per SLO; each line of its burn-rate table is a rule. */
  readonly burnSources: readonly BurnSource[]
  /** Where notices go. Closed by close(). */
  readonly dispatch: AlertDispatch
  readonly logger: AlertLogger
  /** Counts `alert.transition`. */
  readonly statsd: StatsD
  /** The client's tag syntax, for the counter's tags. Default `'datadog'`. */
  readonly tagFormat?: TagFormat
  readonly reporter: Pick<FailureReporter, 'report'>
  /** Epoch ms; Date.now by default. */
  readonly now?: () => number
  /**
   * Whether this process writes the transitions and sends the notices (default: always). In a
   * cluster, every worker follows the rules, and only the one that leads speaks.
   */
  readonly leads?: () => boolean
}

export interface AlertEngine {
  /** Every rule's state, threshold rules first, then burn-rate rules; [] when there is none. */
  statuses: () => AlertStatus[]
  /** Evaluates every rule once, now (the timer calls it every `evaluationInterval`). Never throws. */
  evaluate: () => void
  /** Stops the timer, then closes the dispatch. Never rejects. */
  close: () => Promise<void>
}

/** One rule as the engine runs it, threshold or burn-rate. */
interface Watched {
  readonly name: string
  readonly severity: AlertSeverity
  readonly holds: Holds
  readonly threshold: number
  readonly labels: Readonly<Record<string, string>>
  readonly fingerprint: string
  readonly state: RuleState
  readonly read: () => Condition
  /** One line saying what is watched and where the value stands. */
  readonly summary: (value: number | null) => string
}

const NO_HOLDS: Holds = Object.freeze({ forMs: 0, keepFiringForMs: 0 })

/**
 * The alert rules of one app: the threshold rules of `alerts.rules`, read from the aggregator,
 * and a burn-rate rule per line of each SLO's table. Every `evaluationInterval` (an unref'd
 * timer, off the request path) each rule is read and moves `ok → pending → firing → ok`. Each
 * change writes one line and counts `alert.transition`; firing, resolving, and every
 * `repeatInterval` while firing, a notice goes to the dispatch. A rule that fails to evaluate is
 * reported and keeps its state. See docs/alerts.md.
 */
export function alertEngine (alerts: ResolvedAlerts, parts: AlertEngineParts): AlertEngine {
  const now = parts.now ?? (() => Date.now())
  const { dispatch, logger, statsd, reporter } = parts
  const leads = parts.leads ?? (() => true)
  const tagFormat = parts.tagFormat ?? 'datadog'
  const started = now()
  const watched: Watched[] = [
    ...(parts.aggregator === null ? [] : alerts.rules.map((rule) => thresholdRule(rule, parts.aggregator!, started))),
    ...burnRules(parts.burnSources).map((rule) => burnRateRule(rule, started)),
  ]

  function evaluate (): void {
    const at = now()
    for (const rule of watched) {
      try {
        const condition = rule.read()
        const change = rule.state.step(condition, rule.holds, at)
        // Every worker of a cluster follows the rules; the one that leads speaks for them.
        if (change !== null) {
          if (leads()) changed(rule, change, at)
        } else if (rule.state.state === 'firing' && at - rule.state.noticeAt >= alerts.repeatIntervalMs) {
          rule.state.noticeAt = at
          if (leads()) notify(rule, 'firing', at, true)
        }
      } catch (err) {
        reporter.report('alerts', err)
      }
    }
  }

  function changed (rule: Watched, change: Change, at: number): void {
    const state = rule.state
    const resolved = change.from === 'firing'
    const line = {
      alert: { rule: rule.name, state: change.to, previous: change.from, value: state.value, threshold: rule.threshold, severity: rule.severity, summary: rule.summary(state.value) },
    }
    guarded(() => {
      if (change.to === 'firing') logger.warn(line, 'alert firing')
      else logger.info(line, resolved ? 'alert resolved' : `alert ${change.to}`)
    })
    guarded(() => statsd.increment(TRANSITION_METRIC, 1, [
      formatTag('rule', rule.name, tagFormat), formatTag('severity', rule.severity, tagFormat), formatTag('state', change.to, tagFormat),
    ]))
    if (change.to === 'firing') notify(rule, 'firing', at, false)
    else if (resolved) notify(rule, 'resolved', at, false)
  }

  function notify (rule: Watched, status: AlertNotice['status'], at: number, repeat: boolean): void {
    const { value, firingSince } = rule.state
    const summary = rule.summary(value)
    const notice: AlertNotice = Object.freeze({
      rule: rule.name,
      severity: rule.severity,
      status,
      value,
      threshold: rule.threshold,
      labels: rule.labels,
      annotations: Object.freeze({
        summary: `${rule.name} ${status}: ${summary}`,
        description: status === 'firing'
          ? `${summary}. Firing since ${new Date(firingSince).toISOString()} (severity ${rule.severity}).`
          : `${summary}. Fired from ${new Date(firingSince).toISOString()} to ${new Date(at).toISOString()}.`,
      }),
      startsAt: firingSince,
      endsAt: status === 'resolved' ? at : null,
      fingerprint: rule.fingerprint,
      repeat,
    })
    guarded(() => dispatch.notify(notice))
  }

  function guarded (action: () => void): void {
    try {
      action()
    } catch (err) {
      reporter.report('alerts', err)
    }
  }

  const timer = watched.length === 0 ? null : setInterval(evaluate, alerts.evaluationIntervalMs)
  timer?.unref()
  let closing: Promise<void> | undefined

  return {
    statuses: () => watched.map(({ name, severity, state }) => ({ name, state: state.state, since: state.since, value: state.value, severity })),
    evaluate,
    close () {
      closing ??= (async () => {
        if (timer !== null) clearInterval(timer)
        try {
          await dispatch.close()
        } catch (err) {
          reporter.report('alerts', err)
        }
      })()
      return closing
    },
  }
}

function thresholdRule (rule: ResolvedThresholdRule, aggregator: Aggregator, started: number): Watched {
  const above = rule.direction === 'above'
  const past = (value: number, level: number): boolean => above ? value > level : value < level
  const labels = alertLabels(rule.name, rule.severity, rule.labels)
  const what = rule.source.type === 'ratio' && rule.stat === 'ratio'
    ? `${rule.source.numerator.metric} ÷ ${rule.source.denominator.metric}`
    : `${rule.stat} of ${rule.source.type === 'stat' ? rule.source.metric : 'http_request'}`
  const tags = Object.entries(rule.labels).map(([key, value]) => `${key}=${value}`).join(',')
  const condition = `${what}${tags === '' ? '' : ` {${tags}}`} over ${rule.window}`
  return {
    name: rule.name,
    severity: rule.severity,
    holds: { forMs: rule.forMs, keepFiringForMs: rule.keepFiringForMs },
    threshold: rule.threshold,
    labels,
    fingerprint: fingerprint(labels),
    state: new RuleState(started),
    read () {
      const { value, count } = readRule(aggregator, rule)
      const counted = value !== null && count >= rule.minCount
      return { value, breaching: counted && past(value, rule.threshold), holding: counted && past(value, rule.clear) }
    },
    summary: (value) => `${condition} is ${value === null ? 'unknown' : round(value)} (${rule.direction} ${rule.threshold}${rule.clear === rule.threshold ? '' : `, clears ${above ? 'at or below' : 'at or above'} ${rule.clear}`})`,
  }
}

function burnRateRule (rule: BurnRule, started: number): Watched {
  const labels = alertLabels(rule.name, rule.severity, { slo: rule.source.name })
  let short: number | null = null
  return {
    name: rule.name,
    severity: rule.severity,
    holds: NO_HOLDS,
    threshold: rule.factor,
    labels,
    fingerprint: fingerprint(labels),
    state: new RuleState(started),
    read () {
      const burn = readBurn(rule)
      short = burn.short
      const breaching = reaches(burn.long, rule.factor) && reaches(burn.short, rule.factor)
      return { value: burn.long, breaching, holding: breaching }
    },
    summary: (value) => `SLO ${rule.source.name} (${rule.source.objective}%) burns its error budget at ${value === null ? 'unknown' : round(value)}× over ${rule.long} and ${short === null ? 'unknown' : round(short)}× over ${rule.short} (fires at ${rule.factor}× in both)`,
  }
}

/** Four significant digits: enough to read a value, short in a line. */
function round (value: number): string {
  return String(Number(value.toPrecision(4)))
}
