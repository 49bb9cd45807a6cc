import type { StatsD } from 'hot-shots'
import { DEFAULT_CORRELATION_HEADER } from './context/correlation-id.js'
import { ERROR_CODES, VigieError, describeValue, invalidOption } from './errors.js'
import { compilePropagationTargets } from './options/propagation-targets.js'
import { COPY_LIMIT_CEILINGS } from './scrub/copy-limits.js'
import { checkScrubOptions, type ScrubOptions } from './scrub/scrubber.js'
import type { VigieOptions } from './types.js'

export interface ResolvedStatsd {
  readonly host: string
  readonly port: number
  readonly protocol: 'udp' | 'tcp' | 'uds'
  readonly path: string | undefined
  readonly prefix: string
  readonly globalTags: Readonly<Record<string, string>>
  readonly sampleRate: number
  readonly tagFormat: 'datadog' | 'telegraf'
  readonly maxBufferSize: number
  readonly bufferFlushInterval: number
  readonly datadog: boolean
  readonly client: StatsD | undefined
}

export interface ResolvedOptions<Request = unknown> {
  readonly disabled: boolean
  readonly statsd: ResolvedStatsd
  readonly correlationHeader: string
  readonly getUser: ((request: Request) => unknown) | undefined
  readonly captureClientErrors: boolean
  readonly capture: { readonly maxBodyBytes: number, readonly maxDepth: number, readonly maxArrayItems: number }
  readonly scrub: ScrubOptions
  readonly maxControllers: number
  readonly ignore: { readonly paths: ReadonlySet<string>, readonly predicate: ((request: Request) => boolean) | undefined }
  /** Whether each request runs in vigie's AsyncLocalStorage. */
  readonly asyncContext: boolean
  /** null when propagation is off. */
  readonly propagation: { readonly allows: (url: URL) => boolean } | null
  /** null when in-process aggregation is off. */
  readonly aggregation: { readonly maxSeries: number } | null
  /** null when process gauges are off. */
  readonly processMetrics: { readonly intervalMs: number } | null
  /** null when the dashboard is off (the default). */
  readonly dashboard: { readonly path: string, readonly token: string | undefined } | null
}

export const DEFAULTS = Object.freeze({
  statsdHost: '127.0.0.1',
  statsdPort: 8125,
  /** Bytes per UDP datagram to another host: one datagram within a typical network MTU. */
  maxBufferSizeNetwork: 1400,
  /** Loopback, Unix sockets and TCP carry more per write; 8192 is what StatsD servers accept (DogStatsD's default read buffer). */
  maxBufferSizeLocal: 8192,
  bufferFlushInterval: 1000,
  maxBodyBytes: 8192,
  maxDepth: 6,
  maxArrayItems: 50,
  maxControllers: 500,
  aggregationMaxSeries: 500,
  processMetricsIntervalMs: 10_000,
})

type Env = Readonly<Record<string, string | undefined>>

const TOP_LEVEL = new Set(['statsd', 'correlationHeader', 'getUser', 'captureClientErrors', 'capture', 'scrub', 'maxControllers', 'ignore', 'asyncContext', 'propagation', 'aggregation', 'processMetrics', 'dashboard'])
const PROPAGATION_KEYS = new Set(['targets'])
const AGGREGATION_KEYS = new Set(['maxSeries'])
/** Highest `aggregation.maxSeries` accepted: beyond it the memory bound stops meaning anything (docs/aggregation.md). */
const MAX_AGGREGATED_SERIES = 100_000
const PROCESS_METRICS_KEYS = new Set(['intervalMs'])
/** Bounds of `processMetrics.intervalMs`: a gauge a second at most, one an hour at least. */
const PROCESS_METRICS_INTERVAL = Object.freeze({ min: 1000, max: 3_600_000 })
const DASHBOARD_KEYS = new Set(['path', 'token'])
const DEFAULT_DASHBOARD_PATH = '/_vigie'
// Segments of unreserved URL characters only: the path is written into the page's HTML.
const DASHBOARD_PATH = /^(\/[A-Za-z0-9._~-]+)+$/
// What an `Authorization: Bearer` header can carry as one token.
const DASHBOARD_TOKEN = /^[\x21-\x7e]+$/
/** The largest UDP payload over IPv4: a larger buffer could never be sent (EMSGSIZE at every flush). */
const MAX_UDP_PAYLOAD = 65_507

