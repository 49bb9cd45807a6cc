import type { IncomingHttpHeaders } from 'node:http'
import { scanLength, scanWindow } from '../scrub/free-text.ts'
import type { Scrubber } from '../scrub/scrubber.ts'

export interface BodyLimits { maxBodyBytes: number, maxDepth: number, maxArrayItems: number, maxTotalKeys: number }

type BodyKind = 'json' | 'form' | 'xml' | 'text' | 'absent' | 'binary'

// The most of a body ever parsed or serialized, whatever its size: JSON text longer than this
// is not parsed (it could not be scrubbed by key), and a body parsed from more than this is not
// copied (V8 would list every key of its objects first). How much text is scanned: free-text.ts.
const WORK_CEILING = 1_048_576
const MAX_MEDIA_TYPE_SHOWN = 100

/** The `content-length` the client declared, when it is a plain decimal integer. */
function declaredLength (value: string | undefined): number | undefined {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined
}

function mediaTypeOf (contentType: string | undefined): string | undefined {
  if (typeof contentType !== 'string') return undefined
  const semicolon = contentType.indexOf(';')
  const media = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  return media === '' ? undefined : media
}

function kindOf (media: string | undefined): BodyKind {
  if (media === undefined) return 'absent'
  const slash = media.indexOf('/')
  if (slash < 0) return 'binary'
  const type = media.slice(0, slash)
  const subtype = media.slice(slash + 1)
  if (subtype === 'json' || subtype.endsWith('+json')) return 'json'
  if (media === 'application/x-www-form-urlencoded') return 'form'
  if (subtype === 'xml' || subtype.endsWith('+xml')) return 'xml'
  if (type === 'text') return 'text'
  return 'binary'
}

function asBuffer (body: unknown): Buffer | undefined {
  if (Buffer.isBuffer(body)) return body
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  return undefined
}

/** The longest prefix of `s` that fits in `maxBytes` of UTF-8, never splitting a character. */
function truncateUtf8 (s: string, maxBytes: number): string {
  let bytes = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let size = c < 0x80 ? 1 : c < 0x800 ? 2 : 3
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    if (pair) size = 4
    if (bytes + size > maxBytes) return s.slice(0, i)
    bytes += size
    if (pair) i++
  }
  return s
}

/**
 * Scrubs the head of `s` with `scrubHead` and cuts the result to `maxBytes`. `sourceCut` says
 * `s` is itself only the start of the body (`totalBytes` long).
 */
function captureText (s: string, totalBytes: number | undefined, sourceCut: boolean, maxBytes: number, scrubHead: (head: string) => string): string {
  const scanned = scanWindow(s, maxBytes)
  const scrubbed = scrubHead(scanned)
  const kept = truncateUtf8(scrubbed, maxBytes)
  if (kept.length === scrubbed.length && scanned.length === s.length && !sourceCut) return kept
  return `${kept}…[truncated, ${totalBytes ?? Buffer.byteLength(s)} bytes total]`
}

/**
 * JSON text of a scrubbed copy, stopping once it passes `budget` characters. Only plain data
 * reaches it (scrubber.value() output), so it needs none of JSON.stringify's generality.
 */
function boundedJson (value: unknown, budget: number): { json: string, complete: boolean } {
  const parts: string[] = []
  let length = 0
  function write (s: string): boolean {
    parts.push(s)
    length += s.length
    return length <= budget
  }
  function writeValue (v: unknown): boolean {
    if (v === null || typeof v !== 'object') return write(JSON.stringify(v) ?? 'null')
    if (Array.isArray(v)) {
      if (!write('[')) return false
      for (let i = 0; i < v.length; i++) {
        if ((i > 0 && !write(',')) || !writeValue(v[i])) return false
      }
      return write(']')
    }
    if (!write('{')) return false
    let first = true
    for (const [key, item] of Object.entries(v)) {
      if (item === undefined) continue
      if ((!first && !write(',')) || !write(`${JSON.stringify(key)}:`) || !writeValue(item)) return false
      first = false
    }
    return write('}')
  }
  const complete = writeValue(value)
  return { json: parts.join(''), complete }
}

function captureParsed (body: unknown, limits: BodyLimits, scrubber: Scrubber): unknown {
  const copy = scrubber.value(body, {
    maxDepth: limits.maxDepth,
    maxArrayItems: limits.maxArrayItems,
    maxTotalKeys: limits.maxTotalKeys,
    maxStringLength: limits.maxBodyBytes,
  })
  if (copy === null || typeof copy !== 'object') {
    return typeof copy === 'string' ? truncateUtf8(copy, limits.maxBodyBytes) : copy
  }
  const { json, complete } = boundedJson(copy, Math.max(WORK_CEILING, limits.maxBodyBytes))
  if (complete && Buffer.byteLength(json) <= limits.maxBodyBytes) return copy
  const total = complete ? `${Buffer.byteLength(json)} bytes total` : `over ${WORK_CEILING} bytes`
  return `${truncateUtf8(json, limits.maxBodyBytes)}…[truncated, ${total}]`
}

