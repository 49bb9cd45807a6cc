const SKIPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding', 'upgrade', 'expect'])

/** Quotes for POSIX shells: single quotes, with `'` written as `'\''`. */
function shellQuote (value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`
}

/**
 * A `curl` command that replays a request. Everything it is given must already be scrubbed:
 * secrets then appear as their placeholder, never as their value.
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
  if (body !== undefined) {
    parts.push('--data-raw', shellQuote(typeof body === 'string' ? body : JSON.stringify(body)))
  }
  return parts.join(' ')
}
