// resolveOptions(): the options given in code, with the environment laid under them and the
// defaults under both, checked and frozen. The same for every entry point: the Fastify plugin,
// the Express middleware, patchAll() and vigie/register.

import { userFromRequest } from '../capture/request-user.ts'
import { checkScrubOptions, type ScrubOptions } from '../scrub/scrubber.ts'
import type { VigieOptions } from '../types.ts'
import { checkCodeOptions } from './code-options.ts'
import { DEFAULTS } from './defaults.ts'
import { readEnvironment, type Env } from './environment.ts'
import { OptionErrors } from './option-errors.ts'
import { isDecidedInCode, layerOptions } from './precedence.ts'
import { resolveAlerts, type ResolvedAlerts } from './resolve-alerts.ts'
import { resolveInstance } from './resolve-instance.ts'
import { resolveAggregation, resolveDashboard, resolveDatabase, resolveExceptionLines, resolveProcessMetrics, resolvePrometheus, resolvePropagation, type DatabaseSettings, type PrometheusSettings } from './resolve-features.ts'
import { resolveSloStore, resolveSlos, type ResolvedSlo, type ResolvedSloStore } from './resolve-slos.ts'
import { resolveHealth, type ResolvedHealth } from './resolve-health.ts'
import { resolveStatsd, type ResolvedStatsd } from './resolve-statsd.ts'
import { CODE_CHECKS, OptionChecks } from './validators.ts'

export { DEFAULTS } from './defaults.ts'
export type { ResolvedStatsd } from './resolve-statsd.ts'
export type { ResolvedSlo, ResolvedSloStore } from './resolve-slos.ts'
export type { ResolvedHealth, ResolvedLimit } from './resolve-health.ts'
export type { ResolvedAlerts } from './resolve-alerts.ts'
export type { PrometheusSettings } from './resolve-features.ts'

export interface ResolvedOptions<Request = unknown> {
  readonly disabled: boolean
  readonly statsd: ResolvedStatsd
  readonly correlationHeader: string
  /** Who made the request: the `getUser` option, else the default reader of `request.user`; null when `getUser: false`. */
  readonly getUser: ((request: Request) => unknown) | null
  readonly captureClientErrors: boolean
  readonly capture: { readonly maxBodyBytes: number, readonly maxDepth: number, readonly maxArrayItems: number, readonly maxTotalKeys: number }
  readonly scrub: ScrubOptions
  readonly maxControllers: number
  /** This process's `instance` tag value; null when off (`instance: false`). */
  readonly instance: string | null
  /** Whether a cluster worker shares its aggregation with the app's other workers. */
  readonly cluster: boolean
  readonly ignore: { readonly paths: ReadonlySet<string>, readonly predicate: ((request: Request) => boolean) | undefined }
  /** Whether each request runs in vigie's AsyncLocalStorage. */
  readonly asyncContext: boolean
  /** Whether pino lines written inside a request get its `correlationId` (log injection). */
  readonly logInjection: boolean
  /** null when propagation is off. */
  readonly propagation: { readonly allows: (url: URL) => boolean } | null
  /** null when in-process aggregation is off. */
  readonly aggregation: { readonly maxSeries: number } | null
  /** null when process gauges are off. */
  readonly processMetrics: { readonly intervalMs: number } | null
  /** null when database query metrics are off (`database: false`). */
  readonly database: DatabaseSettings | null
  /** null when the dashboard is off (the default). */
  readonly dashboard: { readonly path: string, readonly token: string | undefined } | null
  /** null when the Prometheus endpoint is off (the default). */
  readonly prometheus: PrometheusSettings | null
  /** Full exception lines per kind and interval; null when unlimited (`exceptionLines: false`). */
  readonly exceptionLines: { readonly perInterval: number, readonly intervalMs: number } | null
  /** The SLOs, checked; empty when none. */
  readonly slos: readonly ResolvedSlo[]
  /** Where their counts persist. */
  readonly slo: ResolvedSloStore
  /** null when the health endpoints are off (the default). */
  readonly health: ResolvedHealth | null
  /** Threshold rules (none by default) and the intervals every alert rule runs on. */
  readonly alerts: ResolvedAlerts
}

type Group = Record<string, unknown>
type Feature = boolean | Group | undefined

/**
 * Resolves each option from, in this order: the options given in code, the environment variable
 * that sets it (environment.ts), its default (defaults.ts). Returns a frozen, fully populated
 * copy and never mutates `input`. Throws a VigieError naming the first bad option, and the
 * variable behind it when one set it (VIGIE_ERR_INVALID_ENV).
 */
