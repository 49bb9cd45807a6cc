/** What every secret value is replaced with. */
export const REDACTED = '[REDACTED]'

/**
 * Key snippets matched against the key's words, lowercased and joined (`api_key`, `Api-Key`,
 * `apiKey` and `x-api-key` all hold `apikey`). A snippet must END where a word ends (an `s` and
 * digits may follow: `tokens`, `password2`), so glued compounds match (`phpsessid`, `userpassword`, `accesstoken`) and
 * words that only start with one do not (`secretary`, `tokenizer`). Snippets short enough to sit
 * inside ordinary words are in SENSITIVE_KEY_WORDS instead.
 */
export const SENSITIVE_KEY_SNIPPETS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'pwd',
  'secret', // also client_secret, secretKey
  'secretkey',
  'token', // also access_token, refresh_token, x-auth-token
  'apikey',
  'accesskey',
  'privatekey',
  'signingkey',
  'encryptionkey',
  'credential',
  'authorization', // also proxy-authorization
  'authentication',
  'signature', // presigned URLs (x-amz-signature), webhook signatures
  'hmac',
  'cookie', // also set-cookie
  'session',
  'sessionid',
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
  'iban',
  'securitycode',
  'verificationcode',
  'recoverycode',
  'mnemonic',
  'seedphrase',
  'dsn', // Sentry and database DSNs hold credentials
  'databaseurl',
  'clientassertion',
  'forwardedclientcert', // x-forwarded-client-cert
])

/**
 * A key is not sensitive when one of its words is one of these: it names something about the
 * secret (`session_count`, `max_tokens`, `csrf_enabled`, `passwordPolicy`, `signatureAlgorithm`,
 * `cookieConsent`, `OTPVersion`), not the secret itself. test/scrub/key-matcher.test.ts pins the list.
 */
export const KEY_QUALIFIERS: readonly string[] = Object.freeze([
  'count',
  'max',
  'min',
  'enabled',
  'policy',
  'algorithm',
  'version',
  'consent',
  'size',
  'length',
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
  'mfa',
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
  'koa.sess', // Koa's session cookie (and its .sig)
  '_oauth2_proxy',
])