const STATSD_KEYS = new Set(['host', 'port', 'protocol', 'path', 'prefix', 'globalTags', 'sampleRate', 'tagFormat', 'maxBufferSize', 'bufferFlushInterval', 'datadog', 'client'])
const CAPTURE_KEYS = new Set(['maxBodyBytes', 'maxDepth', 'maxArrayItems'])
const SCRUB_KEYS = new Set(['keys', 'replace'])
// RFC 9110 token characters, the only ones a header name may hold.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * Validates user options, applies defaults and environment fallbacks, and returns a frozen,
 * fully populated copy. Never mutates its input. Throws a VigieError naming the first bad option.
 */
export function resolveOptions<Request> (input: VigieOptions<Request> | undefined, env: Env = process.env): ResolvedOptions<Request> {
  const options = objectOption(input ?? {}, 'options')
  checkKnownKeys(options, TOP_LEVEL, '')
  const capture = objectOption(options.capture ?? {}, 'capture')
  checkKnownKeys(capture, CAPTURE_KEYS, 'capture.')
  const scrub = objectOption(options.scrub ?? {}, 'scrub')
  checkKnownKeys(scrub, SCRUB_KEYS, 'scrub.')

  const disabled = isDisabled(env)
  const asyncContext = optionalBoolean(options.asyncContext, 'asyncContext', true)
  return Object.freeze({
    disabled,
    statsd: resolveStatsd(options.statsd, env, disabled),
    correlationHeader: resolveHeaderName(options.correlationHeader),
    getUser: optionalFunction<(request: Request) => unknown>(options.getUser, 'getUser'),
    captureClientErrors: optionalBoolean(options.captureClientErrors, 'captureClientErrors', false),
    capture: Object.freeze({
      maxBodyBytes: integerOption(capture.maxBodyBytes, 'capture.maxBodyBytes', DEFAULTS.maxBodyBytes, 1, COPY_LIMIT_CEILINGS.maxStringLength),
      maxDepth: integerOption(capture.maxDepth, 'capture.maxDepth', DEFAULTS.maxDepth, 1, COPY_LIMIT_CEILINGS.maxDepth),
      maxArrayItems: integerOption(capture.maxArrayItems, 'capture.maxArrayItems', DEFAULTS.maxArrayItems, 1, COPY_LIMIT_CEILINGS.maxArrayItems),
    }),
    scrub: checkScrubOptions(scrub),
    maxControllers: integerOption(options.maxControllers, 'maxControllers', DEFAULTS.maxControllers, 1),
    ignore: resolveIgnore(options.ignore),
    asyncContext,
    propagation: resolvePropagation(options.propagation, asyncContext),
    aggregation: resolveAggregation(options.aggregation),
    processMetrics: resolveProcessMetrics(options.processMetrics),
    dashboard: resolveDashboard(options.dashboard),
  })
}

/**
 * Datagrams to another host stay within one network MTU (a fragmented datagram is lost whole if
 * any fragment is); on loopback, over a Unix socket or TCP there is no such limit, and fewer,
 * larger writes cost the app less CPU.
 */
function defaultBufferSize (protocol: 'udp' | 'tcp' | 'uds', host: string): number {
  return protocol === 'udp' && !isLoopbackHost(host) ? DEFAULTS.maxBufferSizeNetwork : DEFAULTS.maxBufferSizeLocal
}

