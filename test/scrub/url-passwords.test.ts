import t from 'tap'
import { maskUrlPasswords } from '../../lib/scrub/url-passwords.ts'

t.test('connection strings and URLs lose their password, keep their user', async (t) => {
  const cases: Array<[string, string]> = [
    ['postgres://app:s3cret@db.internal:5432/prod', 'postgres://app:[REDACTED]@db.internal:5432/prod'],
    ['postgresql://app:p%40ss@db/prod?sslmode=require', 'postgresql://app:[REDACTED]@db/prod?sslmode=require'],
    ['mysql://root:hunter2@127.0.0.1/shop', 'mysql://root:[REDACTED]@127.0.0.1/shop'],
    ['mongodb+srv://svc:pa:ss@cluster0.mongodb.net/db', 'mongodb+srv://svc:[REDACTED]@cluster0.mongodb.net/db'],
    ['redis://:s3cret@cache:6379/0', 'redis://:[REDACTED]@cache:6379/0'],
    ['https://bob:pa@ss@example.com/', 'https://bob:[REDACTED]@example.com/'],
  ]
  for (const [url, masked] of cases) {
    t.equal(maskUrlPasswords(url), masked, url)
    t.equal(maskUrlPasswords(`connect ECONNREFUSED using "${url}" now`), `connect ECONNREFUSED using "${masked}" now`, `${url} inside text`)
  }
})

t.test('URLs without a password are kept', async (t) => {
  for (const text of ['ssh://git@github.com:22/org/repo', 'https://example.com:8443/a@b', 'http://host/path?x=a:b@c', '://:x@y', 'see https://example.com', 'mailto:bob@example.com', 'http://a:@host/']) {
    t.equal(maskUrlPasswords(text), text, text)
  }
})

t.test('a URL glued to the authority of another (an absolute-form target after a host)', async (t) => {
  t.equal(maskUrlPasswords('http://127.0.0.1:8080http://bob:pw@host/x'), 'http://127.0.0.1:8080http://bob:[REDACTED]@host/x')
})

t.test('several URLs in one text', async (t) => {
  t.equal(maskUrlPasswords('a=postgres://u:p@h/d b=redis://:q@r'), 'a=postgres://u:[REDACTED]@h/d b=redis://:[REDACTED]@r')
})

t.test('adversarial inputs complete (linear scan)', async (t) => {
  const separators = '://'.repeat(300_000)
  t.equal(maskUrlPasswords(separators), separators)
  const schemes = `${'a'.repeat(1_000_000)}://x`
  t.equal(maskUrlPasswords(schemes), schemes)
  const colons = `http://${'a:'.repeat(500_000)}`
  t.equal(maskUrlPasswords(colons), colons)
})