function captureJsonText (s: string, bytes: number, limits: BodyLimits, scrubber: Scrubber): unknown {
  if (bytes > WORK_CEILING) return `[body not captured: JSON of ${bytes} bytes]`
  let parsed: unknown
  try {
    parsed = JSON.parse(s)
  } catch {
    // Unparsed JSON cannot be scrubbed by key: fail closed.
    return `[body not captured: unparseable JSON of ${bytes} bytes]`
  }
  return typeof parsed === 'string'
    ? captureText(parsed, undefined, false, limits.maxBodyBytes, scrubber.text)
    : captureParsed(parsed, limits, scrubber)
}

function captureString (s: string, totalBytes: number | undefined, sourceCut: boolean, kind: BodyKind, limits: BodyLimits, scrubber: Scrubber): unknown {
  const max = limits.maxBodyBytes
  switch (kind) {
    case 'json':
      return captureJsonText(s, totalBytes ?? Buffer.byteLength(s), limits, scrubber)
    case 'form':
      // A form body is a query string: the same per-key rules apply.
      return captureText(s, totalBytes, sourceCut, max, (head) => scrubber.url(`?${head}`).slice(1))
    case 'xml':
      // XML is not parsed, so it cannot be scrubbed by element name: a body that holds a
      // sensitive name anywhere (as a key snippet or word) is not captured at all.
      if (scrubber.isSensitiveKey(scanWindow(s, max))) return '[body not captured: XML with sensitive names]'
      return captureText(s, totalBytes, sourceCut, max, scrubber.text)
    case 'text': {
      // text/plain often carries JSON (sendBeacon, misconfigured clients): scrub it by key.
      const first = s.trimStart()[0]
      if ((first === '{' || first === '[') && !sourceCut && s.length <= WORK_CEILING) {
        try {
          return captureParsed(JSON.parse(s), limits, scrubber)
        } catch {
          // Not JSON after all: scrubbed as text below.
        }
      }
      return captureText(s, totalBytes, sourceCut, max, scrubber.text)
    }
    default:
      return '[body not captured: no content type]'
  }
}

function captureBinary (buffer: Buffer, kind: BodyKind, limits: BodyLimits, scrubber: Scrubber): unknown {
  if (buffer.length === 0) return undefined
  if (kind === 'binary' || kind === 'absent') return `[binary body: ${buffer.length} bytes]`
  if (kind === 'json') {
    return buffer.length > WORK_CEILING
      ? `[body not captured: JSON of ${buffer.length} bytes]`
      : captureJsonText(buffer.toString('utf8'), buffer.length, limits, scrubber)
  }
  const scanned = Math.min(buffer.length, scanLength(limits.maxBodyBytes))
  const text = buffer.toString('utf8', 0, scanned)
  return captureString(text, buffer.length, scanned < buffer.length, kind, limits, scrubber)
}

/**
 * The body as it may appear in a captured exception: scrubbed, bounded, never throws.
 *
 * - Captured: content types `application/json`, `*+json`, `text/*`,
 *   `application/x-www-form-urlencoded`, `*xml`; or no content type with an already-parsed
 *   (non-string) body. Parsed bodies go through `scrubber.value()`; form strings are scrubbed
 *   key by key like a query; JSON strings and Buffers are parsed first (up to 1 MiB) so that
 *   keys are scrubbed too; text goes through `scrubber.text()`.
 * - A parsed body whose `content-length` is over 1 MiB is not copied:
 *   `[body not captured: JSON of 5242880 bytes]` (`parsed body` for other types). Its objects
 *   could hold millions of keys, and V8 lists them all before the copy can stop.
 * - Not captured, a marker instead: binary types and Buffers (`[binary body: 2048 bytes]`),
 *   streams, multipart and other types (`[body not captured: multipart/form-data]`), JSON
 *   that does not parse, XML that holds a sensitive name.
 * - At most `maxBodyBytes` of UTF-8 are kept, cut on a character boundary and followed by
 *   `…[truncated, 12345 bytes total]`; a parsed body that fits is returned as an object. No
 *   more than about 1 MiB of any body is ever scanned or serialized.
 * - `undefined`, `null`, `''` and empty Buffers → `undefined`.
 */
export function captureBody (body: unknown, headers: Readonly<IncomingHttpHeaders>, limits: BodyLimits, scrubber: Scrubber): unknown {
  try {
    if (body === undefined || body === null || body === '') return undefined
    const contentType = headers['content-type']
    const media = mediaTypeOf(contentType)
    const kind = kindOf(media)
    const buffer = asBuffer(body)
    if (buffer !== undefined) return captureBinary(buffer, kind, limits, scrubber)
    if (typeof (body as { pipe?: unknown }).pipe === 'function') return '[body not captured: stream]'
    if (kind === 'binary') return `[body not captured: ${scrubber.text((media ?? '').slice(0, MAX_MEDIA_TYPE_SHOWN))}]`
    if (typeof body === 'string') return captureString(body, undefined, false, kind, limits, scrubber)
    const declared = declaredLength(headers['content-length'])
    if (declared !== undefined && declared > WORK_CEILING) return `[body not captured: ${kind === 'json' ? 'JSON' : 'parsed body'} of ${declared} bytes]`
    return captureParsed(body, limits, scrubber)
  } catch {
    return '[body not captured: unreadable]'
  }
}
