import t from 'tap'
import { buildKeyMatcher } from '../../lib/scrub/key-matcher.ts'
import { REDACTED } from '../../lib/scrub/sensitive-keys.ts'
import { scrubUrl } from '../../lib/scrub/url.ts'

const R = REDACTED
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
const matcher = buildKeyMatcher()
const url = (u: string): string => scrubUrl(u, matcher)

t.test('sensitive query values → [REDACTED], unencoded for readable logs', async (t) => {
  t.equal(url('/search?token=abc&page=2'), `/search?token=${R}&page=2`)
  t.equal(url('/?api%5Fkey=1&Api-Key=2&X-Api-Key=3&token='), `/?api%5Fkey=${R}&Api-Key=${R}&X-Api-Key=${R}&token=${R}`)
  t.equal(url('/cb#access_token=abc&state=1'), `/cb#access_token=${R}&state=1`)
  t.equal(url(`/?${JWT}`), `/?${R}`)
})

t.test('the path and other values go through scrubText()', async (t) => {
  t.equal(url('/cards/4111111111111111/charge'), '/cards/************1111/charge')
  t.equal(url(`/reset/${JWT}`), `/reset/${R}`)
  t.equal(url('/?note=4111%201111%201111%201111'), '/?note=****%20****%20****%201111')
  t.equal(url('/?note=4111+1111+1111+1111'), '/?note=****%20****%20****%201111')
  t.equal(url('/?h=Bearer%20abc'), `/?h=Bearer%20${R}`)
  t.equal(url('https://bob:hunter2@example.com/x'), `https://bob:${R}@example.com/x`)
})

t.test('the path once decoded: escapes of reserved characters too, a secret across a / whole', async (t) => {
  t.equal(url('/files/postgres%3A%2F%2Fshop%3As3cret%40db%2Fshop'), `/files/postgres%3A%2F%2Fshop%3A${R}%40db%2Fshop`)
  t.equal(url('/files/password%3Dhunter2'), `/files/password%3D${R}`)
  t.equal(url('/files/password%3A%20hunter2'), `/files/password%3A%20${R}`)
  t.equal(url('/t/4111%201111%201111%201111/password%3A%20hunter2'), `/t/****%20****%20****%201111/password%3A%20${R}`)
  t.equal(url('/t/Bearer%20abc/def?x=1'), `/t/Bearer%20${R}?x=1`, 'a bearer token holds `/`')
  t.equal(url('/a%2Fb/4111%201111%201111%201111'), '/a%2Fb/****%20****%20****%201111', 'kept escapes are not encoded twice')
  t.equal(url('/a%E0%A4%A/4111%201111%201111%201111'), '/a%E0%A4%A/****%20****%20****%201111', 'a path that does not decode, scrubbed as written')
})

t.test('byte-identical when nothing is secret, and never throws', async (t) => {
  const plain = 'https://bob@example.com:8443/a/b%20c?q=hello+world&tags=a,b&empty=&flag&bad=%E0%A4%A#section-2'
  t.equal(url(plain), plain)
  t.equal(url(''), '')
  t.equal(url('?'), '?')
  t.equal(url('/?q=%F0%9F%98%80+4111+1111+1111+1111'), '/?q=%F0%9F%98%80%20****%20****%20****%201111')
  t.equal(url(42 as never), R)
})

t.test('extra keys apply to query names', async (t) => {
  t.equal(scrubUrl('/?vat=FR76&x=1', buildKeyMatcher(['vat'])), `/?vat=${R}&x=1`)
  t.equal(url('/?vat=FR76'), '/?vat=FR76')
})
