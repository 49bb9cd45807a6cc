import { withCheckDigit } from './luhn.ts'

// The corpus of test/e2e/planted-secrets-corpus.test.ts: every shape of secret vigie must mask,
// each planted in every place of a request (or of the app's errors and users) where it makes
// sense, with its own instance per place so that a leak says what leaked from where; and the
// benign values that must come through unchanged. Secrets are built from parts so that no whole
// credential-shaped string sits in the repository.

/** One planted credential. */
export interface Secret {
  /** The credential alone, as a path segment, a header or a cookie holds it. */
  readonly value: string
  /** The credential inside a sentence, as an error message or a note holds it. */
  readonly text: string
  /** What an object holds under the credential's key (key shapes: an array for recovery codes). */
  readonly json: unknown
  /** Its secret parts (never its public prefix, nor the four digits a card keeps): none may be written anywhere. */
  readonly needles: readonly string[]
}

/**
 * - `value`: recognised by its shape wherever it is;
 * - `key`: secret only by the key it sits under (or in `key=value` free text);
 * - `header`, `cookie`: secret by the name of the header or cookie that carries it.
 */
export type ShapeKind = 'value' | 'key' | 'header' | 'cookie'

export interface Shape {
  readonly name: string
  readonly kind: ShapeKind
  /** The key, header or cookie name of a `key`, `header` or `cookie` shape. */
  readonly key?: string
  /** An instance unique to serial `n`. */
  readonly make: (n: number) => Secret
}

/** One secret planted in one place. */
export interface Planted {
  readonly shape: string
  readonly place: string
  readonly secret: Secret
  /** Written next to the secret: if no log line holds it, the secret never reached vigie and the check proves nothing. */
  readonly evidence?: string
}

/** A request of the corpus, sent as it is to app number `app`. */
export interface CorpusRequest {
  readonly app: number
  /** Path and query. */
  readonly path: string
  readonly init: RequestInit & { headers: Record<string, string> }
  readonly status: number
}

/** What GET /throw/:case throws (see corpusError()). */
export interface ThrowCase {
  readonly message: string
  readonly name?: string
  readonly cause: string
  readonly details: object
}

export interface Corpus {
  readonly planted: readonly Planted[]
  readonly requests: readonly CorpusRequest[]
  readonly throwCases: readonly ThrowCase[]
  /** What getUser returns for `x-corpus-user: object`. */
  readonly user: object
  /** What getUser throws for `x-corpus-user: throw-<i>`: one per app (vigie reports a failing getUser once a minute). */
  readonly userErrors: readonly string[]
  /** How many apps the requests are spread over. */
  readonly apps: number
  readonly benign: Benign
}

// ---------------------------------------------------------------------------------------------
// Instances unique to a serial: the serial sits at the start of each secret body.

function serial (n: number): string {
  return n.toString(36).padStart(3, '0')
}

/** `length` letters and digits, unique to `n`. */
function alnum (n: number, length: number): string {
  return `n${serial(n)}${'aB3'.repeat(length)}`.slice(0, length)
}

/** `length` of `[A-Z0-9]`, unique to `n`. */
function upper (n: number, length: number): string {
  return `N${serial(n).toUpperCase()}${'Q7X'.repeat(length)}`.slice(0, length)
}

/** `length` hexadecimal digits, unique to `n`. */
function hex (n: number, length: number): string {
  return `${n.toString(16).padStart(4, '0')}${'9f86d0818'.repeat(length)}`.slice(0, length)
}

/** `length` of the base64 alphabet, `/` and `+` included, unique to `n`. */
function base64ish (n: number, length: number): string {
  return `n${serial(n)}${'wJalrXUtnFEMI/K7MDENG+bPxRfiCY'.repeat(length)}`.slice(0, length)
}

function secret (value: string, text: string, needles: string[], json: unknown = value): Secret {
  return { value, text, json, needles }
}

function valueShape (name: string, make: (n: number) => Secret): Shape {
  return { name, kind: 'value', make }
}

/** A provider token: the public prefix, then a body unique to the serial (the secret part). */
function prefixed (name: string, prefix: string, body: (n: number) => string): Shape {
  return valueShape(name, (n) => {
    const b = body(n)
    return secret(prefix + b, `deploy with ${prefix}${b} now`, [b])
  })
}

