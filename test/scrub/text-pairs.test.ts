import t from 'tap'
import { maskTextPairs } from '../../lib/scrub/text-pairs.ts'

t.test('values of sensitive pairs in free text are masked', async (t) => {
  const cases: Array<[string, string]> = [
    ['login failed for password=hunter2 user=bob', 'login failed for password=[REDACTED] user=bob'],
    ['password: hunter2', 'password: [REDACTED]'],
    ['secret: correcthorsebattery', 'secret: [REDACTED]'],
    ['token=anyone', 'token=[REDACTED]'],
    ["password = 'hunter2' and more", "password = '[REDACTED]' and more"],
    ['api_key="k-123", region=eu', 'api_key="[REDACTED]", region=eu'],
    ['{"password":"hunter2","email":"a@b.c"}', '{"password":"[REDACTED]","email":"a@b.c"}'],
    ["UPDATE users SET password_hash = '$2b$10$abcdefghijkl' WHERE id = 7", "UPDATE users SET password_hash = '[REDACTED]' WHERE id = 7"],
    ['url?x=1&access_token=abc&y=2', 'url?x=1&access_token=[REDACTED]&y=2'],
    ["secret='unterminated", "secret='[REDACTED]"],
    ['DB_PASSWORD=pa55;OTHER=1', 'DB_PASSWORD=[REDACTED];OTHER=1'],
  ]
  for (const [text, masked] of cases) t.equal(maskTextPairs(text), masked, text)
})

t.test('other pairs, URLs, times and auth schemes are left to the other rules', async (t) => {
  const kept = ['user=bob id=7', 'at 12:30:15', 'see https://example.com:8443/x', 'token_count=12', 'max_tokens: 256',
    'Authorization: Bearer [REDACTED]', 'at reset (/app/password-reset.js:12:5)', 'connect secret-db:5432 refused',
    'the dashboard is on with no token: anyone who can reach it', 'password: required', 'password=', 'password:', '"password" is required',
    `${'x'.repeat(70)}password=long-key`]
  for (const text of kept) t.equal(maskTextPairs(text), text, text)
})

t.test('adversarial inputs complete (linear scan)', async (t) => {
  const pairs = 'a='.repeat(500_000)
  t.equal(maskTextPairs(pairs), pairs)
  const colons = `${'x'.repeat(60)}:`.repeat(20_000)
  t.equal(maskTextPairs(colons), colons)
  const quotes = 'password="'.repeat(100_000)
  t.ok(maskTextPairs(quotes).startsWith('password="[REDACTED]"password="[REDACTED]"'), 'each quoted value runs to the next quote')
})
