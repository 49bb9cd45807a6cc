/** Every error code vigie throws. Each one is documented in docs/errors.md (a test checks both ways). */
export const ERROR_CODES = {
  /** An option has the wrong type or an out-of-range value. */
  INVALID_OPTION: 'VIGIE_ERR_INVALID_OPTION',
  /** An option name vigie does not know (usually a typo). */
  UNKNOWN_OPTION: 'VIGIE_ERR_UNKNOWN_OPTION',
  /** Two options that cannot be used together. */
  CONFLICTING_OPTIONS: 'VIGIE_ERR_CONFLICTING_OPTIONS',
  /** An environment variable vigie reads holds a value it cannot use. */
  INVALID_ENV: 'VIGIE_ERR_INVALID_ENV',
} as const

export type VigieErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES]

/** A configuration error thrown at startup, never on the request path. */
export class VigieError extends Error {
  readonly code: VigieErrorCode

  constructor (code: VigieErrorCode, message: string) {
    super(message)
    this.name = 'VigieError'
    this.code = code
  }
}

/** A short, safe description of a received value for error messages. */
export function describeValue (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string': return `${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)} (string)`
    case 'number': case 'boolean': case 'bigint': return `${String(value)} (${typeof value})`
    case 'undefined': return 'undefined'
    case 'function': return 'a function'
    case 'symbol': return 'a symbol'
    default: return 'an object'
  }
}

export function invalidOption (name: string, expected: string, received: unknown): VigieError {
  return new VigieError(ERROR_CODES.INVALID_OPTION,
    `vigie: option "${name}" must be ${expected}; received ${describeValue(received)}`)
}
