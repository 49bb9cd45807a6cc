/** What the default `getUser` keeps of `request.user`: who it is, never what it holds (hashes, tokens, roles). */
const USER_KEYS = ['id', 'username', 'email'] as const

export type RequestUser = Partial<Record<(typeof USER_KEYS)[number], string | number>>

/**
 * The default `getUser`: `request.user` (set by passport on Express, by @fastify/jwt and
 * @fastify/passport on Fastify) when it is an object, reduced to its `id`, `username` and `email`
 * that are strings or finite numbers; undefined when none is. Properties are read as the app
 * reads them, through getters (an ORM's model has them on its prototype); a getter that throws
 * throws here, and the caller reports it.
 */
export function userFromRequest (request: unknown): RequestUser | undefined {
  if (request === null || typeof request !== 'object') return undefined
  const user: unknown = (request as { user?: unknown }).user
  if (user === null || typeof user !== 'object') return undefined
  let kept: RequestUser | undefined
  for (const key of USER_KEYS) {
    const value: unknown = (user as Record<string, unknown>)[key]
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) {
      kept ??= {}
      kept[key] = value
    }
  }
  return kept
}