function isLoopbackHost (host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

function resolveStatsd (input: unknown, env: Env, disabled: boolean): ResolvedStatsd {
  const statsd = objectOption(input ?? {}, 'statsd')
  checkKnownKeys(statsd, STATSD_KEYS, 'statsd.')
  const client = statsd.client
  if (client !== undefined) {
    if (client === null || typeof client !== 'object' || typeof (client as StatsD).increment !== 'function' || typeof (client as StatsD).timing !== 'function') {
      throw invalidOption('statsd.client', 'a hot-shots StatsD client', client)
    }
    // A client brings its own transport, prefix and tags; sampleRate applies to vigie's calls.
    for (const key of ['host', 'port', 'protocol', 'path', 'prefix', 'globalTags', 'tagFormat', 'maxBufferSize', 'bufferFlushInterval', 'datadog']) {
      if (statsd[key] !== undefined) {
        throw new VigieError(ERROR_CODES.CONFLICTING_OPTIONS,
          `vigie: option "statsd.${key}" cannot be used with "statsd.client": configure the client itself`)
      }
    }
  }
  const protocol = oneOf(statsd.protocol, 'statsd.protocol', ['udp', 'tcp', 'uds'] as const, 'udp')
  const path = optionalString(statsd.path, 'statsd.path')
  if (protocol === 'uds' && path === undefined) {
    throw invalidOption('statsd.path', 'a socket path when "statsd.protocol" is "uds"', path)
  }
  const tagFormat = client !== undefined
    ? ((client as { telegraf?: unknown }).telegraf === true ? 'telegraf' : 'datadog')
    : oneOf(statsd.tagFormat, 'statsd.tagFormat', ['datadog', 'telegraf'] as const, 'datadog')
  const datadog = optionalBoolean(statsd.datadog, 'statsd.datadog', false)
  if (datadog && tagFormat === 'telegraf') {
    throw new VigieError(ERROR_CODES.CONFLICTING_OPTIONS,
      'vigie: option "statsd.datadog" cannot be used with "statsd.tagFormat": "telegraf"; Datadog mode is DogStatsD only')
  }
  // The environment is read only when it can matter: not for a user's client, nor when disabled.
  const readEnv = client === undefined && !disabled
  const host = statsd.host !== undefined ? nonEmptyString(statsd.host, 'statsd.host') : (readEnv && env.STATSD_HOST) || DEFAULTS.statsdHost
  return Object.freeze({
    host,
    port: statsd.port !== undefined ? integerOption(statsd.port, 'statsd.port', undefined, 1, 65535) : readEnv ? envPort(env.STATSD_PORT) : DEFAULTS.statsdPort,
    protocol,
    path,
    prefix: optionalString(statsd.prefix, 'statsd.prefix') ?? '',
    globalTags: resolveGlobalTags(statsd.globalTags),
    sampleRate: sampleRate(statsd.sampleRate),
    tagFormat,
    maxBufferSize: integerOption(statsd.maxBufferSize, 'statsd.maxBufferSize', defaultBufferSize(protocol, host), 0,
      protocol === 'udp' ? MAX_UDP_PAYLOAD : Number.MAX_SAFE_INTEGER),
    bufferFlushInterval: integerOption(statsd.bufferFlushInterval, 'statsd.bufferFlushInterval', DEFAULTS.bufferFlushInterval, 1),
    datadog,
    client: client as StatsD | undefined,
  })
}

function objectOption (value: unknown, name: string, expected = 'an object'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidOption(name, expected, value)
  }
  return value as Record<string, unknown>
}

function checkKnownKeys (value: Record<string, unknown>, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      throw new VigieError(ERROR_CODES.UNKNOWN_OPTION,
        `vigie: unknown option "${prefix}${key}"; known options here are ${[...known].map((k) => `"${prefix}${k}"`).join(', ')}`)
    }
  }
}

/** Whether `VIGIE_DISABLED` turns vigie off in `env`. */
export function isDisabled (env: Env = process.env): boolean {
  return isTruthyFlag(env.VIGIE_DISABLED)
}

function isTruthyFlag (value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase())
}

function envPort (value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULTS.statsdPort
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new VigieError(ERROR_CODES.INVALID_ENV,
      `vigie: environment variable STATSD_PORT must be an integer from 1 to 65535; received ${describeValue(value)}`)
  }
  return port
}

/** An integer option from `min` to `max`; `fallback` when absent (0 stays 0: no `||` here). */
function integerOption (value: unknown, name: string, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const expected = max === Number.MAX_SAFE_INTEGER
      ? (min === 0 ? 'an integer ≥ 0' : 'a positive integer')
      : `an integer from ${min} to ${max}`
    throw invalidOption(name, expected, value)
  }
  return value
}

function sampleRate (value: unknown): number {
  if (value === undefined) return 1
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw invalidOption('statsd.sampleRate', 'a number greater than 0 and at most 1', value)
  }
  return value
}

function optionalBoolean (value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw invalidOption(name, 'a boolean', value)
  return value
}

function optionalString (value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw invalidOption(name, 'a string', value)
  return value
}

function nonEmptyString (value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidOption(name, 'a non-empty string', value)
  return value
}

function optionalFunction<F> (value: unknown, name: string): F | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw invalidOption(name, 'a function', value)
  return value as F
}

function oneOf<const T extends readonly string[]> (value: unknown, name: string, allowed: T, fallback: T[number]): T[number] {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalidOption(name, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value)
  }
  return value
}

/** Validates a header-name option (lower-cased), defaulting to `x-request-id`. */
export function resolveHeaderName (value: unknown): string {
  if (value === undefined) return DEFAULT_CORRELATION_HEADER
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) {
    throw invalidOption('correlationHeader', 'a valid HTTP header name', value)
  }
  return value.toLowerCase()
}

