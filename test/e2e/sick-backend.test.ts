import { once } from 'node:events'
import dnsModule, { promises as dns, type LookupAllOptions } from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { loggerOptions, observability, type FastifyVigieOptions } from '../../lib/index.ts'

// A sick StatsD backend under a long run of requests, as an app with its logger on meets it:
// what vigie holds stays bounded, the app's own DNS is answered, and close() settles.

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

// 2,000 requests per backend: the claims hold at this count. That vigie keeps no request is
// checked directly, whatever the count: every request's objects must be collected once the app
// is closed. The heap bound is the net for the rest: 8 MiB over the 1,500 measured requests still
// fails a leak of 5.6 KB per request. The datagrams waiting on a sick server are capped at
// MAX_QUEUED_BYTES over 200,000 lines (tcp-statsd-socket.test.ts, udp-statsd-socket.test.ts);
// bench/sick-backend.mjs runs 150,000 requests.
const REQUESTS = 2_000
const CONCURRENCY = 100
/** Served before the heap is first measured: what fills once (sockets, caches, compiled code). */
const WARM_UP = 500

function heapAfterGc (): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const UNRESOLVABLE = 'statsd.invalid'
/**
 * Lookups of UNRESOLVABLE: this machine has no DNS server, so they fail at once; each one here
 * waits 500 ms first, as lookups do when the DNS server is down or slow, then asks the real
 * resolver. What is counted is what vigie starts.
 */
const lookups = { started: 0, inFlight: 0, mostInFlight: 0 }
const realLookup = dnsModule.lookup
dnsModule.lookup = function slowLookup (hostname: string, options: unknown, callback?: unknown): void {
  if (typeof options === 'function') [options, callback] = [{}, options]
  const answer = callback as (...args: unknown[]) => void
  if (hostname !== UNRESOLVABLE) return realLookup(hostname, options as LookupAllOptions, answer)
  lookups.started++
  lookups.mostInFlight = Math.max(lookups.mostInFlight, ++lookups.inFlight)
  setTimeout(() => realLookup(hostname, options as LookupAllOptions, (...args: unknown[]) => {
    lookups.inFlight--
    answer(...args)
  }), 500)
} as typeof dnsModule.lookup
syncBuiltinESMExports()

async function runAgainst (t: Test, statsd: FastifyVigieOptions['statsd']): Promise<void> {
  const discard = new Writable({ write (_chunk, _encoding, done) { done() } })
  const app = Fastify({ logger: { ...loggerOptions({ level: 'info' }), stream: discard } })
  await app.register(observability, { processMetrics: false, statsd })
  // Every request's objects, to see them all collected once the app is closed.
  const requests: Array<WeakRef<object>> = []
  app.addHook('onRequest', async (request) => {
    requests.push(new WeakRef(request), new WeakRef(request.raw))
  })
  app.get('/users/:id', async (request) => {
    request.log.info('serving a user')
    app.statsd.increment('business.users_served')
    return { id: (request.params as { id: string }).id }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  let failed = 0
  const serve = async (from: number, count: number): Promise<void> => {
    for (let i = from; i < from + count; i += CONCURRENCY) {
      const statuses = await Promise.all(Array.from({ length: CONCURRENCY }, async (_, k) => {
        const res = await fetch(`${url}/users/${i + k}`)
        await res.arrayBuffer()
        return res.status
      }))
      failed += statuses.filter((status) => status !== 200).length
    }
  }

  await serve(0, WARM_UP)
  const heapBefore = heapAfterGc()
  await serve(WARM_UP, REQUESTS - WARM_UP)
  const heapAfter = heapAfterGc()
  t.equal(failed, 0, `all ${REQUESTS} requests answered 200`)
  const grownMiB = (heapAfter - heapBefore) / 1024 / 1024
  t.ok(grownMiB < 8, `heap after ${REQUESTS - WARM_UP} more requests grew ${grownMiB.toFixed(1)} MiB (bounded; bench/sick-backend.mjs runs 150,000)`)

  const asked = Date.now()
  const own = await Promise.race([
    dns.lookup('localhost').then(() => 'answered'),
    new Promise((resolve) => setTimeout(resolve, 5000, 'timed out')),
  ])
  t.equal(own, 'answered', `the app's own dns.lookup('localhost') answered in ${Date.now() - asked} ms`)

  const closing = Date.now()
  await app.close()
  const ms = Date.now() - closing
  t.ok(ms <= 3000, `close() settled in ${ms} ms`)

  // WeakRefs hold their target until the current job ends: collect in a later one.
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  const kept = requests.filter((ref) => ref.deref() !== undefined).length
  t.equal(kept, 0, `none of the ${REQUESTS} requests' objects (Fastify's request and Node's) is kept after close()`)
}

t.test('an unresolvable StatsD host, slow to answer', async (t) => {
  const started = Date.now()
  await runAgainst(t, { host: UNRESOLVABLE })
  const seconds = (Date.now() - started) / 1000
  t.ok(lookups.mostInFlight <= 2, `at most one lookup in flight per socket (vigie's and app.statsd's): ${lookups.mostInFlight} at once`)
  // Each socket looks up once, then again 1, 2, 4, 8… s after each failure.
  t.ok(lookups.started <= 2 * (1 + Math.log2(1 + seconds)) + 2, `${lookups.started} lookups over ${seconds.toFixed(1)} s and ${REQUESTS} requests`)
  t.equal(lookups.inFlight, 0, 'no lookup left in flight after close()')
})

t.test('a TCP StatsD server that accepts and never reads', async (t) => {
  const stalled = new Set<Socket>()
  const server = createServer((connection) => {
    stalled.add(connection)
    connection.on('error', () => {})
    connection.pause()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    for (const connection of stalled) connection.destroy()
    server.close()
  })
  await runAgainst(t, { host: '127.0.0.1', port: (server.address() as AddressInfo).port, protocol: 'tcp' })
})
