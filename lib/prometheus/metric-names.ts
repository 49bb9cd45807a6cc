// What a metric vigie records is called in the Prometheus exposition: vigie's own request,
// query and outgoing-call metrics under fixed names, everything else (the app's `app.statsd`
// metrics, the process and SLO gauges) under its name made valid. Label names are made valid
// the same way; label values are escaped when written (exposition.ts).

import { METRIC_NAMES } from '../metrics/request-metrics.ts'
import type { MetricKind } from '../types.ts'

export type FamilyType = 'counter' | 'histogram' | 'gauge'

/** One metric family: its name (a counter's ends in `_total`, a histogram's is its samples' base), type and help. */
export interface FamilyName {
  readonly name: string
  readonly type: FamilyType
  readonly help: string
  /** vigie's own http metrics: their `http_status` and `http_status_class` tags become `status` and `status_class`. */
  readonly renamesStatus: boolean
}

const TYPES: Readonly<Record<MetricKind, FamilyType>> = Object.freeze({ counter: 'counter', timing: 'histogram', gauge: 'gauge' })

function fixed (kind: MetricKind, vigieName: string, name: string, help: string, renamesStatus: boolean): [string, FamilyName] {
  return [`${kind}\u0000${vigieName}`, Object.freeze({ name, type: TYPES[kind], help, renamesStatus })]
}

/** vigie's own metrics, by `kind\0vigie name`. */
const FIXED: ReadonlyMap<string, FamilyName> = new Map([
  fixed('counter', METRIC_NAMES.request, 'http_requests_total', 'Requests answered, by controller (route pattern), method and status.', true),
  fixed('timing', METRIC_NAMES.responseTime, 'http_request_duration_seconds', 'Response time of the requests answered, in seconds.', true),
  fixed('counter', METRIC_NAMES.exception, 'http_request_exceptions_total', 'Exceptions captured, by controller and exception name.', false),
  fixed('timing', METRIC_NAMES.dbTime, 'http_request_db_time_seconds', 'Time spent in database queries per request that sent any, in seconds.', true),
  fixed('counter', METRIC_NAMES.clientRequest, 'http_client_requests_total', 'Outgoing HTTP calls made while requests were handled, by target host, method and status.', true),
  fixed('timing', METRIC_NAMES.clientResponseTime, 'http_client_request_duration_seconds', 'Response time of the outgoing HTTP calls, in seconds.', true),
  fixed('counter', METRIC_NAMES.dbQuery, 'db_queries_total', 'Database queries, by system, operation, outcome and controller.', false),
  fixed('timing', METRIC_NAMES.dbQueryResponseTime, 'db_query_duration_seconds', 'Response time of the database queries, in seconds.', false),
])

const INVALID_NAME_CHARS = /[^A-Za-z0-9_]/g

/**
 * A metric or label name made valid (`[A-Za-z_][A-Za-z0-9_]*`): every other character becomes
 * `_` (`.` and `-` among them; `:` too, which Prometheus keeps for recording rules), a leading
 * digit is prefixed with `_`, and an empty name becomes `_`.
 */
export function sanitizeName (name: string): string {
  const valid = name.replace(INVALID_NAME_CHARS, '_')
  if (valid === '') return '_'
  const first = valid.charCodeAt(0)
  return first >= 48 && first <= 57 ? `_${valid}` : valid
}

/**
 * The family a metric goes into: vigie's own under their fixed names; any other counter as
 * `<name>_total`, timing as the histogram `<name>_seconds` (values in ms become seconds), gauge
 * as `<name>`, each name sanitised. Suffixes already there are not doubled.
 */
export function familyNameOf (kind: MetricKind, name: string): FamilyName {
  const known = FIXED.get(`${kind}\u0000${name}`)
  if (known !== undefined) return known
  const base = sanitizeName(name)
  const help = `vigie: the ${kind} "${name}"${kind === 'timing' ? ', sent in milliseconds, exposed in seconds' : ''}.`
  if (kind === 'counter') return { name: base.endsWith('_total') && base.length > '_total'.length ? base : `${base}_total`, type: 'counter', help, renamesStatus: false }
  if (kind === 'timing') return { name: base.endsWith('_seconds') ? base : `${base}_seconds`, type: 'histogram', help, renamesStatus: false }
  return { name: base, type: 'gauge', help, renamesStatus: false }
}

/**
 * Every sample name a family writes, or may write in either format: Prometheus takes these
 * as one namespace, so two families may not share any of them.
 */
export function reservedNames (family: FamilyName): string[] {
  if (family.type === 'counter') {
    const base = family.name.slice(0, -'_total'.length)
    return [base, family.name, `${base}_created`]
  }
  if (family.type === 'histogram') return [family.name, `${family.name}_bucket`, `${family.name}_count`, `${family.name}_sum`, `${family.name}_created`]
  return [family.name]
}

/**
 * A tag's label name: sanitised; names Prometheus reserves (`__…`) prefixed with `tag`; on
 * vigie's http metrics `http_status` and `http_status_class` become `status` and
 * `status_class`; on histograms a tag `le` becomes `exported_le`.
 */
export function labelNameOf (key: string, family: FamilyName): string {
  if (family.renamesStatus) {
    if (key === 'http_status') return 'status'
    if (key === 'http_status_class') return 'status_class'
  }
  const name = sanitizeName(key)
  if (name.startsWith('__')) return `tag${name}`
  if (name === 'le' && family.type === 'histogram') return 'exported_le'
  return name
}