function connectionString (name: string, url: (password: string) => string): Shape {
  return valueShape(name, (n) => {
    const password = `Pw${alnum(n, 14)}`
    return secret(url(password), `cannot reach ${url(password)} (timeout)`, [password])
  })
}

const CARD_FILLER = '1111111111111111111'

/** A Luhn-valid card number of `length` digits starting with `prefix`, unique to `n`, cut into `groups`. */
function card (name: string, prefix: string, groups: readonly number[], separator: string): Shape {
  const length = groups.reduce((sum, g) => sum + g, 0)
  return valueShape(name, (n) => {
    const digits = withCheckDigit(`${prefix}${String(n).padStart(4, '0')}${CARD_FILLER}`.slice(0, length - 1))
    const parts: string[] = []
    let at = 0
    for (const g of groups) {
      parts.push(digits.slice(at, at + g))
      at += g
    }
    const written = parts.join(separator)
    // Masking keeps the last four digits: the needles are the digits before them, as written and bare.
    const lastFour = written.length - 4
    return secret(written, `card ${written} declined`, [written.slice(0, lastFour).replace(/\D+$/, ''), digits.slice(0, -4)])
  })
}

const VISA = [4, 4, 4, 4]

function pem (n: number): { block: string, lines: string[] } {
  const lines = [`MIIEow${base64ish(n, 58)}`, `AoIBAQ${base64ish(n + 100_000, 58)}`]
  return { block: `-----BEGIN RSA PRIVATE KEY-----\n${lines.join('\n')}\n-----END RSA PRIVATE KEY-----`, lines }
}

function jwt (n: number): { token: string, parts: string[] } {
  const payload = `eyJzdWIiOi${alnum(n, 22)}`
  const signature = alnum(n, 43).replace('aB3', 'c-_')
  return { token: `eyJhbGciOiJIUzI1NiJ9.${payload}.${signature}`, parts: [payload, signature] }
}

const GITHUB_TOKEN_PREFIXES = ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_']

