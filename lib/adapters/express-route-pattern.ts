/**
 * One router, app or middleware a request entered through a path, as it was mounted:
 * `app.use('/users/:uid', router)`. The first record of a request is its root: where vigie's
 * middleware runs (pattern `''`).
 */
export interface MountRecord {
  /** The mount path as written in the code, without a trailing slash: `/users/:uid`. */
  readonly pattern: string
  /** `req.baseUrl` right after Express matched this mount (`/users/42`). Compared, never reported. */
  readonly baseUrl: string
  /** False when a mount vigie did not record sits between this one and the previous record. */
  readonly contiguous: boolean
}

/** A mount path as `use` received it, prepared once when the router is mounted. */
export interface MountPath {
  readonly pattern: string
  /** Literal and `:param` segments only: each matched segment is one segment of the pattern. */
  readonly simple: boolean
  readonly slashes: number
}

/** Stands for the path of a mount vigie could not record (mounted before Express was patched). */
const UNRECORDED_MOUNT = '/(unrecorded)'

const SLASH = 47
// Characters with a meaning in path-to-regexp 0.1 (Express 4) or 8 (Express 5).
const PATTERN_SYNTAX = /[?+*()[\]{}!\\]/

/** A path as a label: strings as written, RegExps as `String(regexp)`, arrays as `[a,b]`. */
function pathLabel (path: unknown): string {
  if (typeof path === 'string') return path
  if (path instanceof RegExp) return String(path)
  if (Array.isArray(path)) return `[${path.map(pathLabel).join(',')}]`
  return typeof path === 'number' ? String(path) : '(unknown path)'
}

/** The mount path of `use(path, fn)`; `''` for `/`, which adds nothing to a route's pattern. */
export function mountPath (path: unknown): MountPath {
  const label = pathLabel(path)
  if (typeof path !== 'string') return { pattern: label, simple: false, slashes: 0 }
  let end = label.length
  while (end > 0 && label.charCodeAt(end - 1) === SLASH) end--
  const pattern = label.slice(0, end)
  return { pattern, simple: !PATTERN_SYNTAX.test(pattern), slashes: countSlashes(pattern, 0) }
}

/** The record for a mount just entered; `baseUrl` is `req.baseUrl` at that moment. */
export function enterMount (mounts: readonly MountRecord[], path: MountPath, baseUrl: string): MountRecord {
  const parentBase = mounts.length === 0 ? '' : mounts[mounts.length - 1]!.baseUrl
  return { pattern: path.pattern, baseUrl, contiguous: isContiguous(path, parentBase, baseUrl) }
}

/**
 * The full pattern of a route reached through `mounts`, when Express has set `req.baseUrl` to
 * `baseUrl`: the mount patterns joined, then the route's own path (`/api` + `/users` + `/:id`).
 * Where the matched text shows a mount vigie did not record, UNRECORDED_MOUNT takes its place
 * and `complete` is false: `req.baseUrl`, which holds raw IDs, is never used as a label.
 */
export function routeController (mounts: readonly MountRecord[], baseUrl: string, routePath: unknown): { controller: string, complete: boolean } {
  let prefix = ''
  let complete = true
  for (const mount of mounts) {
    if (!mount.contiguous) {
      prefix += UNRECORDED_MOUNT
      complete = false
    }
    prefix += mount.pattern
  }
  const innermost = mounts.length === 0 ? '' : mounts[mounts.length - 1]!.baseUrl
  if (baseUrl !== innermost) {
    prefix += UNRECORDED_MOUNT
    complete = false
  }
  const route = pathLabel(routePath)
  return { controller: prefix !== '' && route === '/' ? prefix : prefix + route, complete }
}

/**
 * Whether `baseUrl` is `parentBase` followed by text this mount's pattern matched. Only simple
 * patterns can be checked (by their number of segments); wildcards, RegExps and arrays are
 * trusted.
 */
function isContiguous (path: MountPath, parentBase: string, baseUrl: string): boolean {
  if (!baseUrl.startsWith(parentBase)) return false
  return !path.simple || countSlashes(baseUrl, parentBase.length) === path.slashes
}

function countSlashes (text: string, from: number): number {
  let count = 0
  for (let i = from; i < text.length; i++) {
    if (text.charCodeAt(i) === SLASH) count++
  }
  return count
}