function resolveGlobalTags (value: unknown): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({})
  const tags = objectOption(value, 'statsd.globalTags')
  const out: Record<string, string> = {}
  for (const [key, tag] of Object.entries(tags)) {
    if (typeof tag !== 'string' && typeof tag !== 'number') {
      throw invalidOption(`statsd.globalTags.${key}`, 'a string or a number', tag)
    }
    out[key] = String(tag)
  }
  return Object.freeze(out)
}

function resolveIgnore<Request> (value: unknown): ResolvedOptions<Request>['ignore'] {
  if (value === undefined) return Object.freeze({ paths: new Set<string>(), predicate: undefined })
  if (typeof value === 'function') return Object.freeze({ paths: new Set<string>(), predicate: value as (request: Request) => boolean })
  if (!Array.isArray(value) || !value.every((p) => typeof p === 'string' && p.startsWith('/'))) {
    throw invalidOption('ignore', 'an array of paths starting with "/" or a function', value)
  }
  return Object.freeze({ paths: new Set<string>(value), predicate: undefined })
}

/** Off by default without async context: an outgoing call finds the request it belongs to there. */
function resolvePropagation (value: unknown, asyncContext: boolean): ResolvedOptions['propagation'] {
  if (value === false) return null
  if (!asyncContext) {
    if (value === undefined) return null
    throw new VigieError(ERROR_CODES.CONFLICTING_OPTIONS,
      'vigie: option "propagation" cannot be used with "asyncContext": false; outgoing calls find their request in the async context (set propagation: false, or leave asyncContext on)')
  }
  if (value === undefined || value === true) return Object.freeze({ allows: compilePropagationTargets(undefined) })
  const propagation = objectOption(value, 'propagation')
  checkKnownKeys(propagation, PROPAGATION_KEYS, 'propagation.')
  return Object.freeze({ allows: compilePropagationTargets(propagation.targets) })
}

function resolveDashboard (value: unknown): ResolvedOptions['dashboard'] {
  if (value === undefined || value === false) return null
  if (value === true) return Object.freeze({ path: DEFAULT_DASHBOARD_PATH, token: undefined })
  const dashboard = objectOption(value, 'dashboard', 'a boolean or an object')
  checkKnownKeys(dashboard, DASHBOARD_KEYS, 'dashboard.')
  const path = dashboard.path ?? DEFAULT_DASHBOARD_PATH
  if (typeof path !== 'string' || !DASHBOARD_PATH.test(path) || path.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw invalidOption('dashboard.path', 'a path starting with "/", of letters, digits and "._~-", with no trailing "/"', path)
  }
  const token = dashboard.token
  if (token !== undefined && (typeof token !== 'string' || !DASHBOARD_TOKEN.test(token))) {
    // The value is not echoed: it is meant to be a secret, and error messages end up in logs.
    throw new VigieError(ERROR_CODES.INVALID_OPTION,
      `vigie: option "dashboard.token" must be a non-empty string of printable ASCII characters without spaces; received ${typeof token === 'string' ? `a string of ${token.length} characters (not shown)` : describeValue(token)}`)
  }
  return Object.freeze({ path, token })
}

function resolveProcessMetrics (value: unknown): ResolvedOptions['processMetrics'] {
  if (value === false) return null
  if (value === undefined || value === true) return Object.freeze({ intervalMs: DEFAULTS.processMetricsIntervalMs })
  const processMetrics = objectOption(value, 'processMetrics', 'a boolean or an object')
  checkKnownKeys(processMetrics, PROCESS_METRICS_KEYS, 'processMetrics.')
  return Object.freeze({
    intervalMs: integerOption(processMetrics.intervalMs, 'processMetrics.intervalMs', DEFAULTS.processMetricsIntervalMs,
      PROCESS_METRICS_INTERVAL.min, PROCESS_METRICS_INTERVAL.max),
  })
}

function resolveAggregation (value: unknown): ResolvedOptions['aggregation'] {
  if (value === false) return null
  if (value === undefined || value === true) return Object.freeze({ maxSeries: DEFAULTS.aggregationMaxSeries })
  const aggregation = objectOption(value, 'aggregation', 'a boolean or an object')
  checkKnownKeys(aggregation, AGGREGATION_KEYS, 'aggregation.')
  return Object.freeze({ maxSeries: integerOption(aggregation.maxSeries, 'aggregation.maxSeries', DEFAULTS.aggregationMaxSeries, 1, MAX_AGGREGATED_SERIES) })
}
