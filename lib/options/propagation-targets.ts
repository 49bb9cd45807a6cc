import { invalidOption, type InvalidOption } from '../errors.ts'

/** Which outgoing targets receive the correlation header. */
export type PropagationTargets = readonly (string | RegExp)[] | ((url: URL) => boolean)

/**
 * Compiles `propagation.targets` once into a predicate on the target URL. A string is a hostname,
 * matched exactly, or, when it starts with a dot (`.example.com`), that domain and every
 * subdomain; a RegExp is tested against the hostname; a function gets the URL and may throw
 * (the header is then not sent: fail closed). No targets means every target. `invalid` builds
 * the error for bad targets (resolveOptions() passes one that names an environment variable).
 */
export function compilePropagationTargets (targets: unknown, invalid: InvalidOption = invalidOption): (url: URL) => boolean {
  if (targets === undefined) return allowAll
  if (typeof targets === 'function') {
    const predicate = targets as (url: URL) => boolean
    return function allowsByPredicate (url) {
      try {
        return predicate(url) === true
      } catch {
        return false
      }
    }
  }
  if (!Array.isArray(targets) || !targets.every((t) => (typeof t === 'string' && t.length > 0) || t instanceof RegExp)) {
    throw invalid('propagation.targets', 'an array of hostnames (".example.com" for subdomains) and RegExps, or a function', targets)
  }
  const exact = new Set<string>()
  const suffixes: string[] = []
  const patterns: RegExp[] = []
  for (const target of targets as ReadonlyArray<string | RegExp>) {
    if (target instanceof RegExp) patterns.push(target)
    else if (target.startsWith('.')) suffixes.push(target.toLowerCase())
    else exact.add(target.toLowerCase())
  }
  return function allowsByList (url) {
    const host = url.hostname.toLowerCase()
    if (exact.has(host)) return true
    for (const suffix of suffixes) {
      if (host.endsWith(suffix) || host === suffix.slice(1)) return true
    }
    for (const pattern of patterns) {
      pattern.lastIndex = 0
      if (pattern.test(host)) return true
    }
    return false
  }
}

function allowAll (): boolean {
  return true
}
