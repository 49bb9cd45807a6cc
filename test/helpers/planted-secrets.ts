/**
 * A failing checkout request carrying every kind of secret vigie must scrub, shared by the
 * Fastify and Express exception tests: none of SECRETS may appear in any log line.
 */
export const CARD = '4111 1111 1111 1111'
export const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNlY3JldA'
export const SECRETS = ['hunter2', CARD, '4111111111111111', JWT, 'abc123secret', 's3cr3t-session', 'user-token-123'] as const
export const CHECKOUT_PATH = '/checkout/c-9?session=s3cr3t-session&page=1'

export function checkoutRequest (): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${JWT}`,
      cookie: 'sid=abc123secret; theme=dark',
      'x-user-id': 'u-7',
      'x-request-id': 'exc-1',
    },
    body: JSON.stringify({ email: 'ada@example.com', password: 'hunter2', card: CARD, items: [{ sku: 'A1', qty: 2 }] }),
  }
}

/** The user getUser returns in those tests: its token must be scrubbed too. */
export function plantedUser (id: unknown): object {
  return { id, email: 'ada@example.com', token: 'user-token-123' }
}