export function resolveOptions<Request> (input: VigieOptions<Request> | undefined, env: Env = process.env): ResolvedOptions<Request> {
  const code = checkCodeOptions(input)
  const environment = readEnvironment(env, (option) => isDecidedInCode(code, option))
  const options = layerOptions(code, environment.options)
  const errors = new OptionErrors(environment.sources)
  const check = new OptionChecks(errors.invalid)

  const capture = (options.capture ?? {}) as Group
  const asyncContext = check.boolean(options.asyncContext, 'asyncContext', DEFAULTS.asyncContext)
  const aggregation = resolveAggregation(options.aggregation as Feature, check)
  const alerts = resolveAlerts(options.alerts as Group | undefined, check.invalid)
  if (aggregation === null && alerts.rules.length > 0) {
    throw errors.conflict(['alerts.rules', 'aggregation'],
      'vigie: option "alerts.rules" needs the in-process aggregation, which "aggregation": false turns off; threshold rules read its windows (turn aggregation on, or remove the rules)')
  }
  const resolved = {
    disabled: environment.disabled,
    statsd: resolveStatsd((options.statsd ?? {}) as Group, check, errors),
    correlationHeader: check.headerName(options.correlationHeader, 'correlationHeader'),
    getUser: resolveGetUser<Request>(options.getUser, check),
    captureClientErrors: check.boolean(options.captureClientErrors, 'captureClientErrors', DEFAULTS.captureClientErrors),
    capture: Object.freeze({
      maxBodyBytes: check.integer(capture.maxBodyBytes, 'capture.maxBodyBytes', DEFAULTS.maxBodyBytes, DEFAULTS.maxBodyBytesBounds),
      maxDepth: check.integer(capture.maxDepth, 'capture.maxDepth', DEFAULTS.maxDepth, DEFAULTS.maxDepthBounds),
      maxArrayItems: check.integer(capture.maxArrayItems, 'capture.maxArrayItems', DEFAULTS.maxArrayItems, DEFAULTS.maxArrayItemsBounds),
      maxTotalKeys: check.integer(capture.maxTotalKeys, 'capture.maxTotalKeys', DEFAULTS.maxTotalKeys, DEFAULTS.maxTotalKeysBounds),
    }),
    scrub: checkScrubOptions((options.scrub ?? {}) as ScrubOptions, check.invalid),
    maxControllers: check.integer(options.maxControllers, 'maxControllers', DEFAULTS.maxControllers, { min: 1 }),
    instance: resolveInstance(options.instance, check, env),
    cluster: check.boolean(options.cluster, 'cluster', DEFAULTS.cluster),
    ignore: resolveIgnore<Request>(options.ignore, check),
    asyncContext,
    logInjection: check.boolean(options.logInjection, 'logInjection', DEFAULTS.logInjection),
    propagation: resolvePropagation(options.propagation as Feature, asyncContext, check, errors),
    aggregation,
    processMetrics: resolveProcessMetrics(options.processMetrics as Feature, check),
    database: resolveDatabase(options.database as Feature, check),
    dashboard: resolveDashboard(options.dashboard as Feature, check),
    exceptionLines: resolveExceptionLines(options.exceptionLines as Feature, check),
    slos: resolveSlos(options.slos, check.invalid),
    slo: resolveSloStore(options.slo, check.invalid),
    alerts,
  }
  const health = resolveHealth(options.health as Feature, check, errors, resolved.dashboard?.path ?? null)
  const taken: Array<readonly [string, string]> = []
  if (resolved.dashboard !== null) taken.push(['dashboard.path', resolved.dashboard.path], ['dashboard.path', `${resolved.dashboard.path}/`])
  if (health !== null) taken.push(['health.path', `${health.path}/`])
  return Object.freeze({ ...resolved, health, prometheus: resolvePrometheus(options.prometheus as Feature, check, errors, taken) })
}

/**
 * The `correlationHeader` option alone, for genReqId(), which must name the plugin's header: the
 * value given, else `VIGIE_CORRELATION_HEADER`, else `x-request-id`; lower-cased. No other
 * variable is read.
 */
export function resolveHeaderName (value: unknown, env: Env = process.env): string {
  if (value !== undefined) return CODE_CHECKS.headerName(value, 'correlationHeader')
  const environment = readEnvironment(env, (option) => option !== 'correlationHeader')
  return new OptionChecks(new OptionErrors(environment.sources).invalid).headerName(environment.options.correlationHeader, 'correlationHeader')
}

function resolveGetUser<Request> (value: unknown, check: OptionChecks): ResolvedOptions<Request>['getUser'] {
  if (value === false) return null
  if (value === undefined) return userFromRequest
  if (typeof value !== 'function') throw check.invalid('getUser', 'a function or false', value)
  return value as (request: Request) => unknown
}

function resolveIgnore<Request> (value: unknown, check: OptionChecks): ResolvedOptions<Request>['ignore'] {
  if (value === undefined) return Object.freeze({ paths: new Set<string>(), predicate: undefined })
  if (typeof value === 'function') return Object.freeze({ paths: new Set<string>(), predicate: value as (request: Request) => boolean })
  if (!Array.isArray(value) || !value.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw check.invalid('ignore', 'an array of paths starting with "/" or a function', value)
  }
  return Object.freeze({ paths: new Set<string>(value), predicate: undefined })
}
