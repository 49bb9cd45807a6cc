import type { InvalidOption } from '../errors.ts'

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/**
 * A duration option (`'30d'`, `'5m'`, `'10s'`) in ms: digits, then one unit. Throws `invalid`
 * naming `option` unless it lies within [minMs, maxMs].
 */
export function parseDuration (value: unknown, option: string, invalid: InvalidOption, minMs = 1000, maxMs = 366 * UNIT_MS.d): number {
  const expected = `a duration such as "30s", "5m", "1h" or "30d", from ${describeMs(minMs)} to ${describeMs(maxMs)}`
  if (typeof value !== 'string' || value.length < 2 || value.length > 12) throw invalid(option, expected, value)
  const unit = value[value.length - 1] as keyof typeof UNIT_MS
  const digits = value.slice(0, -1)
  let amount = 0
  for (let i = 0; i < digits.length; i++) {
    const code = digits.charCodeAt(i)
    if (code < 48 || code > 57) throw invalid(option, expected, value)
    amount = amount * 10 + code - 48
  }
  const ms = Object.hasOwn(UNIT_MS, unit) ? amount * UNIT_MS[unit] : NaN
  if (!(ms >= minMs && ms <= maxMs)) throw invalid(option, expected, value)
  return ms
}

/** `'5m'` for 300000: the largest unit that divides it. */
export function describeMs (ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${ms}ms`
}
