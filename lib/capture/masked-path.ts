import { isAlphanumeric } from '../scrub/char-classes.ts'
import { REDACTED } from '../scrub/sensitive-keys.ts'

/** Route params looked at: a route has a handful; a hostile object is not walked whole. */
const MAX_PARAMS = 32

function decodeSegment (segment: string): string {
  if (!segment.includes('%')) return segment
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Where the path of a request target starts: 0, or after the authority of an absolute-form target. */
function pathStart (target: string): number {
  if (target.startsWith('/')) return 0
  const separator = target.indexOf('://')
  if (separator < 0) return 0
  const slash = target.indexOf('/', separator + 3)
  return slash < 0 ? target.length : slash
}

function pathEnd (target: string, from: number): number {
  for (let i = from; i < target.length; i++) {
    const c = target.charCodeAt(i)
    if (c === 63 || c === 35) return i // ? #
  }
  return target.length
}

function isParamNameChar (c: number): boolean {
  return isAlphanumeric(c) || c === 95 || c === 36 // _ $
}

/** `:token`, `:token?`, `:token(\\w+)` → `token`; undefined for a segment that is not one param. */
function paramName (segment: string): string | undefined {
  if (!segment.startsWith(':')) return undefined
  let end = 1
  while (end < segment.length && isParamNameChar(segment.charCodeAt(end))) end++
  return end > 1 ? segment.slice(1, end) : undefined
}

/** The values of the sensitive params, as strings. */
function sensitiveValues (params: unknown, isSensitiveKey: (key: string) => boolean): Set<string> {
  const values = new Set<string>()
  if (params === null || typeof params !== 'object') return values
  let seen = 0
  for (const key in params) {
    if (++seen > MAX_PARAMS) break
    if (!Object.hasOwn(params, key) || !isSensitiveKey(key)) continue
    const value = (params as Record<string, unknown>)[key]
    if (typeof value === 'string' && value.length > 0) values.add(value)
  }
  return values
}

/**
 * The request target with the value of each sensitive route param (`/reset/:token`, by the
 * scrubber's key rules) masked in its path, as `[REDACTED]`: the path segment under a sensitive
 * param of the route pattern (when pattern and path have as many segments), and any segment
 * equal to a sensitive param's value, as written or decoded, or the text of a value that spans
 * segments. The query is left to the URL scrubber. Anything unexpected leaves the target as it is.
 */
export function maskSensitiveParams (target: string, route: string | undefined, params: unknown, isSensitiveKey: (key: string) => boolean): string {
  try {
    const values = sensitiveValues(params, isSensitiveKey)
    if (values.size === 0 && route === undefined) return target
    const start = pathStart(target)
    const end = pathEnd(target, start)
    let path = target.slice(start, end)
    for (const value of values) {
      if (value.includes('/')) path = path.replaceAll(value, REDACTED)
    }
    const segments = path.split('/')
    const pattern = route?.split('/')
    const aligned = pattern !== undefined && pattern.length === segments.length
    let masked = false
    for (let i = 0; i < segments.length; i++) {
      const name = aligned ? paramName(pattern[i]!) : undefined
      if ((name !== undefined && isSensitiveKey(name)) || values.has(segments[i]!) || values.has(decodeSegment(segments[i]!))) {
        segments[i] = REDACTED
        masked = true
      }
    }
    if (!masked && values.size === 0) return target
    return target.slice(0, start) + segments.join('/') + target.slice(end)
  } catch {
    return target
  }
}
