import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Checks the dashboard token, from `Authorization: Bearer <token>` or the `token` query
 * parameter. Both sides are hashed first, so the comparison is constant-time and of equal
 * length whatever was sent, and the token's length does not leak either.
 */
export class DashboardAuth {
  readonly #expected: Buffer | null

  /** `token` undefined: every request is allowed. */
  constructor (token: string | undefined) {
    this.#expected = token === undefined ? null : digest(token)
  }

  get required (): boolean {
    return this.#expected !== null
  }

  allows (authorization: string | string[] | undefined, query: URLSearchParams): boolean {
    if (this.#expected === null) return true
    const sent = bearerToken(authorization) ?? query.get('token')
    if (sent === null || sent.length === 0) return false
    return timingSafeEqual(digest(sent), this.#expected)
  }
}

function bearerToken (header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)
  return match === null ? null : match[1]
}

function digest (text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
