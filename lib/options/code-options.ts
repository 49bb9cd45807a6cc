// The options given in code, checked for shape before anything else: an object, with known
// names at every level, each option object an object. Their values are checked later, once the
// environment is laid under them (resolve-options.ts).

import { ERROR_CODES, VigieError, invalidOption } from '../errors.ts'
import { OPTION_KEYS, type OptionGroup } from './option-names.ts'

/** Options given in code: a plain record whose option objects are records too. */
export type CodeOptions = Readonly<Record<string, unknown>>

/** Option objects that are always objects. */
const GROUPS = ['statsd', 'capture', 'scrub', 'slo', 'alerts'] as const
/** Features that are a boolean or an object of sub-options. */
const FEATURES = ['propagation', 'aggregation', 'processMetrics', 'dashboard', 'prometheus', 'exceptionLines', 'health', 'database'] as const

export function isRecord (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function objectOption (value: unknown, name: string, expected = 'an object'): Record<string, unknown> {
  if (!isRecord(value)) throw invalidOption(name, expected, value)
  return value
}

/**
 * Throws VIGIE_ERR_UNKNOWN_OPTION for the first key of `value` not in `known`, naming it under
 * `at` (the option object's path, `''` at the top level) with the names known there.
 */
export function checkKeysAt (value: Record<string, unknown>, at: string, known: readonly string[]): void {
  const prefix = at === '' ? '' : `${at}.`
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new VigieError(ERROR_CODES.UNKNOWN_OPTION,
        `vigie: unknown option "${prefix}${key}"; known options here are ${known.map((k) => `"${prefix}${k}"`).join(', ')}`,
        { options: [`${prefix}${key}`] })
    }
  }
}

function checkKnownKeys (value: Record<string, unknown>, group: OptionGroup | ''): void {
  checkKeysAt(value, group, OPTION_KEYS[group])
}

/**
 * Checks the shape of the options given in code and returns them without the option objects
 * left null (`statsd: null` means no `statsd`). The caller's object is not changed.
 */
export function checkCodeOptions (input: unknown): CodeOptions {
  const options = objectOption(input ?? {}, 'options')
  checkKnownKeys(options, '')
  const out: Record<string, unknown> = { ...options }
  for (const group of GROUPS) {
    if (options[group] === undefined || options[group] === null) {
      delete out[group]
      continue
    }
    checkKnownKeys(objectOption(options[group], group, group === 'slo' ? 'an object ({ store, writeIntervalMs }); the list of SLOs is "slos"' : undefined), group)
  }
  for (const feature of FEATURES) {
    const value = options[feature]
    if (value === undefined || typeof value === 'boolean') continue
    checkKnownKeys(objectOption(value, feature, 'a boolean or an object'), feature)
  }
  return out
}
