// `statsd`: where and how metrics are sent, from the options with the environment laid under them.

import type { StatsD } from 'hot-shots'
import { ERROR_CODES } from '../errors.ts'
import { isWireSafe, wireSafeRule, type TagFormat } from '../metrics/tag-format.ts'
import { isRecord } from './code-options.ts'
import { DEFAULTS } from './defaults.ts'
import type { OptionErrors } from './option-errors.ts'
import { CLIENT_OWNED_STATSD_KEYS } from './precedence.ts'
import type { OptionChecks } from './validators.ts'

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

export function resolveStatsd (statsd: Record<string, unknown>, check: OptionChecks, errors: OptionErrors): ResolvedStatsd {
  const client = statsd.client
  if (client !== undefined) {
    if (client === null || typeof client !== 'object' || typeof (client as StatsD).increment !== 'function' || typeof (client as StatsD).timing !== 'function') {
      throw check.invalid('statsd.client', 'a hot-shots StatsD client', client)
    }
    // A client brings its own transport, prefix and tags; sampleRate applies to vigie's calls.
    for (const key of CLIENT_OWNED_STATSD_KEYS) {
      if (statsd[key] !== undefined) {
        throw errors.conflict([`statsd.${key}`, 'statsd.client'],
          `vigie: option "statsd.${key}" cannot be used with "statsd.client": configure the client itself`)
      }
    }
  }
  const protocol = check.oneOf(statsd.protocol, 'statsd.protocol', ['udp', 'tcp', 'uds'] as const, DEFAULTS.statsdProtocol)
  const path = check.optionalString(statsd.path, 'statsd.path')
  if (protocol === 'uds' && path === undefined) {
    throw errors.involving(ERROR_CODES.INVALID_OPTION, ['statsd.path', 'statsd.protocol'],
      'vigie: option "statsd.path" must be a socket path when "statsd.protocol" is "uds"; received undefined')
  }
  const tagFormat = client !== undefined
    ? ((client as { telegraf?: unknown }).telegraf === true ? 'telegraf' : 'datadog')
    : check.oneOf(statsd.tagFormat, 'statsd.tagFormat', ['datadog', 'telegraf'] as const, DEFAULTS.statsdTagFormat)
  const datadog = check.boolean(statsd.datadog, 'statsd.datadog', DEFAULTS.statsdDatadog)
  if (datadog && tagFormat === 'telegraf') {
    throw errors.conflict(['statsd.datadog', 'statsd.tagFormat'],
      'vigie: option "statsd.datadog" cannot be used with "statsd.tagFormat": "telegraf"; Datadog mode is DogStatsD only')
  }
  const host = statsd.host === undefined ? DEFAULTS.statsdHost : check.nonEmptyString(statsd.host, 'statsd.host')
  const prefix = check.optionalString(statsd.prefix, 'statsd.prefix') ?? DEFAULTS.statsdPrefix
  if (!isWireSafe(prefix, 'prefix', tagFormat)) throw check.invalid('statsd.prefix', `a string ${wireSafeRule('prefix', tagFormat)}`, prefix)
  return Object.freeze({
    host,
    port: check.integer(statsd.port, 'statsd.port', DEFAULTS.statsdPort, DEFAULTS.statsdPortBounds),
    protocol,
    path,
    prefix,
    globalTags: resolveGlobalTags(statsd.globalTags, tagFormat, check),
    sampleRate: check.rate(statsd.sampleRate, 'statsd.sampleRate', DEFAULTS.statsdSampleRate),
    tagFormat,
    maxBufferSize: check.integer(statsd.maxBufferSize, 'statsd.maxBufferSize', defaultBufferSize(protocol, host),
      { min: 0, max: protocol === 'udp' ? DEFAULTS.maxUdpPayload : undefined }),
    bufferFlushInterval: check.integer(statsd.bufferFlushInterval, 'statsd.bufferFlushInterval', DEFAULTS.bufferFlushInterval, { min: 1 }),
    datadog,
    client: client as StatsD | undefined,
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

/** Each tag checked against the wire format it will be written in, key and value (tag-format.ts). */
function resolveGlobalTags (value: unknown, format: TagFormat, check: OptionChecks): Readonly<Record<string, string>> {
  if (value === undefined) return Object.freeze({})
  if (!isRecord(value)) throw check.invalid('statsd.globalTags', 'an object', value)
  const out: Record<string, string> = {}
  for (const [key, tag] of Object.entries(value)) {
    // The key as JSON writes it in a string: a control character in it cannot reach a log line raw.
    const path = `statsd.globalTags.${JSON.stringify(key).slice(1, -1)}`
    if (typeof tag !== 'string' && typeof tag !== 'number') {
      throw check.invalid(path, 'a string or a number', tag)
    }
    if (!isWireSafe(key, 'key', format)) throw check.invalid(path, `under a non-empty key ${wireSafeRule('key', format)}`, key)
    const text = String(tag)
    if (!isWireSafe(text, 'value', format)) throw check.invalid(path, `a tag value ${wireSafeRule('value', format)}`, text)
    out[key] = text
  }
  return Object.freeze(out)
}
