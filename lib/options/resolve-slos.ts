// The `slos` and `slo` options: each SLO checked field by field, with errors that name the field
// (`slos[2].objective`), and its burn-rate table resolved (the SRE Workbook's, scaled to its
// window, unless it brings its own). Code only: no environment variable sets them.

import type { InvalidOption } from '../errors.ts'
import type { AlertSeverity } from '../types.ts'
import { checkKeysAt, isRecord } from './code-options.ts'
import { describeMs, parseDuration } from './duration.ts'

const MINUTE_MS = 60_000
const DAY_MS = 24 * 60 * MINUTE_MS
/** The window the Workbook's table is written for. */
const WORKBOOK_WINDOW_MS = 30 * DAY_MS

/** Most SLOs, and most days their windows may add up to: each minute of a window holds 9 bytes (slo.md#overhead). */
export const MAX_SLOS = 50
export const MAX_TOTAL_WINDOW_MS = 1500 * DAY_MS
const MAX_CONTROLLERS = 1000
const MAX_BURN_RATE_ALERTS = 10
const MAX_NAME_LENGTH = 64
// Safe as a StatsD tag value in both tag formats, and as a JSON key.
const SLO_NAME = /^[A-Za-z0-9._-]+$/
const SLO_KEYS = ['name', 'objective', 'window', 'sli', 'controllers', 'burnRateAlerts'] as const
const BURN_RATE_ALERT_KEYS = ['severity', 'factor', 'longWindow', 'shortWindow'] as const
const SEVERITIES: readonly AlertSeverity[] = ['page', 'ticket', 'info']

/** One line of an SLO's burn-rate table, windows in whole minutes (as ms). Same shape as slo/burn-source.ts's ResolvedBurnRateAlert. */
export interface ResolvedBurnRate {
  readonly severity: AlertSeverity
  readonly factor: number
  readonly longMs: number
  readonly shortMs: number
}

/** What an event is judged by. */
export type ResolvedSli = { readonly kind: 'availability' } | { readonly kind: 'latency', readonly thresholdMs: number }

export interface ResolvedSlo {
  readonly name: string
  /** A percentage in (0, 100). */
  readonly objective: number
  /** The window as given (`'30d'`). */
  readonly window: string
  /** The window in ms: whole minutes. */
  readonly windowMs: number
  readonly sli: ResolvedSli
  /** null: every controller. */
  readonly controllers: ReadonlySet<string> | null
  readonly burnRateAlerts: readonly ResolvedBurnRate[]
}

export interface ResolvedSloStore {
  /** The file the counts persist in; null: none. */
  readonly store: string | null
  /** Time between two writes of the store. */
  readonly writeIntervalMs: number
}

/** The SRE Workbook's multiwindow, multi-burn-rate table, for a 30-day SLO (windows in minutes). */
export const WORKBOOK_BURN_RATES: ReadonlyArray<{ readonly severity: AlertSeverity, readonly factor: number, readonly longMinutes: number, readonly shortMinutes: number }> = Object.freeze([
  { severity: 'page', factor: 14.4, longMinutes: 60, shortMinutes: 5 },
  { severity: 'page', factor: 6, longMinutes: 6 * 60, shortMinutes: 30 },
  { severity: 'ticket', factor: 3, longMinutes: 24 * 60, shortMinutes: 2 * 60 },
  { severity: 'ticket', factor: 1, longMinutes: 3 * 24 * 60, shortMinutes: 6 * 60 },
])

export const SLO_STORE_DEFAULTS = Object.freeze({ writeIntervalMs: MINUTE_MS, writeIntervalBounds: Object.freeze({ min: 1000, max: MINUTE_MS }) })

/** The Workbook's table for a window of `windowMs`: factors as they are, windows × windowMs ÷ 30 days, in whole minutes (at least one). */
export function scaledWorkbookTable (windowMs: number): readonly ResolvedBurnRate[] {
  const scale = windowMs / WORKBOOK_WINDOW_MS
  const minutes = (base: number): number => Math.max(1, Math.round(base * scale)) * MINUTE_MS
  return Object.freeze(WORKBOOK_BURN_RATES.map((line) => Object.freeze({
    severity: line.severity,
    factor: line.factor,
    longMs: minutes(line.longMinutes),
    shortMs: minutes(line.shortMinutes),
  })))
}

/** `slos`: an array of SLO definitions (none by default). */
export function resolveSlos (value: unknown, invalid: InvalidOption): readonly ResolvedSlo[] {
  if (value === undefined) return Object.freeze([])
  if (!Array.isArray(value) || value.length > MAX_SLOS) throw invalid('slos', `an array of at most ${MAX_SLOS} SLO definitions`, value)
  const names = new Set<string>()
  let totalMs = 0
  const slos = value.map((entry: unknown, i) => {
    const slo = resolveSlo(entry, `slos[${i}]`, invalid)
    if (names.has(slo.name)) throw invalid(`slos[${i}].name`, 'a name no other SLO has', slo.name)
    names.add(slo.name)
    totalMs += slo.windowMs
    return slo
  })
  if (totalMs > MAX_TOTAL_WINDOW_MS) {
    throw invalid('slos', `SLOs whose windows add up to at most ${describeMs(MAX_TOTAL_WINDOW_MS)} (${describeMs(totalMs)} here; each window minute is kept in memory)`, value)
  }
  return Object.freeze(slos)
}

