// The one rule of precedence: an option given in code, then the environment variable that sets
// it, then the default (applied later, in resolve-options.ts).

import { isRecord, type CodeOptions } from './code-options.ts'

/** The statsd options a user's `statsd.client` brings itself; they conflict with it. */
export const CLIENT_OWNED_STATSD_KEYS: readonly string[] = Object.freeze(['host', 'port', 'protocol', 'path', 'prefix', 'globalTags',
  'tagFormat', 'maxBufferSize', 'bufferFlushInterval', 'datadog'])

/**
 * True when `option` (a path such as `statsd.port`) is decided in code, so that its variable is
 * not read: the code sets it, or turns its feature off (`dashboard: false`), or gives a
 * `statsd.client` that owns it.
 */
export function isDecidedInCode (code: CodeOptions, option: string): boolean {
  const [head, tail] = option.split('.') as [string, string | undefined]
  const value = code[head]
  if (tail === undefined) return value !== undefined
  if (value === false) return true
  if (!isRecord(value)) return false
  if (head === 'statsd' && value.client !== undefined && CLIENT_OWNED_STATSD_KEYS.includes(tail)) return true
  return value[tail] !== undefined
}

/**
 * Lays the options the environment sets under those given in code, key by key inside option
 * objects: `statsd: { port: 1 }` in code still takes its host from `STATSD_HOST`, and
 * `dashboard: true` its token from `VIGIE_DASHBOARD_TOKEN`. The environment holds nothing
 * isDecidedInCode() ruled out. Neither input is changed.
 */
export function layerOptions (code: CodeOptions, environment: CodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { ...environment }
  for (const [key, value] of Object.entries(code)) {
    if (value === undefined) continue
    const under = environment[key]
    if (isRecord(under) && isRecord(value)) out[key] = { ...under, ...definedEntries(value) }
    else if (isRecord(under) && value === true) out[key] = under
    else out[key] = value
  }
  return out
}

function definedEntries (value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))
}
