import { createSocket } from 'node:dgram'
import t from 'tap'
import { cachedLookup } from '../../lib/metrics/cached-lookup.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { UNRESOLVABLE_CODE } from '../helpers/unresolvable.ts'

/** Sends `count` datagrams to host:port on a dgram socket using `lookup`; resolves with each send's error code, or null. */
async function sendAll (lookup: ReturnType<typeof cachedLookup>['lookup'], host: string, port: number, count: number): Promise<Array<string | null>> {
  const socket = createSocket({ type: 'udp4', lookup })
  socket.unref()
  const results = await Promise.all(Array.from({ length: count }, (_, i) => new Promise<string | null>((resolve) => {
    socket.send(`n:${i}|c`, port, host, (err) => resolve(err === null ? null : (err as NodeJS.ErrnoException).code ?? err.message))
  })))
  socket.close()
  return results
}

t.test('a name is looked up once for every datagram; sends meanwhile wait for it; the bind address is not looked up', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const { lookup, lookups } = cachedLookup('localhost')
  const results = await sendAll(lookup, 'localhost', listener.port, 200)
  t.same(new Set(results), new Set([null]), 'every send succeeded')
  await listener.waitFor((lines) => lines.length === 200)
  t.equal(lookups(), 1)
  await sendAll(lookup, 'localhost', listener.port, 10)
  t.equal(lookups(), 1, 'cached')
})

t.test('an unresolvable name: one lookup, every send fails with its error, at once', async (t) => {
  const { lookup, lookups } = cachedLookup('nonexistent.invalid')
  const results = await sendAll(lookup, 'nonexistent.invalid', 8125, 200)
  t.same(new Set(results), new Set([UNRESOLVABLE_CODE]))
  t.equal(lookups(), 1, 'not one lookup per datagram')
  const started = Date.now()
  const again = await sendAll(lookup, 'nonexistent.invalid', 8125, 1000)
  t.same(new Set(again), new Set([UNRESOLVABLE_CODE]))
  t.equal(lookups(), 1, 'no retry within 1 s')
  t.ok(Date.now() - started < 1000, 'answered without waiting for DNS')
})

t.test('at most 1000 sends wait for the first answer', async (t) => {
  const { lookup } = cachedLookup('nonexistent.invalid')
  const results = await sendAll(lookup, 'nonexistent.invalid', 8125, 1100)
  t.equal(results.filter((code) => code === UNRESOLVABLE_CODE).length, 1000)
  t.equal(results.filter((code) => code !== UNRESOLVABLE_CODE).length, 100, 'the others failed at once')
})

t.test('another name is looked up as usual', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const { lookup, lookups } = cachedLookup('statsd.example')
  t.same(await sendAll(lookup, 'localhost', listener.port, 3), [null, null, null])
  t.equal(lookups(), 0)
})
