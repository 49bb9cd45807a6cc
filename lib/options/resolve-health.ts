// `health`: the liveness and readiness endpoints (docs/health.md). Off by default; given in code
// only (checks are functions). Its shape was checked with the code options (code-options.ts);
// here its values are, down to each threshold.

import { ERROR_CODES } from '../errors.ts'
import { isRecord } from './code-options.ts'
import { DEFAULTS } from './defaults.ts'
import type { OptionErrors } from './option-errors.ts'
import { plainPath } from './resolve-features.ts'
import type { OptionChecks } from './validators.ts'

/** A limit on one process reading: over `warn`, `ready` says warn; over `fail`, it fails. Either may be absent. */
export interface ResolvedLimit {
  readonly warn: number | undefined
  readonly fail: number | undefined
}

export interface ResolvedHealth {
  readonly path: string
  /** The checks, in the order given. */
  readonly checks: ReadonlyArray<readonly [name: string, check: () => unknown]>
  readonly timeoutMs: number
  /** null where no limit is set (that reading is then never taken). */
  readonly thresholds: {
    readonly eventLoopDelayMs: ResolvedLimit | null
    readonly heapUsedBytes: ResolvedLimit | null
    readonly rssBytes: ResolvedLimit | null
  }
}

type Feature = boolean | Record<string, unknown> | undefined

const THRESHOLDS = ['eventLoopDelayMs', 'heapUsedBytes', 'rssBytes'] as const
const LIMIT_KEYS = ['warn', 'fail'] as const
// A check's name is the part before ":" in its key of the answer (`db:responseTime`).
const CHECK_NAME = /^[A-Za-z0-9._-]{1,64}$/
// What `<path>/<endpoint>` serves.
export const HEALTH_ENDPOINTS = Object.freeze(['live', 'ready'] as const)

/**
 * Off by default. `dashboardPath` (null when the dashboard is off): the dashboard answers that
 * path exactly, which one of health's may not be.
 */
export function resolveHealth (value: Feature, check: OptionChecks, errors: OptionErrors, dashboardPath: string | null): ResolvedHealth | null {
  if (value === undefined || value === false) return null
  const health = value === true ? {} : value
  const path = plainPath(health.path ?? DEFAULTS.healthPath, 'health.path', check)
  const clash = HEALTH_ENDPOINTS.find((endpoint) => `${path}/${endpoint}` === dashboardPath)
  if (clash !== undefined) {
    throw errors.conflict(['health.path', 'dashboard.path'],
      `vigie: option "health.path" "${path}" puts the ${clash} endpoint at "${dashboardPath}", where "dashboard.path" puts the dashboard; choose another path for one of them`)
  }
  return Object.freeze({
    path,
    checks: resolveChecks(health.checks, check),
    timeoutMs: check.integer(health.timeoutMs, 'health.timeoutMs', DEFAULTS.healthTimeoutMs, DEFAULTS.healthTimeoutBounds),
    thresholds: resolveThresholds(health.thresholds, check, errors),
  })
}

function resolveChecks (value: unknown, check: OptionChecks): ResolvedHealth['checks'] {
  if (value === undefined) return Object.freeze([])
  if (!isRecord(value)) throw check.invalid('health.checks', 'an object of named functions', value)
  const checks: Array<readonly [string, () => unknown]> = []
  for (const [name, fn] of Object.entries(value)) {
    // The name as JSON writes it in a string: a control character in it cannot reach a log line raw.
    const option = `health.checks.${JSON.stringify(name).slice(1, -1)}`
    if (!CHECK_NAME.test(name)) throw check.invalid(option, 'under a name of 1 to 64 letters, digits and "._-"', name)
    if (typeof fn !== 'function') throw check.invalid(option, 'a function', fn)
    checks.push(Object.freeze([name, fn as () => unknown] as const))
  }
  return Object.freeze(checks)
}

function resolveThresholds (value: unknown, check: OptionChecks, errors: OptionErrors): ResolvedHealth['thresholds'] {
  if (value === undefined) return Object.freeze({ eventLoopDelayMs: null, heapUsedBytes: null, rssBytes: null })
  if (!isRecord(value)) throw check.invalid('health.thresholds', 'an object', value)
  knownKeys(value, 'health.thresholds', THRESHOLDS, errors)
  return Object.freeze({
    eventLoopDelayMs: resolveLimit(value.eventLoopDelayMs, 'health.thresholds.eventLoopDelayMs', 'a positive number (ms)', check, errors),
    heapUsedBytes: resolveLimit(value.heapUsedBytes, 'health.thresholds.heapUsedBytes', 'a positive integer (bytes)', check, errors),
    rssBytes: resolveLimit(value.rssBytes, 'health.thresholds.rssBytes', 'a positive integer (bytes)', check, errors),
  })
}

function resolveLimit (value: unknown, option: string, expected: string, check: OptionChecks, errors: OptionErrors): ResolvedLimit | null {
  if (value === undefined) return null
  if (!isRecord(value)) throw check.invalid(option, 'an object with "warn", "fail" or both', value)
  knownKeys(value, option, LIMIT_KEYS, errors)
  if (value.warn === undefined && value.fail === undefined) throw check.invalid(option, 'an object with "warn", "fail" or both', value)
  const bytes = expected.includes('integer')
  const read = (key: 'warn' | 'fail'): number | undefined => {
    const limit = value[key]
    if (limit === undefined) return undefined
    const valid = typeof limit === 'number' && limit > 0 && (bytes ? Number.isSafeInteger(limit) : Number.isFinite(limit))
    if (!valid) throw check.invalid(`${option}.${key}`, expected, limit)
    return limit
  }
  const warn = read('warn')
  const fail = read('fail')
  if (warn !== undefined && fail !== undefined && warn > fail) {
    throw errors.involving(ERROR_CODES.INVALID_OPTION, [`${option}.warn`, `${option}.fail`],
      `vigie: option "${option}.warn" must be at most "${option}.fail" (${fail}); received ${warn}`)
  }
  return Object.freeze({ warn, fail })
}

function knownKeys (value: Record<string, unknown>, option: string, known: readonly string[], errors: OptionErrors): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue
    const path = `${option}.${JSON.stringify(key).slice(1, -1)}`
    throw errors.involving(ERROR_CODES.UNKNOWN_OPTION, [path],
      `vigie: unknown option "${path}"; known options here are ${known.map((k) => `"${option}.${k}"`).join(', ')}`)
  }
}
