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
  /** An option needs a package that is not installed (an optional peer dependency, such as nodemailer). */
  MISSING_DEPENDENCY: 'VIGIE_ERR_MISSING_DEPENDENCY',
} as const

export type VigieErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES]

/** What a VigieError is about: the options involved, and the environment variables behind them. */
export interface VigieErrorSubject {
  /** Every option involved, the one at fault first (e.g. both sides of a conflict). Never empty. */
  readonly options: readonly string[]
  /** The environment variables that set those options; none when the values came from code. */
  readonly variables?: readonly string[]
}

/**
 * A configuration error thrown at startup, never on the request path. Its fields say what it is
 * about, so that no one has to read that from the message.
 */
export class VigieError extends Error {
  readonly code: VigieErrorCode
  /** The option path at fault, e.g. `statsd.port`; for a conflict, the first of the two. */
  readonly option: string
  /** Every option path involved, `option` first. */
  readonly options: readonly string[]
  /** The environment variables behind those options (e.g. `STATSD_PORT`); empty when they came from code. */
  readonly variables: readonly string[]

  constructor (code: VigieErrorCode, message: string, subject: VigieErrorSubject) {
    super(message)
    this.name = 'VigieError'
    this.code = code
    this.option = subject.options[0] ?? ''
    this.options = Object.freeze([...subject.options])
    this.variables = Object.freeze([...(subject.variables ?? [])])
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

/** Describes a secret without showing it: error messages end up in logs. */
function describeSecret (value: unknown): string {
  return typeof value === 'string' ? `a string of ${value.length} characters (not shown)` : describeValue(value)
}

/** Builds the error for a bad value: `secret` values are described, never shown. */
export type InvalidOption = (name: string, expected: string, received: unknown, secret?: boolean) => VigieError

/** The error for a bad value given in code. */
export const invalidOption: InvalidOption = (name, expected, received, secret = false) =>
  new VigieError(ERROR_CODES.INVALID_OPTION,
    `vigie: option "${name}" must be ${expected}; received ${secret ? describeSecret(received) : describeValue(received)}`,
    { options: [name] })

/** The error for a bad value set by an environment variable (`option` is the option it sets). */
export function invalidEnv (variable: string, option: string, expected: string, received: unknown, secret = false): VigieError {
  return new VigieError(ERROR_CODES.INVALID_ENV,
    `vigie: environment variable ${variable} sets option "${option}", which must be ${expected}; received ${secret ? describeSecret(received) : describeValue(received)}`,
    { options: [option], variables: [variable] })
}

/** The error for an option that needs `dependency`, an optional peer dependency that cannot be loaded. */
export function missingDependency (option: string, dependency: string, why: string): VigieError {
  return new VigieError(ERROR_CODES.MISSING_DEPENDENCY,
    `vigie: option "${option}" needs the package "${dependency}" (${why}), which cannot be loaded: install it (npm install ${dependency})`,
    { options: [option] })
}
