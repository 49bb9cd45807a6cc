const SKIPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding', 'upgrade', 'expect'])

/** Quotes for POSIX shells: single quotes, with `'` written as `'\''`. */
function shellQuote (value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`
}

/**
 * A `curl` command that replays a request. Everything it is given must already be scrubbed:
 * secrets then appear as their placeholder, never as their value. A parsed body is sent back in
 * the request's own encoding: a form as a form, anything else as JSON.
 */
export function buildCurlCommand (method: string, url: string, headers: Readonly<Record<string, unknown>>, body: unknown): string {
  // --globoff: scrubbed URLs hold [REDACTED], which curl would read as a glob range.
  const parts = ['curl', '--globoff', '-X', method, shellQuote(url)]
  for (const [name, value] of Object.entries(headers)) {
    if (SKIPPED_HEADERS.has(name) || value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) {
      parts.push('-H', shellQuote(`${name}: ${String(one)}`))
    }
  }
  if (body !== undefined) parts.push('--data-raw', shellQuote(bodyText(body, headers['content-type'])))
  return parts.join(' ')
}

function bodyText (body: unknown, contentType: unknown): string {
  if (typeof body === 'string') return body
  if (body !== null && typeof body === 'object' && isForm(contentType)) return formEncoded(body)
  return JSON.stringify(body)
}

function isForm (contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded'
}

/**
 * A parsed form back as `application/x-www-form-urlencoded`, nested keys in the bracket form
 * that the parsers of Express (qs) and @fastify/formbody read: `user[name]=a&tags[0]=x`.
 */
function formEncoded (form: object): string {
  const pairs: string[] = []
  function add (key: string, value: unknown): void {
    if (value === undefined) return
    if (value !== null && typeof value === 'object') {
      for (const [inner, v] of Object.entries(value)) add(`${key}[${encodeURIComponent(inner)}]`, v)
      return
    }
    pairs.push(`${key}=${encodeURIComponent(value === null ? '' : String(value))}`)
  }
  for (const [key, value] of Object.entries(form)) add(encodeURIComponent(key), value)
  return pairs.join('&')
}
