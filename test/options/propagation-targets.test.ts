import t from 'tap'
import { VigieError } from '../../lib/errors.ts'
import { compilePropagationTargets } from '../../lib/options/propagation-targets.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

const allowed = (allows: (url: URL) => boolean, hosts: string[]): string[] =>
  hosts.filter((host) => allows(new URL(`https://${host}/path`)))

t.test('no targets: every target', async (t) => {
  const allows = compilePropagationTargets(undefined)
  t.same(allowed(allows, ['api.example.com', 'third-party.io', '127.0.0.1']), ['api.example.com', 'third-party.io', '127.0.0.1'])
})

t.test('a hostname matches exactly, in any case', async (t) => {
  const allows = compilePropagationTargets(['API.example.com', '10.0.0.7'])
  t.same(allowed(allows, ['api.example.com', 'Api.Example.Com', '10.0.0.7', 'example.com', 'x.api.example.com', 'api.example.com.evil.io']),
    ['api.example.com', 'Api.Example.Com', '10.0.0.7'])
})

t.test('a leading dot: the domain itself and every subdomain, nothing that merely ends the same', async (t) => {
  const allows = compilePropagationTargets(['.Example.com'])
  t.same(allowed(allows, ['example.com', 'api.example.com', 'a.b.example.com', 'notexample.com', 'example.com.evil.io', 'example.org']),
    ['example.com', 'api.example.com', 'a.b.example.com'])
})

t.test('a RegExp is tested on the hostname, the same way every time, even with the g flag', async (t) => {
  const allows = compilePropagationTargets([/^svc-\d+\.internal$/g])
  const url = new URL('http://svc-1.internal:8080/x')
  t.equal(allows(url), true)
  t.equal(allows(url), true, 'lastIndex left by the previous test does not matter')
  t.equal(allows(new URL('http://svc-x.internal/')), false)
  t.equal(allows(new URL('http://other.io/svc-1.internal')), false, 'only the hostname is tested')
})

t.test('forms combine; an empty list allows nothing', async (t) => {
  const allows = compilePropagationTargets(['billing.local', '.example.com', /^10\./])
  t.same(allowed(allows, ['billing.local', 'api.example.com', '10.1.2.3', 'github.com']), ['billing.local', 'api.example.com', '10.1.2.3'])
  t.same(allowed(compilePropagationTargets([]), ['billing.local', 'api.example.com']), [])
})

t.test('a predicate gets the whole URL; one that throws or returns a non-true value means no header', async (t) => {
  const seen: string[] = []
  const allows = compilePropagationTargets((url: URL) => {
    seen.push(url.href)
    return url.port === '8443'
  })
  t.equal(allows(new URL('https://a.example.com:8443/orders?id=1')), true)
  t.equal(allows(new URL('https://a.example.com/orders')), false)
  t.same(seen, ['https://a.example.com:8443/orders?id=1', 'https://a.example.com/orders'])
  t.equal(compilePropagationTargets(() => { throw new Error('boom') })(new URL('https://a.example.com/')), false)
  t.equal(compilePropagationTargets(() => 'yes')(new URL('https://a.example.com/')), false)
})

t.test('invalid targets are refused at startup with a coded error naming the option', async (t) => {
  for (const targets of ['.example.com', [''], ['ok.example.com', 42], [null], { host: 'x' }, null, 7]) {
    t.throws(() => compilePropagationTargets(targets), {
      name: 'VigieError',
      code: 'VIGIE_ERR_INVALID_OPTION',
      message: /^vigie: option "propagation\.targets" must be an array of hostnames/,
    }, JSON.stringify(targets))
  }
  const err = (() => {
    try {
      resolveOptions({ propagation: { targets: 'api.example.com' as never } }, {})
    } catch (error) {
      return error
    }
  })()
  t.ok(err instanceof VigieError)
  t.match(err, { code: 'VIGIE_ERR_INVALID_OPTION', message: /"propagation\.targets".*received "api\.example\.com" \(string\)/ })
})
