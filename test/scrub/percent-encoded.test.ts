import t from 'tap'
import { scrubText } from '../../lib/scrub/free-text.ts'
import { maskPercentEncoded } from '../../lib/scrub/percent-encoded.ts'
import { REDACTED } from '../../lib/scrub/sensitive-keys.ts'

const R = REDACTED
// What scrubText() gives maskPercentEncoded(): the value rules on the decoded run.
const mask = (s: string): string => maskPercentEncoded(s, scrubText)
// Built from parts so that no whole credential-shaped string sits in the repository.
const GITHUB_TOKEN = 'ghp_' + 'aB3'.repeat(12)

t.test('a run holding escapes is decoded, masked and encoded again, [REDACTED] readable', async (t) => {
  t.equal(mask('GET /cards/4111%201111%201111%201111 failed'), 'GET /cards/****%20****%20****%201111 failed')
  t.equal(mask('ref=postgres%3A%2F%2Fshop%3As3cret-42%40db%3A5432%2Fshop&page=2'), `ref=postgres%3A%2F%2Fshop%3A${R}%40db%3A5432%2Fshop&page=2`)
  t.equal(mask('x=aws_secret_access_key%3DwJalrXUtnFEMI%2FK7MDENG&y=1'), `x=aws_secret_access_key%3D${R}&y=1`)
  t.equal(mask('h=Bearer%20mF_9.B5f-4.1JqM'), `h=Bearer%20${R}`)
  t.equal(mask(`k=${encodeURIComponent('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n-----END PRIVATE KEY-----')}`),
    `k=-----BEGIN%20PRIVATE%20KEY-----${R}-----END%20PRIVATE%20KEY-----`)
  t.equal(mask(`%22${GITHUB_TOKEN}%22`), `%22ghp_${R}%22`, 'a token glued to escapes')
})

t.test('a URL keeps its shape: runs stop at / ? & = : @ # and spaces', async (t) => {
  const url = `https://api.example.com/v1/items?ref=${encodeURIComponent('card 4111 1111 1111 1111')}&page=2#top`
  t.equal(mask(`request to ${url} failed`), 'request to https://api.example.com/v1/items?ref=card%20****%20****%20****%201111&page=2#top failed')
})

t.test('left as it is: no escape, nothing secret once decoded, or escapes that do not decode', async (t) => {
  for (const text of ['100% sure', 'a%2Fb and %7Bjson%7D', 'bad %E0%A4%A escape', '%ZZ4111 1111 1111 1111', 'plain text', '']) {
    t.equal(mask(text), text, text)
  }
  t.equal(mask('%41%42 4111%201111%201111%201112'), '%41%42 4111%201111%201111%201112', 'byte-identical, escapes of letters included')
})

t.test('fails closed: a masked run that cannot be encoded again → [REDACTED]', async (t) => {
  t.equal(maskPercentEncoded('a b%20c d', () => 'lone \ud800'), `a ${R} d`)
})

t.test('adversarial inputs complete (one pass, each run decoded once)', async (t) => {
  const escapes = '%41'.repeat(300_000)
  t.equal(mask(escapes), escapes)
  const percents = '%'.repeat(1_000_000)
  t.equal(mask(percents), percents)
  const runs = 'a%20b/'.repeat(200_000)
  t.equal(mask(runs), runs)
})