export const VALUE_SHAPES: readonly Shape[] = [
  prefixed('AWS access key ID (AKIA)', 'AKIA', (n) => upper(n, 16)),
  prefixed('AWS temporary access key ID (ASIA)', 'ASIA', (n) => upper(n, 16)),
  valueShape('AWS secret access key as aws_secret_access_key=… in text', (n) => {
    const key = base64ish(n, 40)
    return secret(`aws_secret_access_key=${key}`, `env has aws_secret_access_key=${key} set`, [key])
  }),
  ...GITHUB_TOKEN_PREFIXES.map((prefix) => prefixed(`GitHub token ${prefix}`, prefix, (n) => alnum(n, 36))),
  prefixed('GitHub fine-grained token github_pat_', 'github_pat_', (n) => `${alnum(n, 22)}_${alnum(n, 59)}`),
  prefixed('GitLab token glpat-', 'glpat-', (n) => alnum(n, 20)),
  prefixed('Stripe secret key sk_live_', 'sk_live_', (n) => alnum(n, 24)),
  prefixed('Stripe restricted key rk_live_', 'rk_live_', (n) => alnum(n, 24)),
  prefixed('Slack bot token xoxb-', 'xoxb-', (n) => `2${String(n).padStart(9, '0')}-3${String(n).padStart(9, '0')}-${alnum(n, 24)}`),
  prefixed('Slack user token xoxp-', 'xoxp-', (n) => `2${String(n).padStart(9, '0')}-3${String(n).padStart(9, '0')}-4${String(n).padStart(9, '0')}-${hex(n, 32)}`),
  prefixed('Google API key AIza', 'AIza', (n) => alnum(n, 35)),
  prefixed('npm token npm_', 'npm_', (n) => alnum(n, 36)),
  valueShape('PEM private key block', (n) => {
    const { block, lines } = pem(n)
    return secret(block, `loaded key ${block} from disk`, lines)
  }),
  connectionString('postgres:// connection string', (pw) => `postgres://shop:${pw}@db.internal:5432/shop`),
  connectionString('mysql:// connection string', (pw) => `mysql://app:${pw}@mysql.internal/app`),
  connectionString('mongodb+srv:// connection string', (pw) => `mongodb+srv://svc:${pw}@cluster0.example.mongodb.net/orders?retryWrites=true`),
  connectionString('redis://:password@ connection string', (pw) => `redis://:${pw}@cache.internal:6379/0`),
  valueShape('URL with access_token in its query', (n) => {
    const token = alnum(n, 32)
    const url = `https://auth.example.com/cb?access_token=${token}&state=af0ifjsldkj`
    return secret(url, `redirecting to ${url} after login`, [token])
  }),
  valueShape('password=… in text', (n) => {
    const password = `Pw${alnum(n, 14)}`
    return secret(`password=${password}`, `login failed password=${password} for ada`, [password])
  }),
  valueShape('password: … in text', (n) => {
    const password = `Pw${alnum(n, 14)}`
    return secret(`password: ${password}`, `config has password: ${password} set`, [password])
  }),
  valueShape('password = \'…\' in text', (n) => {
    const password = `correct horse ${alnum(n, 12)}`
    return secret(`password = '${password}'`, `UPDATE users SET password = '${password}' WHERE id = 7`, [password])
  }),
  card('card number, spaces', '4', VISA, ' '),
  card('card number, dashes', '4', VISA, '-'),
  card('card number, no separator', '4', VISA, ''),
  card('card number, dots', '4', VISA, '.'),
  card('card number, slashes', '4', VISA, '/'),
  card('card number, no-break spaces', '4', VISA, '\u00a0'),
  card('card number, double spaces', '4', VISA, '  '),
  card('Mastercard number, dashes', '55', VISA, '-'),
  card('Amex number, 4-6-5 with spaces', '37', [4, 6, 5], ' '),
  valueShape('JWT', (n) => {
    const { token, parts } = jwt(n)
    return secret(token, `session ${token} expired`, parts)
  }),
  valueShape('bcrypt hash, quoted in a failed INSERT', (n) => {
    const body = `${alnum(n, 22)}${'./'}${alnum(n, 29)}`
    const hash = `$2b$10$${body}`
    return secret(hash, `INSERT INTO users (email, password_hash) VALUES ('ada@example.com', '${hash}') - duplicate key value`, [body])
  }),
  valueShape('argon2id hash', (n) => {
    const salt = alnum(n, 22)
    const hash = alnum(n, 43).replace('aB3', 'x+/')
    return secret(`$argon2id$v=19$m=65536,t=3,p=4$${salt}$${hash}`, `stored $argon2id$v=19$m=65536,t=3,p=4$${salt}$${hash} for ada`, [`${salt}$${hash}`, hash])
  }),
  valueShape('Bearer token', (n) => {
    const token = `mF_9.B5f-4.${alnum(n, 24)}`
    return secret(`Bearer ${token}`, `upstream refused Bearer ${token} today`, [token])
  }),
]

function opaque (tag: string, n: number): string {
  return `${tag}${alnum(n, 18)}`
}