/** `slo`: `{ store, writeIntervalMs }`, both optional. Its keys were checked with the code options. */
export function resolveSloStore (value: unknown, invalid: InvalidOption): ResolvedSloStore {
  const slo = (value ?? {}) as Record<string, unknown>
  const store = slo.store
  if (store !== undefined && (typeof store !== 'string' || store.length === 0 || store.includes('\u0000'))) {
    throw invalid('slo.store', 'a file path (a non-empty string)', store)
  }
  const interval = slo.writeIntervalMs ?? SLO_STORE_DEFAULTS.writeIntervalMs
  const { min, max } = SLO_STORE_DEFAULTS.writeIntervalBounds
  if (typeof interval !== 'number' || !Number.isSafeInteger(interval) || interval < min || interval > max) {
    throw invalid('slo.writeIntervalMs', `an integer from ${min} to ${max}`, interval)
  }
  return Object.freeze({ store: store ?? null, writeIntervalMs: interval })
}

function resolveSlo (value: unknown, path: string, invalid: InvalidOption): ResolvedSlo {
  if (!isRecord(value)) throw invalid(path, 'an SLO definition: { name, objective, window, sli }', value)
  checkKeysAt(value, path, SLO_KEYS)
  const name = value.name
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH || !SLO_NAME.test(name)) {
    throw invalid(`${path}.name`, `a name of 1 to ${MAX_NAME_LENGTH} letters, digits and "._-"`, name)
  }
  const objective = value.objective
  if (typeof objective !== 'number' || !(objective > 0 && objective < 100)) {
    throw invalid(`${path}.objective`, 'a percentage greater than 0 and less than 100, e.g. 99.9', objective)
  }
  const windowMs = minutes(value.window, `${path}.window`, invalid, 366 * DAY_MS)
  return Object.freeze({
    name,
    objective,
    window: value.window as string,
    windowMs,
    sli: resolveSli(value.sli, `${path}.sli`, invalid),
    controllers: resolveControllers(value.controllers, `${path}.controllers`, invalid),
    burnRateAlerts: resolveBurnRateAlerts(value.burnRateAlerts, `${path}.burnRateAlerts`, windowMs, invalid),
  })
}

/** A duration option of whole minutes, from 1m to `maxMs`. */
function minutes (value: unknown, path: string, invalid: InvalidOption, maxMs: number): number {
  const ms = parseDuration(value, path, invalid, MINUTE_MS, maxMs)
  if (ms % MINUTE_MS !== 0) throw invalid(path, `whole minutes (counts are kept per minute), from 1m to ${describeMs(maxMs)}`, value)
  return ms
}

function resolveSli (value: unknown, path: string, invalid: InvalidOption): ResolvedSli {
  const expected = '"availability" or { latency: { thresholdMs } }'
  if (value === 'availability') return Object.freeze({ kind: 'availability' })
  if (!isRecord(value)) throw invalid(path, expected, value)
  checkKeysAt(value, path, ['latency'])
  const latency = value.latency
  if (!isRecord(latency)) throw invalid(`${path}.latency`, '{ thresholdMs }', latency)
  checkKeysAt(latency, `${path}.latency`, ['thresholdMs'])
  const thresholdMs = latency.thresholdMs
  if (typeof thresholdMs !== 'number' || !Number.isFinite(thresholdMs) || thresholdMs <= 0) {
    throw invalid(`${path}.latency.thresholdMs`, 'a number of milliseconds greater than 0', thresholdMs)
  }
  return Object.freeze({ kind: 'latency', thresholdMs })
}

function resolveControllers (value: unknown, path: string, invalid: InvalidOption): ReadonlySet<string> | null {
  if (value === undefined) return null
  const expected = `an array of 1 to ${MAX_CONTROLLERS} controllers (route patterns such as "/users/:id")`
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CONTROLLERS) throw invalid(path, expected, value)
  value.forEach((controller: unknown, i) => {
    if (typeof controller !== 'string' || controller.length === 0 || controller.length > 1000) {
      throw invalid(`${path}[${i}]`, 'a non-empty string of at most 1000 characters', controller)
    }
  })
  return new Set(value as string[])
}

function resolveBurnRateAlerts (value: unknown, path: string, windowMs: number, invalid: InvalidOption): readonly ResolvedBurnRate[] {
  if (value === undefined) return scaledWorkbookTable(windowMs)
  if (value === false) return Object.freeze([])
  if (!Array.isArray(value) || value.length > MAX_BURN_RATE_ALERTS) {
    throw invalid(path, `false or an array of at most ${MAX_BURN_RATE_ALERTS} { severity, factor, longWindow, shortWindow }`, value)
  }
  return Object.freeze(value.map((entry: unknown, i) => {
    const at = `${path}[${i}]`
    if (!isRecord(entry)) throw invalid(at, '{ severity, factor, longWindow, shortWindow }', entry)
    checkKeysAt(entry, at, BURN_RATE_ALERT_KEYS)
    const severity = entry.severity
    if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) {
      throw invalid(`${at}.severity`, `one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}`, severity)
    }
    const factor = entry.factor
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0) throw invalid(`${at}.factor`, 'a number greater than 0', factor)
    const longMs = minutes(entry.longWindow, `${at}.longWindow`, invalid, windowMs)
    const shortMs = minutes(entry.shortWindow, `${at}.shortWindow`, invalid, longMs)
    return Object.freeze({ severity: severity as AlertSeverity, factor, longMs, shortMs })
  }))
}
