// The one place vigie reads environment variables: every STATSD_* and VIGIE_* variable, the
// option each one sets and how its text is parsed. resolveOptions() lays what this returns
// under the options given in code.

import { ERROR_CODES, VigieError, describeValue, invalidEnv } from '../errors.ts'

export type Env = Readonly<Record<string, string | undefined>>

/** Turns a variable's text into an option value, or throws an Error whose message is what was expected. */
type Parser = (raw: string) => unknown

export interface EnvVariable {
  readonly name: string
  /** The option path it sets; null for the kill switch, `VIGIE_DISABLED`. */
  readonly option: string | null
  readonly parse: Parser
}

/** Where an option's value came from: the variable, and its text as read. */
export interface EnvSource {
  readonly variable: string
  readonly text: string
}

/** What the environment sets. */
export interface Environment {
  /** `VIGIE_DISABLED`: when true, no other variable is read. */
  readonly disabled: boolean
  /**
   * The options the variables set, shaped like the options given in code. `propagation`,
   * `processMetrics`, `aggregation`, `dashboard` and `prometheus` are false (turned off), true
   * (dashboard or prometheus turned on) or an object of the sub-options set.
   */
  readonly options: Readonly<Record<string, unknown>>
  /** For each option path set, the variable that set it, in the table's order. */
  readonly sources: ReadonlyMap<string, EnvSource>
}

const FLAG_EXPECTED = '1, true, yes, on, 0, false, no or off'

const text: Parser = (raw) => raw.trim()
const list: Parser = (raw) => raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
function integer (raw: string): number {
  const value = Number(raw)
  if (!Number.isSafeInteger(value)) throw new Error('an integer')
  return value
}
function number (raw: string): number {
  const value = Number(raw)
  if (!Number.isFinite(value)) throw new Error('a number')
  return value
}
function flag (raw: string): boolean {
  const value = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  if (['0', 'false', 'no', 'off'].includes(value)) return false
  throw new Error(FLAG_EXPECTED)
}
function tags (raw: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of list(raw) as string[]) {
    const colon = pair.indexOf(':')
    if (colon < 1) throw new Error('comma-separated key:value pairs')
    out[pair.slice(0, colon)] = pair.slice(colon + 1)
  }
  return out
}

const variable = (name: string, option: string | null, parse: Parser): EnvVariable => Object.freeze({ name, option, parse })

/** The kill switch: read before anything else, and alone. */
const KILL_SWITCH = 'VIGIE_DISABLED'

/**
 * Every variable vigie reads, each with the option it sets. Parsers only turn text into a value;
 * resolveOptions() checks the value as it checks code (ranges, allowed words), and names the
 * variable when it refuses one. docs/patch-all.md has this table (a test keeps the two in step).
 */
export const ENV_VARIABLES: readonly EnvVariable[] = Object.freeze([
  variable(KILL_SWITCH, null, flag),
  variable('STATSD_HOST', 'statsd.host', text),
  variable('STATSD_PORT', 'statsd.port', integer),
  variable('VIGIE_STATSD_PROTOCOL', 'statsd.protocol', text),
  variable('VIGIE_STATSD_PATH', 'statsd.path', text),
  variable('VIGIE_STATSD_PREFIX', 'statsd.prefix', text),
  variable('VIGIE_STATSD_GLOBAL_TAGS', 'statsd.globalTags', tags),
  variable('VIGIE_STATSD_SAMPLE_RATE', 'statsd.sampleRate', number),
  variable('VIGIE_STATSD_TAG_FORMAT', 'statsd.tagFormat', text),
  variable('VIGIE_STATSD_MAX_BUFFER_SIZE', 'statsd.maxBufferSize', integer),
  variable('VIGIE_STATSD_BUFFER_FLUSH_INTERVAL', 'statsd.bufferFlushInterval', integer),
  variable('VIGIE_STATSD_DATADOG', 'statsd.datadog', flag),
  variable('VIGIE_CORRELATION_HEADER', 'correlationHeader', text),
  variable('VIGIE_CAPTURE_CLIENT_ERRORS', 'captureClientErrors', flag),
  variable('VIGIE_CAPTURE_MAX_BODY_BYTES', 'capture.maxBodyBytes', integer),
  variable('VIGIE_CAPTURE_MAX_DEPTH', 'capture.maxDepth', integer),
  variable('VIGIE_CAPTURE_MAX_ARRAY_ITEMS', 'capture.maxArrayItems', integer),
  variable('VIGIE_CAPTURE_MAX_TOTAL_KEYS', 'capture.maxTotalKeys', integer),
  variable('VIGIE_SCRUB_KEYS', 'scrub.keys', list),
  variable('VIGIE_MAX_CONTROLLERS', 'maxControllers', integer),
  variable('VIGIE_INSTANCE', 'instance', text),
  variable('VIGIE_CLUSTER', 'cluster', flag),
  variable('VIGIE_IGNORE', 'ignore', list),
  variable('VIGIE_ASYNC_CONTEXT', 'asyncContext', flag),
  variable('VIGIE_LOG_INJECTION', 'logInjection', flag),
  variable('VIGIE_PROPAGATION_TARGETS', 'propagation.targets', list),
  // After the targets: "false" turns propagation off whatever the targets say.
  variable('VIGIE_PROPAGATION', 'propagation', flag),
  variable('VIGIE_PROCESS_METRICS_INTERVAL_MS', 'processMetrics.intervalMs', integer),
  // After the interval: "false" turns the gauges off whatever the interval.
  variable('VIGIE_PROCESS_METRICS', 'processMetrics', flag),
  variable('VIGIE_AGGREGATION_MAX_SERIES', 'aggregation.maxSeries', integer),
  // After the cap: "false" turns aggregation off whatever the cap.
  variable('VIGIE_AGGREGATION', 'aggregation', flag),
  variable('VIGIE_DASHBOARD_PATH', 'dashboard.path', text),
  variable('VIGIE_DASHBOARD_TOKEN', 'dashboard.token', text),
  // After path and token: "false" turns the dashboard off whatever they say, "true" turns it on.
  variable('VIGIE_DASHBOARD', 'dashboard', flag),
  variable('VIGIE_PROMETHEUS_PATH', 'prometheus.path', text),
  variable('VIGIE_PROMETHEUS_TOKEN', 'prometheus.token', text),
  variable('VIGIE_PROMETHEUS_PORT', 'prometheus.port', integer),
  variable('VIGIE_PROMETHEUS_HOST', 'prometheus.host', text),
  // After its sub-options: "false" turns the endpoint off whatever they say, "true" turns it on.
  variable('VIGIE_PROMETHEUS', 'prometheus', flag),
  variable('VIGIE_DATABASE_SLOW_QUERY_MS', 'database.slowQueryMs', integer),
  variable('VIGIE_DATABASE_COMMENT', 'database.comment', flag),
  // After the sub-options: "false" turns query metrics off whatever they say.
  variable('VIGIE_DATABASE', 'database', flag),
  variable('VIGIE_EXCEPTION_LINES_PER_INTERVAL', 'exceptionLines.perInterval', integer),
  variable('VIGIE_EXCEPTION_LINES_INTERVAL_MS', 'exceptionLines.intervalMs', integer),
])

