import t from 'tap'
import { prepareHttpCall } from '../../lib/propagation/http-call-target.ts'
import type { OutgoingPolicy } from '../../lib/context/request-context.ts'

const ID = 'id-1'

function policy (allowed = true): OutgoingPolicy & { seen: string[] } {
  const seen: string[] = []
  return { header: 'x-request-id', seen, allows: (url) => { seen.push(url.href); return allowed }, record: () => {} }
}

const callback = (): void => {}

t.test('every call signature Node accepts: the target is read, options are added or copied', async (t) => {
  const url = new URL('http://api.example.com/orders?page=2')
  const cases: Array<[string, unknown[], string, unknown[]]> = [
    ['url', ['http://h.example.com:8080/p?q=1'], 'http://h.example.com:8080/p?q=1',
      ['http://h.example.com:8080/p?q=1', { headers: { 'x-request-id': ID } }]],
    ['url, callback', ['http://h.example.com/', callback], 'http://h.example.com/',
      ['http://h.example.com/', { headers: { 'x-request-id': ID } }, callback]],
    ['url, null, callback', ['http://h.example.com/', null, callback], 'http://h.example.com/',
      ['http://h.example.com/', { headers: { 'x-request-id': ID } }, callback]],
    ['URL, options: the options win', [url, { path: '/other', headers: { Accept: 'a' } }], 'http://api.example.com/other',
      [url, { path: '/other', headers: { Accept: 'a', 'x-request-id': ID } }]],
    ['options, callback', [{ hostname: 'h.example.com', port: 81, path: '/x' }, callback], 'https://h.example.com:81/x',
      [{ hostname: 'h.example.com', port: 81, path: '/x', headers: { 'x-request-id': ID } }, callback]],
    ['empty options: localhost', [{}], 'https://localhost/', [{ headers: { 'x-request-id': ID } }]],
    ['port 0 is the default port', [{ host: 'h.example.com', port: 0 }], 'https://h.example.com/',
      [{ host: 'h.example.com', port: 0, headers: { 'x-request-id': ID } }]],
    ['IPv6 host, port as a string, a path that is not origin-form', [{ host: '::1', port: '8443', path: 'http://elsewhere/' }],
      'https://[::1]:8443/', [{ host: '::1', port: '8443', path: 'http://elsewhere/', headers: { 'x-request-id': ID } }]],
    ['null-prototype headers', [{ host: 'h.example.com', headers: Object.assign(Object.create(null), { a: '1' }) }],
      'https://h.example.com/', [{ host: 'h.example.com', headers: { a: '1', 'x-request-id': ID } }]],
  ]
  for (const [name, args, target, expected] of cases) {
    const allowed = policy()
    const call = prepareHttpCall(args, 'https:', allowed, ID)
    t.same(allowed.seen, [target], `${name}: target`)
    t.same(call?.args, expected, `${name}: arguments`)
    t.equal(call?.host, new URL(target).hostname, `${name}: host`)
  }
})

t.test('a target that is not allowed, or a header already there, leaves the arguments as they are', async (t) => {
  const args = ['http://h.example.com/']
  t.equal(prepareHttpCall(args, 'http:', policy(false), ID)?.args, args)
  for (const headers of [{ 'X-Request-Id': 'mine' }, ['X-REQUEST-ID', 'mine'], [['x-request-id', 'mine']], [['a', '1'], 'b'], 'a string', new Map()]) {
    const withHeaders = [{ host: 'h.example.com', headers }]
    t.equal(prepareHttpCall(withHeaders, 'http:', policy(), ID)?.args, withHeaders, JSON.stringify(headers))
  }
})

t.test('what cannot be read is not guessed at: null, and the call goes through untouched', async (t) => {
  const throwing = { header: 'x-request-id', allows: () => { throw new Error('boom') }, record: () => {} }
  const cases: Array<[string, unknown[], OutgoingPolicy]> = [
    ['no arguments', [], policy()],
    ['a number', [42], policy()],
    ['url then a string', ['http://h.example.com/', 'options'], policy()],
    ['a malformed url', ['not a url'], policy()],
    ['a hostname URL and socket could read differently', [{ hostname: 'a.example.com@b.example.net' }], policy()],
    ['a protocol without its colon', [{ host: 'h.example.com', protocol: 'http' }], policy()],
    ['options whose getter throws', [{ get hostname (): string { throw new Error('getter') } }], policy()],
    ['allows throws', ['http://h.example.com/'], throwing],
  ]
  for (const [name, args, p] of cases) t.equal(prepareHttpCall(args, 'http:', p, ID), null, name)
})
