// The features that are a boolean or an object of sub-options: propagation, aggregation,
// process gauges, the dashboard and the limit on exception lines. Their shape was checked with the code options
// (code-options.ts); here their values are.

import { isIP } from 'node:net'
import { compilePropagationTargets } from './propagation-targets.ts'
import { DEFAULTS } from './defaults.ts'
import type { OptionErrors } from './option-errors.ts'
import type { OptionChecks } from './validators.ts'

// Segments of unreserved URL characters only: the dashboard's path is written into its page's HTML.
const PLAIN_PATH = /^(\/[A-Za-z0-9._~-]+)+$/
// What an `Authorization: Bearer` header can carry as one token.
const DASHBOARD_TOKEN = /^[\x21-\x7e]+$/
// A host name (RFC 1123 labels) the metrics' own server can listen on, when not an IP address.
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

type Feature = boolean | Record<string, unknown> | undefined

/** A path option of a feature's endpoints: `/`-separated segments of letters, digits and `._~-`, neither `.` nor `..`. */
export function plainPath (path: unknown, option: string, check: OptionChecks): string {
  if (typeof path !== 'string' || !PLAIN_PATH.test(path) || path.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw check.invalid(option, 'a path starting with "/", of letters, digits and "._~-", with no trailing "/"', path)
  }
  return path
}

/** Off by default without async context: an outgoing call finds the request it belongs to there. */
export function resolvePropagation (value: Feature, asyncContext: boolean, check: OptionChecks, errors: OptionErrors): { readonly allows: (url: URL) => boolean } | null {
  if (value === false) return null
  if (!asyncContext) {
    if (value === undefined) return null
    throw errors.conflict(['propagation', 'asyncContext'],
      'vigie: option "propagation" cannot be used with "asyncContext": false; outgoing calls find their request in the async context (set propagation: false, or leave asyncContext on)')
  }
  const targets = value === undefined || value === true ? undefined : value.targets
  return Object.freeze({ allows: compilePropagationTargets(targets, check.invalid) })
}

export function resolveAggregation (value: Feature, check: OptionChecks): { readonly maxSeries: number } | null {
  if (value === false) return null
  const maxSeries = value === undefined || value === true ? undefined : value.maxSeries
  return Object.freeze({ maxSeries: check.integer(maxSeries, 'aggregation.maxSeries', DEFAULTS.aggregationMaxSeries, DEFAULTS.aggregationMaxSeriesBounds) })
}

export function resolveProcessMetrics (value: Feature, check: OptionChecks): { readonly intervalMs: number } | null {
  if (value === false) return null
  const intervalMs = value === undefined || value === true ? undefined : value.intervalMs
  return Object.freeze({
    intervalMs: check.integer(intervalMs, 'processMetrics.intervalMs', DEFAULTS.processMetricsIntervalMs, DEFAULTS.processMetricsIntervalBounds),
  })
}

/** The database feature's resolved options (docs/database.md). */
export interface DatabaseSettings {
  readonly slowQueryMs: number
  /** `null` when the N+1 check is off (`nPlusOne: false`). */
  readonly nPlusOne: number | null
  readonly logParameters: boolean
  readonly comment: boolean
}

/** On by default: the database drivers' queries are counted and timed. */
export function resolveDatabase (value: Feature, check: OptionChecks): DatabaseSettings | null {
  if (value === false) return null
  const database = value === undefined || value === true ? {} : value
  return Object.freeze({
    slowQueryMs: check.integer(database.slowQueryMs, 'database.slowQueryMs', DEFAULTS.slowQueryMs, DEFAULTS.slowQueryBounds),
    nPlusOne: database.nPlusOne === false ? null : check.integer(database.nPlusOne, 'database.nPlusOne', DEFAULTS.nPlusOne, DEFAULTS.nPlusOneBounds),
    logParameters: check.boolean(database.logParameters, 'database.logParameters', false),
    comment: check.boolean(database.comment, 'database.comment', false),
  })
}

/** Off by default. */
export function resolveDashboard (value: Feature, check: OptionChecks): { readonly path: string, readonly token: string | undefined } | null {
  if (value === undefined || value === false) return null
  const dashboard = value === true ? {} : value
  const path = plainPath(dashboard.path ?? DEFAULTS.dashboardPath, 'dashboard.path', check)
  const token = dashboard.token
  if (token !== undefined && (typeof token !== 'string' || !DASHBOARD_TOKEN.test(token))) {
    // The value is not echoed: it is meant to be a secret, and error messages end up in logs.
    throw check.invalid('dashboard.token', 'a non-empty string of printable ASCII characters without spaces', token, true)
  }
  return Object.freeze({ path, token })
}

/** The Prometheus endpoint's resolved options (docs/prometheus.md). */
export interface PrometheusSettings {
  readonly path: string
  readonly token: string | undefined
  /** Its own server's port; null when it is served on the app. */
  readonly port: number | null
  /** Its own server's address. */
  readonly host: string
}

/**
 * Off by default. `taken`: the paths the app already serves for the dashboard and health (their
 * exact paths, and prefixes ending in `/` under which all is theirs), which the metrics may not
 * take when served on the app.
 */
export function resolvePrometheus (value: Feature, check: OptionChecks, errors: OptionErrors, taken: ReadonlyArray<readonly [option: string, path: string]>): PrometheusSettings | null {
  if (value === undefined || value === false) return null
  const prometheus = value === true ? {} : value
  const path = plainPath(prometheus.path ?? DEFAULTS.prometheusPath, 'prometheus.path', check)
  const token = prometheus.token
  if (token !== undefined && (typeof token !== 'string' || !DASHBOARD_TOKEN.test(token))) {
    throw check.invalid('prometheus.token', 'a non-empty string of printable ASCII characters without spaces', token, true)
  }
  const port = prometheus.port === undefined ? null : check.integer(prometheus.port, 'prometheus.port', undefined, DEFAULTS.prometheusPortBounds)
  const host = prometheus.host ?? DEFAULTS.prometheusHost
  if (typeof host !== 'string' || (isIP(host) === 0 && !HOST_NAME.test(host))) {
    throw check.invalid('prometheus.host', 'an IP address or a host name', host)
  }
  if (port === null && prometheus.host !== undefined) {
    throw errors.conflict(['prometheus.host', 'prometheus.port'],
      'vigie: option "prometheus.host" is the address of the metrics\' own server, which only "prometheus.port" starts; set the port too, or remove the host (the metrics are then served on the app)')
  }
  if (port === null) {
    const clash = taken.find(([, other]) => other.endsWith('/') ? path.startsWith(other) : path === other)
    if (clash !== undefined) {
      throw errors.conflict(['prometheus.path', clash[0]],
        `vigie: option "prometheus.path" "${path}" is a path that "${clash[0]}" gives the app already; choose another path for one of them`)
    }
  }
  return Object.freeze({ path, token, port, host })
}

/** On by default; `false` writes every exception line in full. */
export function resolveExceptionLines (value: Feature, check: OptionChecks): { readonly perInterval: number, readonly intervalMs: number } | null {
  if (value === false) return null
  const lines = value === undefined || value === true ? {} : value
  return Object.freeze({
    perInterval: check.integer(lines.perInterval, 'exceptionLines.perInterval', DEFAULTS.exceptionLinesPerInterval, DEFAULTS.exceptionLinesPerIntervalBounds),
    intervalMs: check.integer(lines.intervalMs, 'exceptionLines.intervalMs', DEFAULTS.exceptionLinesIntervalMs, DEFAULTS.exceptionLinesIntervalBounds),
  })
}
