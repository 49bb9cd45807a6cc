// Checks of single option values. Each one names the option it refuses through `invalid`, which
// says whether the value came from code or from an environment variable (option-errors.ts).

import { invalidOption, type InvalidOption } from '../errors.ts'
import { DEFAULTS, type Bounds } from './defaults.ts'

// RFC 9110 token characters, the only ones a header name may hold.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export class OptionChecks {
  readonly invalid: InvalidOption

  constructor (invalid: InvalidOption) {
    this.invalid = invalid
  }

  /** An integer within `bounds`; `fallback` when absent (0 stays 0: no `||` here). */
  integer (value: unknown, name: string, fallback: number | undefined, bounds: Partial<Bounds> & { min: number }): number {
    if (value === undefined && fallback !== undefined) return fallback
    const max = bounds.max ?? Number.MAX_SAFE_INTEGER
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < bounds.min || value > max) {
      const expected = bounds.max === undefined
        ? (bounds.min === 0 ? 'an integer ≥ 0' : 'a positive integer')
        : `an integer from ${bounds.min} to ${bounds.max}`
      throw this.invalid(name, expected, value)
    }
    return value
  }

  /** A share in (0, 1]. */
  rate (value: unknown, name: string, fallback: number): number {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
      throw this.invalid(name, 'a number greater than 0 and at most 1', value)
    }
    return value
  }

  boolean (value: unknown, name: string, fallback: boolean): boolean {
    if (value === undefined) return fallback
    if (typeof value !== 'boolean') throw this.invalid(name, 'a boolean', value)
    return value
  }

  optionalString (value: unknown, name: string): string | undefined {
    if (value === undefined) return undefined
    if (typeof value !== 'string') throw this.invalid(name, 'a string', value)
    return value
  }

  nonEmptyString (value: unknown, name: string): string {
    if (typeof value !== 'string' || value.length === 0) throw this.invalid(name, 'a non-empty string', value)
    return value
  }

  oneOf<const T extends readonly string[]> (value: unknown, name: string, allowed: T, fallback: T[number]): T[number] {
    if (value === undefined) return fallback
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw this.invalid(name, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value)
    }
    return value
  }

  /** A header name, lower-cased; `x-request-id` when absent. */
  headerName (value: unknown, name: string): string {
    if (value === undefined) return DEFAULTS.correlationHeader
    if (typeof value !== 'string' || !HEADER_NAME.test(value)) throw this.invalid(name, 'a valid HTTP header name', value)
    return value.toLowerCase()
  }
}

/** Checks of values given in code only (no environment behind them). */
export const CODE_CHECKS = new OptionChecks(invalidOption)
