/** Stands for the path of a mount vigie could not see (a router reached through a function of the app's). */
export const UNRECORDED_MOUNT = '/(unrecorded)'

const SLASH = 47

/** A path as a label: strings as written, RegExps as `String(regexp)`, arrays as `[a,b]`. */
export function pathLabel (path: unknown): string {
  if (typeof path === 'string') return path
  if (path instanceof RegExp) return String(path)
  if (Array.isArray(path)) return `[${path.map(pathLabel).join(',')}]`
  return typeof path === 'number' ? String(path) : '(unknown path)'
}

/** The pattern of a mount path, without trailing slashes: `''` for `/`, which adds nothing to a route's pattern. */
export function mountPattern (path: unknown): string {
  const label = pathLabel(path)
  if (typeof path !== 'string') return label
  let end = label.length
  while (end > 0 && label.charCodeAt(end - 1) === SLASH) end--
  return label.slice(0, end)
}

/** The full pattern of a route: its mounts' patterns, then its own path (`/api` + `/users` + `/:id`). */
export function joinController (prefix: string, route: string): string {
  return prefix !== '' && route === '/' ? prefix : prefix + route
}
