/** What every secret value is replaced with. */
export const REDACTED = '[REDACTED]'

/**
 * Key snippets matched as SUBSTRINGS of a key once it is lowercased and stripped of `-`, `_`,
 * `.` and spaces: `api_key`, `Api-Key`, `apiKey` and `x-api-key` all contain `apikey`.
 * A denylist may over-match (`tokenizer` hits `token`); it must not under-match. Snippets short
 * enough to sit inside ordinary words are in SENSITIVE_KEY_WORDS instead.
 */
export const SENSITIVE_KEY_SNIPPETS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token', // also access_token, refresh_token, x-auth-token
  'apikey',
  'accesskey',
  'privatekey',
  'credential',
  'authorization', // also proxy-authorization
  'signature', // presigned URLs (x-amz-signature), webhook signatures
  'cookie', // also set-cookie
  'session',
  'sessid', // phpsessid, aspsessionid
  'jwt',
  'bearer',
  'csrf',
  'xsrf',
  'cardnumber',
  'ccnumber',
  'creditcard',
  'cvv',
  'cvc',
])

/**
 * Short names matched only as a WHOLE WORD of the key. Words are split at anything that is not
 * a letter or digit and at camelCase humps, so `user_pin`, `userPin`, `PIN`, `connect.sid`,
 * `X-Auth` and `OAuth` match, while `shipping`, `side`, `considered`, `author`, `company` and
 * `className` do not. As substrings these would redact half of any payload. `key` and `code`
 * are left out on purpose (`sortKey`, `{ code: 'ENOENT' }`); add them through `scrub.keys`.
 */
export const SENSITIVE_KEY_WORDS: readonly string[] = Object.freeze([
  'auth',
  'pass',
  'pw',
  'sid',
  'pin',
  'pan',
  'otp',
  'ssn',
])

/**
 * Extra snippets for cookie NAMES only, matched as substrings of the lowercased name with its
 * punctuation kept (the `__Host-` prefix is the signal). Too broad for header or body keys.
 */
export const SENSITIVE_COOKIE_NAME_SNIPPETS: readonly string[] = Object.freeze([
  '.sid', // express-session's connect.sid
  'remember', // "remember me" tokens
  'oidc',
  'pkce',
  'nonce',
  '__secure-',
  '__host-',
  'awsalb', // load-balancer sticky sessions
  'awselb',
  'mfa',
  '2fa',
])
