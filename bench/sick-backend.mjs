// What a sick StatsD backend costs an app with vigie: a Fastify app with its logger on (to a
// discarding stream) serves REQUESTS requests over HTTP, 100 at a time, against each backend
// below, and this prints its heap and RSS (after a full GC) as it goes, the DNS lookups vigie
// started and the most in flight at once, and how long close() took.
//
//   node --expose-gc bench/sick-backend.mjs [--requests=150000]
//
// Backends: an unresolvable host whose lookups take 500 ms to fail (this wraps dns.lookup with
// that delay, as lookups behave when the DNS server is down; the real resolver still answers),
// a TCP server that accepts and never reads, and a closed TCP port. Needs `npm run build`.
import dnsModule, { promises as dns } from 'node:dns'
import { once } from 'node:events'
import { syncBuiltinESMExports } from 'node:module'
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import observability, { loggerOptions } from '../dist/esm/index.js'

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
const requests = Number(process.argv.find((a) => a.startsWith('--requests='))?.slice(11) ?? 150_000)
const UNRESOLVABLE = 'statsd.invalid'

const lookups = { started: 0, inFlight: 0, mostInFlight: 0 }
const realLookup = dnsModule.lookup
dnsModule.lookup = function slowLookup (hostname, options, callback) {
  if (typeof options === 'function') [options, callback] = [{}, options]
  if (hostname !== UNRESOLVABLE) return realLookup(hostname, options, callback)
  lookups.started++
  lookups.mostInFlight = Math.max(lookups.mostInFlight, ++lookups.inFlight)
  setTimeout(() => realLookup(hostname, options, (...args) => {
    lookups.inFlight--
    callback(...args)
  }), 500)
}
syncBuiltinESMExports()

function memory () {
  globalThis.gc()
  globalThis.gc()
  const { heapUsed, rss } = process.memoryUsage()
  return `heap ${(heapUsed / 1048576).toFixed(1)} MiB, RSS ${(rss / 1048576).toFixed(0)} MiB`
}

async function run (name, statsd) {
  Object.assign(lookups, { started: 0, inFlight: 0, mostInFlight: 0 })
  const discard = new Writable({ write (_chunk, _encoding, done) { done() } })
  const app = Fastify({ logger: { ...loggerOptions({ level: 'info' }), stream: discard } })
  await app.register(observability, { processMetrics: false, statsd })
  app.get('/users/:id', async (request) => {
    request.log.info('serving a user')
    app.statsd.increment('business.users_served')
    return { id: request.params.id }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${app.server.address().port}`
  const started = Date.now()
  const marks = new Set([requests / 10, requests / 2, requests])
  console.log(`${name}: start: ${memory()}`)
  for (let i = 0; i < requests; i += 100) {
    await Promise.all(Array.from({ length: 100 }, async (_, k) => {
      const res = await fetch(`${url}/users/${i + k}`)
      await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`status ${res.status}`)
    }))
    if (marks.has(i + 100)) console.log(`${name}: after ${i + 100} requests: ${memory()}`)
  }
  const asked = Date.now()
  await dns.lookup('localhost')
  const ownLookup = Date.now() - asked
  const closing = Date.now()
  await app.close()
  console.log(`${name}: ${((Date.now() - started) / 1000).toFixed(0)} s; the app's own lookup answered in ${ownLookup} ms; ` +
    `lookups of ${UNRESOLVABLE}: ${lookups.started} started, at most ${lookups.mostInFlight} at once; close() took ${Date.now() - closing} ms`)
}

await run('unresolvable host', { host: UNRESOLVABLE })

const stalled = new Set()
const server = createServer((connection) => {
  stalled.add(connection)
  connection.on('error', () => {})
  connection.pause()
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
await run('TCP server that never reads', { host: '127.0.0.1', port: server.address().port, protocol: 'tcp' })
for (const connection of stalled) connection.destroy()
server.close()

await run('closed TCP port', { host: '127.0.0.1', port: 9, protocol: 'tcp' })
