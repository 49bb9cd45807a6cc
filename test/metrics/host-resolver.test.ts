import t from 'tap'
import { ADDRESS_TTL_MS, HostResolver } from '../../lib/metrics/host-resolver.ts'
import { fakeClock } from '../helpers/fake-clock.ts'
import { UNRESOLVABLE_CODE } from '../helpers/unresolvable.ts'

/** A resolver whose lookups can be awaited one by one. */
function resolverOf (host: string): { resolver: HostResolver, nextLookup: () => Promise<Error | null> } {
  const answers: Array<Error | null> = []
  const waiting: Array<(err: Error | null) => void> = []
  const resolver = new HostResolver(host, (err) => {
    const waiter = waiting.shift()
    if (waiter !== undefined) waiter(err)
    else answers.push(err)
  })
  return {
    resolver,
    nextLookup: () => answers.length > 0 ? Promise.resolve(answers.shift()!) : new Promise((resolve) => waiting.push(resolve)),
  }
}

t.test('an IP address is used as it is, and never looked up', async (t) => {
  for (const [host, address, family] of [['127.0.0.1', '127.0.0.1', 4], ['::1', '::1', 6], ['[::1]', '::1', 6]] as const) {
    const resolver = new HostResolver(host, () => t.fail('no lookup'))
    t.same(resolver.address(), { address, family }, host)
    t.equal(resolver.lookups, 0)
    t.equal(resolver.lookupInFlight, false)
  }
})

t.test('a name is looked up once, by the first ask, and all asks meanwhile wait for that one lookup', async (t) => {
  const { resolver, nextLookup } = resolverOf('localhost')
  t.equal(resolver.lookups, 0, 'nothing before the first ask')
  for (let i = 0; i < 1000; i++) t.equal(resolver.address(), undefined)
  t.equal(resolver.lookups, 1)
  t.equal(resolver.lookupInFlight, true)
  t.equal(await nextLookup(), null)
  t.same(resolver.address(), { address: '127.0.0.1', family: 4 }, 'IPv4 preferred')
  for (let i = 0; i < 1000; i++) resolver.address()
  t.equal(resolver.lookups, 1, 'the answer is cached')
})

t.test('after 60 s the name is looked up again; the old answer serves meanwhile and an unchanged one keeps its object', async (t) => {
  const clock = fakeClock(t)
  const { resolver, nextLookup } = resolverOf('localhost')
  resolver.address()
  await nextLookup()
  const first = resolver.address()
  clock.advance(ADDRESS_TTL_MS - 1)
  t.equal(resolver.address(), first)
  t.equal(resolver.lookups, 1)
  clock.advance(1)
  t.equal(resolver.address(), first, 'still answered while the new lookup runs')
  t.equal(resolver.lookups, 2)
  resolver.address()
  t.equal(resolver.lookups, 2, 'one lookup in flight at most')
  t.equal(await nextLookup(), null)
  t.equal(resolver.address(), first, 'same address, same object')
})

t.test('an unresolvable name: one lookup in flight at most, retried after 1 s, 2 s, 4 s… never more often', async (t) => {
  const clock = fakeClock(t)
  const { resolver, nextLookup } = resolverOf('nonexistent.invalid')
  for (let i = 0; i < 1000; i++) resolver.address()
  t.equal(resolver.lookups, 1)
  const err = await nextLookup()
  t.match(err, { code: UNRESOLVABLE_CODE, message: /nonexistent\.invalid/ })
  t.equal(resolver.address(), undefined)
  t.equal(resolver.lookups, 1, 'no retry at once')
  for (const wait of [1000, 2000, 4000, 8000]) {
    clock.advance(wait - 1)
    for (let i = 0; i < 100; i++) resolver.address()
    const before = resolver.lookups
    clock.advance(1)
    for (let i = 0; i < 100; i++) resolver.address()
    t.equal(resolver.lookups, before + 1, `one retry after ${wait} ms`)
    t.ok(await nextLookup())
  }
  t.equal(resolver.lookups, 5)
})

t.test('after close() no lookup starts and none calls back', async (t) => {
  let calls = 0
  const resolver = new HostResolver('localhost', () => { calls++ })
  resolver.address()
  resolver.close()
  resolver.address()
  t.equal(resolver.lookups, 1)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(calls, 0)
  t.equal(resolver.lookups, 1)
})