/** A secret under a sensitive key; in text, `key=value` (quoted when the value has spaces or commas). */
function keyShape (key: string, make: (n: number) => { json: unknown, flat: string, needles: string[] }): Shape {
  return {
    name: `value under key ${key}`,
    kind: 'key',
    key,
    make (n) {
      const { json, flat, needles } = make(n)
      const text = /[\s,;"']/.test(flat) ? `${key}="${flat}"` : `${key}=${flat}`
      return secret(flat, text, needles, json)
    },
  }
}

function opaqueUnder (key: string, tag: string): Shape {
  return keyShape(key, (n) => {
    const value = opaque(tag, n)
    return { json: value, flat: value, needles: [value] }
  })
}

function phrase (n: number, words: string): { json: string, flat: string, needles: string[] } {
  const value = `${words} w${serial(n)}`
  return { json: value, flat: value, needles: [value.slice(value.indexOf(' ') + 1)] }
}

export const KEY_SHAPES: readonly Shape[] = [
  keyShape('aws_secret_access_key', (n) => {
    const value = base64ish(n, 40)
    return { json: value, flat: value, needles: [value] }
  }),
  keyShape('iban', (n) => {
    const value = `DE89${String(n).padStart(4, '0')}37040044053201`
    return { json: value, flat: value, needles: [value.slice(4)] }
  }),
  opaqueUnder('passcode', 'Pc'),
  opaqueUnder('security_code', 'Sc'),
  opaqueUnder('mfa_code', 'Mf'),
  opaqueUnder('otp', 'Ot'),
  opaqueUnder('verification_code', 'Vc'),
  keyShape('recovery_codes', (n) => {
    const codes = [`rc1${alnum(n, 10)}`, `rc2${alnum(n, 10)}`]
    return { json: codes, flat: codes.join(','), needles: codes }
  }),
  keyShape('mnemonic', (n) => phrase(n, 'legal winner thank year wave sausage worth useful legal winner thank')),
  keyShape('seed_phrase', (n) => phrase(n, 'abandon ability able about above absent absorb abstract absurd abuse access')),
  keyShape('dsn', (n) => {
    const key = hex(n, 32)
    return { json: `https://${key}@o4504.ingest.sentry.io/4505`, flat: `https://${key}@o4504.ingest.sentry.io/4505`, needles: [key] }
  }),
  keyShape('database_url', (n) => {
    const password = `Pw${alnum(n, 14)}`
    const url = `postgres://app:${password}@db.internal:5432/prod`
    return { json: url, flat: url, needles: [password] }
  }),
  opaqueUnder('signing_key', 'Sk'),
  opaqueUnder('encryption_key', 'Ek'),
  keyShape('hmac', (n) => {
    const value = hex(n, 64)
    return { json: value, flat: value, needles: [value] }
  }),
  opaqueUnder('client_assertion', 'Ca'),
  opaqueUnder('password', 'Pw'),
  opaqueUnder('api_key', 'Ak'),
]

function headerShape (header: string, make: (n: number) => { value: string, needles: string[] }): Shape {
  return {
    name: `header ${header}`,
    kind: 'header',
    key: header,
    make (n) {
      const { value, needles } = make(n)
      return secret(value, value, needles)
    },
  }
}

export const HEADER_SHAPES: readonly Shape[] = [
  headerShape('authorization', (n) => {
    const token = opaque('Az', n)
    return { value: `Bearer ${token}`, needles: [token] }
  }),
  headerShape('proxy-authorization', (n) => {
    const credentials = Buffer.from(`svc:${opaque('Pa', n)}`).toString('base64')
    return { value: `Basic ${credentials}`, needles: [credentials] }
  }),
  headerShape('authentication', (n) => {
    const token = opaque('Au', n)
    return { value: `Negotiate ${token}`, needles: [token] }
  }),
  headerShape('x-forwarded-client-cert', (n) => {
    const hash = hex(n, 64)
    return { value: `By=spiffe://cluster.local/ns/shop/sa/api;Hash=${hash};URI=spiffe://cluster.local/ns/shop/sa/web`, needles: [hash] }
  }),
  headerShape('x-api-key', (n) => {
    const key = opaque('Xk', n)
    return { value: key, needles: [key] }
  }),
]

function cookieShape (cookie: string, make: (n: number) => string): Shape {
  return {
    name: `cookie ${cookie}`,
    kind: 'cookie',
    key: cookie,
    make (n) {
      const value = make(n)
      return secret(value, value, [value])
    },
  }
}

export const COOKIE_SHAPES: readonly Shape[] = [
  cookieShape('koa.sess', (n) => Buffer.from(`{"uid":7,"n":"${alnum(n, 12)}"}`).toString('base64')),
  cookieShape('koa.sess.sig', (n) => alnum(n, 27)),
  cookieShape('_oauth2_proxy', (n) => `${alnum(n, 40)}|1700000000|${alnum(n, 20)}`),
  cookieShape('connect.sid', (n) => `s%3A${alnum(n, 32)}.${alnum(n, 20)}`),
  cookieShape('session', (n) => alnum(n, 32)),
  cookieShape('PHPSESSID', (n) => alnum(n, 26)),
]

// ---------------------------------------------------------------------------------------------
// Benign values: they must come through unchanged.

/** `body` and a check digit that fails the Luhn check. */
function withWrongCheckDigit (body: string): string {
  return body + String((Number(withCheckDigit(body).slice(-1)) + 1) % 10)
}

/** 13-digit epoch-millisecond timestamps, like Date.now() gives; the first three pass the Luhn check. */
export const TIMESTAMPS: readonly number[] = [
  Number(withCheckDigit('170000000000')),
  Number(withCheckDigit('171234567890')),
  Number(withCheckDigit('173456789012')),
  Number(withWrongCheckDigit('172000000000')),
]
/** A Luhn-valid IMEI (15 digits). */
export const IMEI = withCheckDigit('35209900176148')
export const BEARER_SENTENCE = 'use a bearer token'

export interface Benign {
  /** The body's `benign` object, key by key. */
  readonly body: Readonly<Record<string, unknown>>
  /** The query of the benign request, value by value. */
  readonly query: Readonly<Record<string, string>>
  /** The parts of the benign error's message, joined with `; `. */
  readonly messageParts: readonly string[]
  /** Correlation IDs of the benign body, query and error requests. */
  readonly ids: { readonly body: string, readonly query: string, readonly error: string }
}

const BENIGN_BODY: Readonly<Record<string, unknown>> = {
  createdAt: TIMESTAMPS[0],
  updatedAt: String(TIMESTAMPS[1]),
  deliveredAt: TIMESTAMPS[3],
  timestamps: [...TIMESTAMPS],
  note: `retried at ${TIMESTAMPS[0]}, ${TIMESTAMPS[1]} and ${TIMESTAMPS[2]}`,
  imei: IMEI,
  device: `phone IMEI ${IMEI}`,
  hint: BEARER_SENTENCE,
  token_count: 1200,
  max_tokens: 4096,
  session_count: 3,
  secretary: 'Ada Lovelace',
  csrf_enabled: true,
  signatureAlgorithm: 'RS256',
  cookieConsent: 'granted',
  pin_count: 2,
  OTPVersion: 2,
  passwordPolicy: { minLength: 12, requireDigit: true, rotateDays: 90 },
}

// ---------------------------------------------------------------------------------------------
// Places.

/** What a URL path segment may hold as it is (anything else is sent percent-encoded). */
function isPathSafe (s: string): boolean {
  return /^[A-Za-z0-9\-._~=+:@]+$/.test(s)
}

/** What a cookie value may hold as it is. */
function isCookieSafe (s: string): boolean {
  return /^[\x21-\x7e]+$/.test(s) && !/[",;\\]/.test(s)
}

function isHeaderSafe (s: string): boolean {
  return !/[\r\n]/.test(s)
}

const MAX_ERROR_NAME = 100
/** What vigie keeps of a failing getUser's message. */
const MAX_REPORTED_MESSAGE = 1000

/**
 * Builds the corpus: every planted secret, the requests that carry them, the errors the routes
 * throw and what getUser returns or throws. Deterministic.
 */
export function buildCorpus (): Corpus {
  const planted: Planted[] = []
  const requests: CorpusRequest[] = []
  const throwCases: ThrowCase[] = []
  let next = 1
  let nextId = 1

  function plantWithEvidence (shape: Shape, place: string, evidence: string | undefined): Secret {
    const s = shape.make(next++)
    planted.push({ shape: shape.name, place, secret: s, evidence })
    return s
  }
  /** Plants a secret with a marker to write beside it, its evidence when `proven`. */
  function plant (shape: Shape, place: string, proven = true): { secret: Secret, marker: string } {
    const marker = `zq${String(next).padStart(4, '0')}`
    return { secret: plantWithEvidence(shape, place, proven ? marker : undefined), marker }
  }
  /** The correlation ID the next request will carry. */
  function nextRequestId (): string {
    return `corpus-${nextId}`
  }
  function request (path: string, options: { method?: string, headers?: Record<string, string>, body?: unknown, status?: number, app?: number } = {}): string {
    const id = `corpus-${nextId++}`
    const headers: Record<string, string> = { 'x-request-id': id, ...options.headers }
    if (options.status === 200) headers['x-answer'] = 'ok'
    const init: CorpusRequest['init'] = { method: options.method ?? 'GET', headers }
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json'
      init.body = JSON.stringify(options.body)
    }
    requests.push({ app: options.app ?? 0, path, init, status: options.status ?? 500 })
    return id
  }

  // The body: at depth, and in arrays. Objects hold at most 50 keys (vigie's per-object cap).
  const notes: Record<string, string> = {}
  for (const shape of VALUE_SHAPES) {
    const { secret: s, marker } = plant(shape, 'body, nested object')
    notes[marker] = `${marker} ${s.text}`
  }
  const billing: Record<string, object> = {}
  for (const shape of KEY_SHAPES) {
    const { secret: s, marker } = plant(shape, 'body, nested object')
    billing[marker] = { [shape.key!]: s.json }
  }
  const comments = VALUE_SHAPES.map((shape) => {
    const { secret: s, marker } = plant(shape, 'body, array')
    return `${marker} ${s.text}`
  })
  const items = KEY_SHAPES.map((shape, i) => {
    const { secret: s, marker } = plant(shape, 'body, array')
    return { sku: `A${i}`, ref: marker, [shape.key!]: s.json }
  })
  const bodyId = request('/orders/o-1', {
    method: 'POST',
    body: { order: { id: 'o-1', payment: { notes }, account: { billing } }, comments, items, benign: BENIGN_BODY },
  })

  // The query string, answered 500 and 200 (Fastify writes its request lines either way).
  for (const status of [500, 200]) {
    const place = `query string (${status})`
    const pairs: string[] = []
    for (const shape of VALUE_SHAPES) {
      // Express writes no line for a request answered 200: the marker is looked for on 500s only.
      const { secret: s, marker } = plant(shape, place, status === 500)
      pairs.push(`q_${marker}=${encodeURIComponent(s.text)}`)
    }
    request(`/orders/o-2?${pairs.join('&')}`, { status })
    const keyPairs = KEY_SHAPES.map((shape) => {
      const s = plantWithEvidence(shape, place, status === 500 ? `${shape.key}=` : undefined)
      return `${shape.key}=${encodeURIComponent(s.value)}`
    })
    request(`/orders/o-3?${keyPairs.join('&')}`, { status })
  }

  // Headers: a shaped secret under an ordinary name, a keyed one under x-<key>, and the sensitive names.
  const headers: Record<string, string> = {}
  for (const shape of VALUE_SHAPES) {
    const probe = shape.make(0)
    if (!isHeaderSafe(probe.text)) continue
    const { secret: s, marker } = plant(shape, 'request header')
    headers[`x-note-${marker}`] = `${marker} ${s.text}`
  }
  for (const shape of [...KEY_SHAPES, ...HEADER_SHAPES]) {
    const name = shape.kind === 'header' ? shape.key! : `x-${shape.key!.replaceAll('_', '-')}`
    headers[name] = plantWithEvidence(shape, 'request header', name).value
  }
  request('/orders/o-5', { headers })

  // Cookies: a shaped secret in an ordinary cookie, and the session cookies.
  const cookies: string[] = []
  for (const shape of VALUE_SHAPES) {
    if (!isCookieSafe(shape.make(0).value)) continue
    const { secret: s, marker } = plant(shape, 'cookie')
    cookies.push(`pref_${marker}=${s.value}`)
  }
  for (const shape of COOKIE_SHAPES) {
    cookies.push(`${shape.key}=${plantWithEvidence(shape, 'cookie', `${shape.key}=`).value}`)
  }
  request('/orders/o-6', { headers: { cookie: cookies.join('; ') } })

  // The URL path: a route param named `token` (any secret), a plain segment (the shaped ones
  // that need no encoding), and a percent-encoded segment; each answered 500 and 200.
  for (const status of [500, 200]) {
    const evidence = (): string | undefined => status === 500 ? nextRequestId() : undefined
    for (const shape of [...VALUE_SHAPES, ...KEY_SHAPES]) {
      const s = plantWithEvidence(shape, `route param :token (${status})`, evidence())
      request(`/reset/${isPathSafe(s.value) ? s.value : encodeURIComponent(s.value)}`, { status })
    }
    for (const shape of VALUE_SHAPES) {
      if (isPathSafe(shape.make(0).value)) {
        const s = plantWithEvidence(shape, `path segment (${status})`, evidence())
        request(`/files/${s.value}`, { status })
      }
      const s = plantWithEvidence(shape, `percent-encoded path segment (${status})`, evidence())
      request(`/files/${encodeURIComponent(s.value)}`, { status })
    }
  }

  // Errors: the message, the name, the cause's message, a custom property, a URL in the message.
  for (const shape of [...VALUE_SHAPES, ...KEY_SHAPES]) {
    const message = plant(shape, 'error message')
    const url = plant(shape, 'URL in free text (error message)')
    const urlText = shape.kind === 'key'
      ? `https://api.example.com/v1/cb?${shape.key}=${encodeURIComponent(url.secret.value)}`
      : `https://api.example.com/v1/items?ref=${encodeURIComponent(url.secret.value)}&page=2`
    let name: string | undefined
    const probe = shape.make(0).value
    if (shape.kind === 'value' && !probe.includes('\n') && `zq0000 ${probe}`.length <= MAX_ERROR_NAME) {
      const inName = plant(shape, 'error name')
      name = `${inName.marker} ${inName.secret.value}`
    }
    const cause = plant(shape, 'error cause message')
    const details = plant(shape, 'custom error property (err.details)', false)
    throwCases.push({
      message: `order failed: ${message.marker} ${message.secret.text} | ${url.marker} GET ${urlText} failed`,
      name,
      cause: `${cause.marker} ${cause.secret.text}`,
      details: shape.kind === 'key' ? { ctx: { [shape.key!]: details.secret.json } } : { note: details.secret.text },
    })
    request(`/throw/${throwCases.length - 1}`)
  }

  // getUser's answer.
  const profile: Record<string, string> = {}
  for (const shape of VALUE_SHAPES) {
    const { secret: s, marker } = plant(shape, 'getUser\'s object')
    profile[marker] = `${marker} ${s.text}`
  }
  const vault: Record<string, object> = {}
  for (const shape of KEY_SHAPES) {
    const { secret: s, marker } = plant(shape, 'getUser\'s object')
    vault[marker] = { [shape.key!]: s.json }
  }
  const user = { id: 'u-7', email: 'ada@example.com', profile, vault }
  request('/orders/o-7', { headers: { 'x-corpus-user': 'object' } })

  // getUser throwing: vigie reports it once a minute per app, its message cut to 1000
  // characters, so the secrets are spread over several apps' messages.
  const userErrors: string[] = []
  let current = 'user lookup failed:'
  for (const shape of [...VALUE_SHAPES, ...KEY_SHAPES]) {
    const { secret: s, marker } = plant(shape, 'error thrown by getUser')
    const piece = ` ${marker} ${s.text};`
    if (current.length + piece.length > MAX_REPORTED_MESSAGE) {
      userErrors.push(current)
      current = 'user lookup failed:'
    }
    current += piece
  }
  userErrors.push(current)
  userErrors.forEach((_, i) => request('/orders/o-8', { headers: { 'x-corpus-user': `throw-${i}` }, app: i }))

  // The benign requests.
  const messageParts = [...TIMESTAMPS.map((ts) => `retry at ${ts}`), `phone IMEI ${IMEI}`, BEARER_SENTENCE]
  throwCases.push({ message: messageParts.join('; '), cause: 'none', details: {} })
  const benignQuery = { since: String(TIMESTAMPS[0]), until: String(TIMESTAMPS[2]), imei: IMEI, hint: BEARER_SENTENCE }
  const queryId = request(`/orders/o-9?${new URLSearchParams(benignQuery).toString()}`)
  const errorId = request(`/throw/${throwCases.length - 1}`)

  return {
    planted,
    requests,
    throwCases,
    user,
    userErrors,
    apps: userErrors.length,
    benign: {
      body: BENIGN_BODY,
      query: benignQuery,
      messageParts,
      ids: { body: bodyId, query: queryId, error: errorId },
    },
  }
}

/** The error GET /throw/:case throws. */
export function corpusError (c: ThrowCase): Error {
  const err = new Error(c.message, { cause: new Error(c.cause) })
  if (c.name !== undefined) err.name = c.name
  Object.assign(err, { details: c.details })
  return err
}

/** What getUser does for `x-corpus-user`: the user object, a throw, or no user. */
export function corpusUser (corpus: Corpus, header: unknown): unknown {
  if (header === 'object') return corpus.user
  if (typeof header === 'string' && header.startsWith('throw-')) throw new Error(corpus.userErrors[Number(header.slice(6))])
  return undefined
}
