import type { VigieOptions } from '../types.js'

/** What `optionsFromEnv` made of the environment: the options, and one message per bad variable. */
export interface EnvOptions {
  readonly options: VigieOptions
  readonly problems: readonly string[]
}

type Env = Readonly<Record<string, string | undefined>>
type Parser = (raw: string) => unknown

const list: Parser = (raw) => raw.split(',').map((item) => item.trim()).filter((item) => item !== '')
const text: Parser = (raw) => raw.trim()
function integer (raw: string): number {
  const value = Number(raw)
  if (!Number.isSafeInteger(value)) throw new Error('an integer')
  return value
}
function rate (raw: string): number {
  const value = Number(raw)
  if (!(value > 0 && value <= 1)) throw new Error('a number greater than 0 and at most 1')
  return value
}
function flag (raw: string): boolean {
  const value = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  if (['0', 'false', 'no', 'off'].includes(value)) return false
  throw new Error('1, true, yes, on, 0, false, no or off')
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
function port (raw: string): number {
  const value = integer(raw)
  if (value < 1 || value > 65535) throw new Error('an integer from 1 to 65535')
  return value
}

/**
 * The environment variables `vigie/register` reads, each with the option it sets. This table is
 * the one in docs/patch-all.md (a test keeps the two in step). `VIGIE_DISABLED` is read by the
 * options themselves, like in code.
 */
export const ENV_VARIABLES: ReadonlyArray<readonly [name: string, option: string, parse: Parser]> = [
  ['STATSD_HOST', 'statsd.host', text],
  ['STATSD_PORT', 'statsd.port', port],
  ['VIGIE_STATSD_PROTOCOL', 'statsd.protocol', text],
  ['VIGIE_STATSD_PATH', 'statsd.path', text],
  ['VIGIE_STATSD_PREFIX', 'statsd.prefix', text],
  ['VIGIE_STATSD_GLOBAL_TAGS', 'statsd.globalTags', tags],
  ['VIGIE_STATSD_SAMPLE_RATE', 'statsd.sampleRate', rate],
  ['VIGIE_STATSD_TAG_FORMAT', 'statsd.tagFormat', text],
  ['VIGIE_STATSD_MAX_BUFFER_SIZE', 'statsd.maxBufferSize', integer],
  ['VIGIE_STATSD_BUFFER_FLUSH_INTERVAL', 'statsd.bufferFlushInterval', integer],
  ['VIGIE_STATSD_DATADOG', 'statsd.datadog', flag],
  ['VIGIE_CORRELATION_HEADER', 'correlationHeader', text],
  ['VIGIE_CAPTURE_CLIENT_ERRORS', 'captureClientErrors', flag],
  ['VIGIE_CAPTURE_MAX_BODY_BYTES', 'capture.maxBodyBytes', integer],
  ['VIGIE_CAPTURE_MAX_DEPTH', 'capture.maxDepth', integer],
  ['VIGIE_CAPTURE_MAX_ARRAY_ITEMS', 'capture.maxArrayItems', integer],
  ['VIGIE_SCRUB_KEYS', 'scrub.keys', list],
  ['VIGIE_MAX_CONTROLLERS', 'maxControllers', integer],
  ['VIGIE_IGNORE', 'ignore', list],
  ['VIGIE_ASYNC_CONTEXT', 'asyncContext', flag],
  ['VIGIE_PROPAGATION_TARGETS', 'propagation.targets', list],
  // After the targets: "false" turns propagation off whatever the targets say.
  ['VIGIE_PROPAGATION', 'propagation', flag],
  ['VIGIE_PROCESS_METRICS_INTERVAL_MS', 'processMetrics.intervalMs', integer],
  // After the interval: "false" turns the gauges off whatever the interval.
  ['VIGIE_PROCESS_METRICS', 'processMetrics', flag],
  ['VIGIE_AGGREGATION_MAX_SERIES', 'aggregation.maxSeries', integer],
  // After the cap: "false" turns aggregation off whatever the cap.
  ['VIGIE_AGGREGATION', 'aggregation', flag],
  ['VIGIE_DASHBOARD_PATH', 'dashboard.path', text],
  ['VIGIE_DASHBOARD_TOKEN', 'dashboard.token', text],
  // After path and token: "false" turns the dashboard off whatever they say, "true" turns it on.
  ['VIGIE_DASHBOARD', 'dashboard', flag],
]

function setOption (options: Record<string, unknown>, path: string, value: unknown): void {
  if (path === 'dashboard') {
    // Off by default, unlike the three below: "true" turns it on, with path and token if set.
    if (value === false) options.dashboard = false
    else options.dashboard ??= true
    return
  }
  if (path === 'propagation' || path === 'processMetrics' || path === 'aggregation') {
    // A flag that can only turn the feature off; "true" leaves its sub-options as they are.
    if (value === false) options[path] = false
    return
  }
  const [head, tail] = path.split('.') as [string, string | undefined]
  if (tail === undefined) {
    options[head] = value
  } else {
    options[head] = { ...(options[head] as object | undefined), [tail]: value }
  }
}

/**
 * The variables set in `env` behind `options` or their sub-options (`propagation` is set by
 * `VIGIE_PROPAGATION` and `VIGIE_PROPAGATION_TARGETS`), in table order: what an error about
 * those options is to blame on.
 */
export function envVariablesFor (options: readonly string[], env: Env): string[] {
  return ENV_VARIABLES
    .filter(([name, path]) => isSet(env[name]) && options.some((option) => path === option || path.startsWith(`${option}.`)))
    .map(([name]) => name)
}

function isSet (raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== ''
}

/**
 * Builds vigie options from environment variables, for `node --import vigie/register`. A value
 * that cannot be parsed is left out and reported in `problems`; nothing here throws.
 */
export function optionsFromEnv (env: Env): EnvOptions {
  const options: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [name, option, parse] of ENV_VARIABLES) {
    const raw = env[name]
    if (!isSet(raw)) continue
    try {
      setOption(options, option, parse(raw))
    } catch (err) {
      problems.push(`vigie: environment variable ${name} must be ${(err as Error).message}; received ${JSON.stringify(raw.length > 40 ? raw.slice(0, 40) + '…' : raw)}. It is ignored.`)
    }
  }
  return { options: options as VigieOptions, problems }
}
