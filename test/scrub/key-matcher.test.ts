import t from 'tap'
import { buildKeyMatcher, normaliseKey } from '../../lib/scrub/key-matcher.ts'
import { KEY_QUALIFIERS } from '../../lib/scrub/sensitive-keys.ts'

const matcher = buildKeyMatcher()

t.test('isSensitiveKey: substrings after normalisation, short names as whole words', async (t) => {
  const sensitive = ['password', 'PASSWORD', 'user_password', 'api_key', 'Api-Key', 'apikey', 'x-api-key', 'X-API-KEY',
    'authorization', 'Proxy-Authorization', 'access_token', 'refreshToken', 'client.secret', 'Set-Cookie', 'PHPSESSID',
    'sessionId', 'card_number', 'cvv', 'x-csrf-token', 'auth', 'X-Auth', 'OAuth', 'pin', 'userPin', 'PINCode', 'pass',
    'connect.sid', 'sid', 'pan', 'otp', 'user_ssn', 'private_key', 'credentials', 'X-Amz-Signature']
  const ordinary = ['author', 'authored_at', 'shipping', 'side', 'considered', 'company', 'span', 'className',
    'passenger', 'username', 'email', 'id', 'key', 'sortKey', 'code', 'footprint', 'page', 'spinner', 'topping']
  for (const key of sensitive) t.equal(matcher.isSensitiveKey(key), true, key)
  for (const key of ordinary) t.equal(matcher.isSensitiveKey(key), false, key)
})

t.test('snippets end where a word ends; glued compounds and plurals match', async (t) => {
  const sensitive = ['userpassword', 'accesstoken', 'xapikey', 'tokens', 'clientSecrets', 'aspsessionid', 'SESSIONID',
    'x:api:key', 'oauth2_token', 'APIKey', 'iban', 'passcode', 'security_code', 'mfa_code', 'otp_code', 'verification_code',
    'recovery_codes', 'mnemonic', 'seed_phrase', 'dsn', 'SENTRY_DSN', 'database_url', 'DATABASE_URL', 'signing_key',
    'encryption_key', 'hmac', 'client_assertion', 'Authentication', 'X-Forwarded-Client-Cert', 'session_id', 'passwordHash']
  const ordinary = ['secretary', 'tokenizer', 'tokenized', 'cookiecutter', 'credentialsless', 'passwordless_link']
  for (const key of sensitive) t.equal(matcher.isSensitiveKey(key), true, key)
  for (const key of ordinary) t.equal(matcher.isSensitiveKey(key), false, key)
})

t.test('a qualifier word names something about the secret: the key is not sensitive', async (t) => {
  t.same(KEY_QUALIFIERS, ['count', 'max', 'min', 'enabled', 'policy', 'algorithm', 'version', 'consent', 'size', 'length'],
    'the qualifier list, pinned: changing it changes what is redacted')
  const benign = ['token_count', 'max_tokens', 'session_count', 'csrf_enabled', 'signatureAlgorithm', 'cookieConsent',
    'pin_count', 'OTPVersion', 'passwordPolicy', 'min_password_length', 'session_size']
  for (const key of benign) t.equal(matcher.isSensitiveKey(key), false, key)
  for (const key of ['session_id', 'token', 'password_hash']) t.equal(matcher.isSensitiveKey(key), true, key)
})

t.test('extra keys are normalised like the defaults and added to them', async (t) => {
  t.equal(normaliseKey('X-Api_Key. Id'), 'xapikeyid')
  const withVat = buildKeyMatcher(['VAT', 'x-tenant'])
  for (const key of ['vat', 'userVat', 'X_Tenant', 'xtenant', 'x_tenant_count', 'password']) t.equal(withVat.isSensitiveKey(key), true, key)
  for (const key of ['tenant', 'bank']) t.equal(withVat.isSensitiveKey(key), false, key)
  t.equal(matcher.isSensitiveKey('x-tenant'), false, 'the default matcher is unchanged')
})

t.test('isSensitiveCookieName: every sensitive key, plus cookie-only snippets', async (t) => {
  for (const name of ['SESSIONID', 'connect.sid', '__Host-pref', '__Secure-x', 'remember_me', 'AWSALB', 'id_token', 'koa.sess', 'koa.sess.sig', '_oauth2_proxy']) {
    t.equal(matcher.isSensitiveCookieName(name), true, name)
  }
  for (const name of ['theme', 'lang']) t.equal(matcher.isSensitiveCookieName(name), false, name)
  t.equal(matcher.isSensitiveKey('__Host-pref'), false, 'cookie-only snippets do not apply to other keys')
})

t.test('isSensitiveKey: a non-string is not a key', async (t) => {
  t.equal(matcher.isSensitiveKey(42 as never), false)
  const { isSensitiveKey } = matcher
  t.equal(isSensitiveKey('token'), true, 'works detached from its matcher')
})

t.test('answers stay right when remembered, and past the cache bound', async (t) => {
  const matcher = buildKeyMatcher(['vat'])
  for (let round = 0; round < 2; round++) {
    t.equal(matcher.isSensitiveKey('password'), true, `password, round ${round}`)
    t.equal(matcher.isSensitiveKey('userVat'), true, `userVat, round ${round}`)
    t.equal(matcher.isSensitiveKey('author'), false, `author, round ${round}`)
  }
  const keys = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? `field${i}` : `token${i}`))
  const answers = keys.map((key) => matcher.isSensitiveKey(key))
  t.same(keys.map((key) => matcher.isSensitiveKey(key)), answers, 'the same answers on a second pass, after the cache was cleared')
  t.equal(answers.filter(Boolean).length, 2500)
  t.equal(matcher.isSensitiveKey(`${'x'.repeat(100)}secret`), true, 'long keys are matched, not cached')
})
