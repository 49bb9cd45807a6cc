import t from 'tap'
import { boundedText, scanLength, scanWindow, scrubText } from '../../lib/scrub/free-text.ts'
import { REDACTED } from '../../lib/scrub/sensitive-keys.ts'

const R = REDACTED
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'

t.test('scrubText() masks cards, bearer tokens and JWTs in free text', async (t) => {
  t.equal(scrubText(`card 4111-1111-1111-1111 with Bearer abc and ${JWT}.`), `card ****-****-****-1111 with Bearer ${R} and ${R}`)
  t.equal(scrubText('nothing secret here'), 'nothing secret here')
  t.equal(scrubText(42 as never), R)
})

t.test('scrubText() masks a password hash quoted in a database error, whatever else the text holds', async (t) => {
  const hash = '$2b$10$' + 'aB3/'.repeat(13) + 'x'
  const message = `insert into users (email, password_hash) values ('ada@example.com', '${hash}') - duplicate key value violates unique constraint "users_email_key"`
  t.equal(scrubText(message), `insert into users (email, password_hash) values ('ada@example.com', '$2b$10$${R}') - duplicate key value violates unique constraint "users_email_key"`)
})

t.test('scrubText() masks secrets written percent-encoded too', async (t) => {
  t.equal(scrubText('GET https://x.example/cb?next=redis%3A%2F%2F%3As3cret%40cache failed'), `GET https://x.example/cb?next=redis%3A%2F%2F%3A${R}%40cache failed`)
  t.equal(scrubText('GET /pay?ref=4111%201111%201111%201111'), 'GET /pay?ref=****%20****%20****%201111')
})

t.test('boundedText(): masks, then cuts with the count of characters dropped', async (t) => {
  t.equal(boundedText('Bearer abc', 100), `Bearer ${R}`)
  t.equal(boundedText('abcdef', 4), 'abcd…[truncated 2 chars]')
  t.equal(boundedText('😀😀😀', 5), '😀😀…[truncated 1 chars]', 'never splits a surrogate pair')
})

t.test('scanWindow(): all of a string up to 1 MiB, else its start plus a margin', async (t) => {
  const short = 'x'.repeat(1_048_576)
  t.equal(scanWindow(short, 10), short)
  t.equal(scanWindow(short + 'y', 10).length, 1_048_576)
  t.equal(scanWindow('z'.repeat(3_000_000), 2_000_000).length, 2_004_096)
  t.equal(scanLength(10), 1_048_576)
  t.equal(scanLength(2_000_000), 2_004_096)
})

t.test('scrubText runs each scan its text may need: one example of each shape, alone', async (t) => {
  const cases: Array<[string, string]> = [
    ['-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----'],
    ['mysql://u:p4ss@h/d', 'mysql://u:[REDACTED]@h/d'],
    ['AKIA' + 'QQQQQQQQQQQQQQQQ', 'AKIA[REDACTED]'],
    ['glpat-' + 'x'.repeat(20), 'glpat-[REDACTED]'],
    ['npm_' + 'a'.repeat(36), 'npm_[REDACTED]'],
    ['$2b$10$' + 'aB3.'.repeat(13) + 'x', '$2b$10$[REDACTED]'],
    ['pbkdf2_sha256$600000$' + 'aB3'.repeat(8) + '$' + 'x'.repeat(43), 'pbkdf2_sha256$[REDACTED]'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', '[REDACTED]'],
    ['bearer abc123', 'bearer [REDACTED]'],
    ['BASIC ' + Buffer.from('u:p').toString('base64'), 'BASIC [REDACTED]'],
    ['pwd=abc', 'pwd=[REDACTED]'],
    ['secret: Xy9', 'secret: [REDACTED]'],
    ['4111111111111111', '************1111'],
    ['4111%201111%201111%201111', '****%20****%20****%201111'],
  ]
  for (const [text, masked] of cases) t.equal(scrubText(text), masked, text)
})
