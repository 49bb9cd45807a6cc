import { urlToHttpOptions } from 'node:url'
import type { OutgoingPolicy } from '../context/request-context.ts'

export interface PreparedHttpCall {
  /** The arguments to call through with: the caller's own, or copies carrying the header. */
  readonly args: readonly unknown[]
  /** The target's hostname, for the `target_host` tag. */
  readonly host: string
}

interface CallShape {
  /** What Node reads: the URL's fields overridden by the options object's own properties. */
  readonly merged: Record<string, unknown>
  /** The caller's options object, if any. */
  readonly options: object | undefined
  /** Where the options argument is (or goes). */
  readonly index: number
  /** The options argument must be inserted before a callback rather than replace a value. */
  readonly insert: boolean
}

type CallHeaders = Record<string, unknown> | readonly unknown[]

// A hostname that could be read differently by URL and by the socket (`a@b`, `a/b`, spaces) is
// not guessed at: the call goes through untouched.
const PLAIN_HOSTNAME = /^[A-Za-z0-9._~%:[\]-]+$/

/**
 * Reads the target of an `http(s).request`/`get` call the way Node 20 does
 * (`url[, options][, callback]` or `options[, callback]`) and adds the correlation header when
 * the target is allowed and the caller set none, in any case. The caller's objects are copied,
 * never mutated. Returns null when the target cannot be read or anything fails: the call then
 * goes through untouched and is not timed.
 */
export function prepareHttpCall (args: readonly unknown[], defaultProtocol: string, policy: OutgoingPolicy, correlationId: string): PreparedHttpCall | null {
  try {
    const shape = readCallShape(args)
    const url = shape === null ? null : targetUrl(shape.merged, defaultProtocol)
    if (shape === null || url === null) return null
    const untouched = { args, host: url.hostname }
    if (!policy.allows(url)) return untouched
    const headers = withHeader(shape.merged.headers, policy.header, correlationId)
    if (headers === null) return untouched
    // Node itself reads only the options' own enumerable properties (Object.assign): so does the copy.
    const options = { ...shape.options, headers }
    const copy = args.slice()
    copy.splice(shape.index, shape.insert ? 0 : 1, options)
    return { args: copy, host: url.hostname }
  } catch {
    return null
  }
}

function readCallShape (args: readonly unknown[]): CallShape | null {
  const [first, second] = args
  if (typeof first === 'string' || isUrlLike(first)) {
    const fromUrl = urlToHttpOptions(typeof first === 'string' ? new URL(first) : first) as Record<string, unknown>
    if (second === undefined || second === null || typeof second === 'function') {
      return { merged: fromUrl, options: undefined, index: 1, insert: typeof second === 'function' }
    }
    if (typeof second !== 'object') return null
    return { merged: Object.assign(fromUrl, second), options: second, index: 1, insert: false }
  }
  if (first === null || typeof first !== 'object') return null
  return { merged: { ...first }, options: first, index: 0, insert: false }
}

/** Node's own test for a WHATWG URL passed as the first argument. */
function isUrlLike (value: unknown): value is URL {
  const url = value as { href?: unknown, protocol?: unknown, auth?: unknown, path?: unknown } | null | undefined
  return Boolean(url?.href && url.protocol && url.auth === undefined && url.path === undefined)
}

function targetUrl (options: Record<string, unknown>, defaultProtocol: string): URL | null {
  const protocol = nonEmptyString(options.protocol) ?? defaultProtocol
  const hostname = nonEmptyString(options.hostname) ?? nonEmptyString(options.host) ?? 'localhost'
  if (!PLAIN_HOSTNAME.test(hostname)) return null
  const host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname
  const port = options.port
  const portPart = (typeof port === 'number' && port !== 0) || (typeof port === 'string' && port !== '') ? `:${port}` : ''
  const path = nonEmptyString(options.path)
  return new URL(`${protocol}//${host}${portPart}${path?.startsWith('/') === true ? path : '/'}`)
}

function nonEmptyString (value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The caller's headers plus ours, or null when the header is set already or the form is unknown. */
function withHeader (headers: unknown, name: string, value: string): CallHeaders | null {
  if (headers === undefined || headers === null) return { [name]: value }
  if (Array.isArray(headers)) return withHeaderInArray(headers, name, value)
  if (typeof headers !== 'object') return null
  const prototype: unknown = Object.getPrototypeOf(headers)
  if (prototype !== Object.prototype && prototype !== null) return null
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) return null
  }
  return { ...headers, [name]: value }
}

/** Node takes `[name, value, …]` and `[[name, value], …]`; the copy keeps the caller's form. */
function withHeaderInArray (headers: readonly unknown[], name: string, value: string): CallHeaders | null {
  const presentOrUnreadable = (key: unknown): boolean => typeof key !== 'string' || key.toLowerCase() === name
  if (headers.length > 0 && Array.isArray(headers[0])) {
    return headers.some((entry) => !Array.isArray(entry) || presentOrUnreadable(entry[0])) ? null : [...headers, [name, value]]
  }
  for (let i = 0; i < headers.length; i += 2) {
    if (presentOrUnreadable(headers[i])) return null
  }
  return [...headers, name, value]
}