/** Every variable's name, in the table's order. */
export const ENV_VARIABLE_NAMES: readonly string[] = Object.freeze(ENV_VARIABLES.map((v) => v.name))

/** Features whose variable is a flag that can only turn them off ("true" leaves their sub-options as they are). */
const OFF_SWITCHES = new Set(['propagation', 'processMetrics', 'aggregation', 'database'])
/** Features off by default, whose flag turns them on ("true") or off. */
const ON_SWITCHES = new Set(['dashboard', 'prometheus'])

function isSet (raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== ''
}

function parse (entry: EnvVariable, raw: string): unknown {
  try {
    return entry.parse(raw)
  } catch (err) {
    const expected = (err as Error).message
    if (entry.option !== null) throw invalidEnv(entry.name, entry.option, expected, raw)
    throw new VigieError(ERROR_CODES.INVALID_ENV,
      `vigie: environment variable ${entry.name} must be ${expected}; received ${describeValue(raw)}`,
      { options: ['disabled'], variables: [entry.name] })
  }
}

/**
 * Whether `VIGIE_DISABLED` turns vigie off, for code that runs when a module loads and must never
 * throw: a value that is not a flag counts as "not disabled" here, and resolveOptions() refuses it.
 */
export function isDisabled (env: Env = process.env): boolean {
  const raw = env[KILL_SWITCH]
  if (!isSet(raw)) return false
  try {
    return flag(raw)
  } catch {
    return false
  }
}

/**
 * Reads the variables set in `env` (empty means unset). `skip(option)` is true for an option whose
 * variable must not be read at all: one the code sets, or one a user's `statsd.client` owns.
 * With `VIGIE_DISABLED` set, nothing else is read. Throws a VigieError (VIGIE_ERR_INVALID_ENV),
 * naming the variable and its option, for text that cannot be parsed.
 */
export function readEnvironment (env: Env, skip: (option: string) => boolean = () => false): Environment {
  const options: Record<string, unknown> = {}
  const sources = new Map<string, EnvSource>()
  for (const entry of ENV_VARIABLES) {
    const raw = env[entry.name]
    if (entry.option === null) {
      if (isSet(raw) && parse(entry, raw) === true) return Object.freeze({ disabled: true, options: Object.freeze({}), sources })
      continue
    }
    if (!isSet(raw) || skip(entry.option)) continue
    setOption(options, sources, entry.option, Object.freeze({ variable: entry.name, text: raw }), parse(entry, raw))
  }
  return Object.freeze({ disabled: false, options: Object.freeze(options), sources })
}

function setOption (options: Record<string, unknown>, sources: Map<string, EnvSource>, path: string, source: EnvSource, value: unknown): void {
  const [head, tail] = path.split('.') as [string, string | undefined]
  if (tail !== undefined) {
    options[head] = { ...(options[head] as object | undefined), [tail]: value }
    sources.set(path, source)
    return
  }
  const offSwitch = OFF_SWITCHES.has(head)
  if (!offSwitch && !ON_SWITCHES.has(head)) {
    options[head] = value
    sources.set(path, source)
    return
  }
  if (value === false) {
    // Off whatever the sub-variables said: they no longer set anything.
    options[head] = false
    for (const option of [...sources.keys()]) if (option.startsWith(`${head}.`)) sources.delete(option)
    sources.set(path, source)
  } else if (!offSwitch) {
    // The dashboard and the Prometheus endpoint are off by default: "true" turns them on, with their sub-options if set.
    options[head] ??= true
    sources.set(path, source)
  }
}
