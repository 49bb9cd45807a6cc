import type { Test } from 'tap'

/**
 * A failing checkout request carrying every kind of secret vigie must scrub, shared by the
 * Fastify and Express exception tests: none of SECRETS may appear in any log line.
 */
export const CARD = '4111 1111 1111 1111'
export const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNlY3JldA'
// Built from parts so that no whole credential-shaped string sits in the repository.
const GITHUB_TOKEN_BODY = 'aB3'.repeat(12)
const AWS_KEY_ID_BODY = 'Q7X'.repeat(5) + 'Q'
const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'
/** Free text in the body: a provider token, an AWS key ID, a connection string and a private key. */
export const NOTES = `deploy with ghp_${GITHUB_TOKEN_BODY} and AKIA${AWS_KEY_ID_BODY}; db postgres://shop:pg-pass-42@db/shop; ` +
  `key -----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n-----END PRIVATE KEY-----`
export const SCRUBBED_NOTES = 'deploy with ghp_[REDACTED] and AKIA[REDACTED]; db postgres://shop:[REDACTED]@db/shop; ' +
  'key -----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----'
export const SECRETS = ['hunter2', CARD, '4111111111111111', JWT, 'abc123secret', 's3cr3t-session', 'user-token-123',
  GITHUB_TOKEN_BODY, AWS_KEY_ID_BODY, 'pg-pass-42', PEM_BODY] as const
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
    body: JSON.stringify({ email: 'ada@example.com', password: 'hunter2', card: CARD, notes: NOTES, items: [{ sku: 'A1', qty: 2 }] }),
  }
}

/** The user getUser returns in those tests: its token must be scrubbed too. */
export function plantedUser (id: unknown): object {
  return { id, email: 'ada@example.com', token: 'user-token-123' }
}

/**
 * The checks every framework's exception line for checkoutRequest() must pass: the same
 * contract, whatever adapter wrote it.
 */
export function assertCheckoutExceptionLine (t: Test, line: Record<string, any>): void {
  t.equal(line.correlationId, 'exc-1')
  t.match(line.msg, /^exception: PaymentError: declined card \*{4} \*{4} \*{4} 1111$/)
  t.equal(line.err.type, 'PaymentError')
  t.equal(line.err.code, 'E_PAYMENT')
  t.match(line.err.stack, /PaymentError: declined card/)
  t.equal(line.err.cause.type, 'Error')
  t.match(line.err.cause.message, /gateway said no to \*{4}/)
  t.equal(line.req.method, 'POST')
  t.equal(line.req.route, '/checkout/:cart')
  t.match(line.req.url, /^http:\/\/127\.0\.0\.1:\d+\/checkout\/c-9\?session=\[REDACTED\]&page=1$/)
  t.equal(line.req.headers.authorization, '[REDACTED]')
  t.equal(line.req.headers['x-user-id'], 'u-7')
  t.equal(line.req.body.password, '[REDACTED]')
  t.equal(line.req.body.email, 'ada@example.com')
  t.equal(line.req.body.notes, SCRUBBED_NOTES)
  t.same(line.req.body.items, [{ sku: 'A1', qty: 2 }])
  t.equal(line.req.remoteAddress, '127.0.0.1')
  t.equal(line.user.id, 'u-7')
  t.equal(line.user.token, '[REDACTED]')
  t.equal(line.res.statusCode, 500)
  t.type(line.responseTime, 'number')
  t.match(line.repro, /^curl --globoff -X POST 'http:\/\/127\.0\.0\.1:\d+\/checkout\/c-9\?session=\[REDACTED\]&page=1'/)
}
