// One variant of bench/database-instructions.mjs, run under callgrind: a one-connection pool of
// DRIVER sending `SELECT 1 AS one` in a loop of sequential awaits (as bench/database/loop.mjs),
// with VARIANT:
//   bare       — the driver alone;
//   vigie-nodb — a Fastify app with vigie registered, `database: false`;
//   hooks      — vigie's driver hooks (lib/database/driver-hooks.ts) with one observer that does nothing, no app;
//   vigie      — a Fastify app with vigie registered, its database feature on (defaults);
//   vigie-req  — the same, the loop run inside a request (a route called through inject());
//   otel       — OpenTelemetry's pg/mysql2 instrumentations (bench/database/variant.mjs), outside a span;
//   observer   — no driver: the app of `vigie`, its database observer handed a finished query's event
//                directly (publishQuery), `SELECT 1 AS one` with durations from 0.2 to 2 ms, in
//                batches of 100 between event-loop turns (the StatsD datagrams go out): the
//                database feature's own work per query, without the driver's and the JIT's noise;
//   observer-none — the same loop with no observer registered: what the loop itself costs.
// Talks to its parent over IPC: `{ ready }` after WARMUP queries (uninstrumented), then for each
// `{ collect }` runs a full GC and answers `{ collected }`, each `{ run: n }` runs n queries and
// answers `{ done }`; the parent switches callgrind on, zeroes its counters after the GC and dumps.
import { PerformanceObserver } from 'node:perf_hooks'

const kind = process.env.VARIANT
const base = { bare: 'bare', 'vigie-nodb': 'vigie', hooks: 'bare', vigie: 'vigie', 'vigie-req': 'vigie', otel: 'otel', observer: 'vigie', 'observer-none': 'bare' }[kind]
if (base === undefined) throw new Error(`unknown VARIANT ${kind}`)
process.env.VARIANT = base
if (kind === 'vigie-nodb') process.env.BENCH_VIGIE_DATABASE = 'false'

if (kind === 'hooks') {
  const { installDriverHooks } = await import('../../dist/esm/database/driver-hooks.js')
  const { addQueryObserver } = await import('../../dist/esm/database/query-observers.js')
  let seen = 0
  addQueryObserver(() => { seen++ }, () => {})
  installDriverHooks()
  globalThis.vigieBenchSeen = () => seen
}
const { openPool, fastifyApp, counted, shutdown } = await import('./variant.mjs')

const synthetic = kind === 'observer' || kind === 'observer-none'
const pool = synthetic ? await syntheticPool() : openPool(process.env.DB_URL, 1)
const app = base === 'bare' || kind === 'otel' ? (kind === 'otel' ? await fastifyApp() : null) : await fastifyApp()
app?.get('/loop', async (request) => { await loop(Number(request.query.n)); return 'ok' })
await app?.ready()

/** The observer variants' "pool": each query is one event handed to the observers, as the pg hook's finish() does. */
async function syntheticPool () {
  const { publishQuery } = await import('../../dist/esm/database/query-observers.js')
  class SyntheticQuery {
    system = 'postgresql'
    durationMs = 0
    rows = undefined
    error = undefined
    done = false
    constructor (start, statement, database, request, parameters) {
      this.start = start
      this.statement = statement
      this.database = database
      this.request = request
      this.parameters = parameters
    }
  }
  let k = 0
  return {
    async query () {
      const event = new SyntheticQuery(0, 'SELECT 1 AS one', 'bench', undefined, undefined)
      event.durationMs = 0.2 + (k++ % 1801) / 1000
      event.rows = 1
      event.done = true
      publishQuery(event)
      if (k % 100 === 0) await new Promise(setImmediate)
    },
    end: async () => {},
  }
}

async function loop (n) {
  for (let i = 0; i < n; i++) await pool.query()
}

async function run (n) {
  if (kind !== 'vigie-req') return loop(n)
  const res = await app.inject(`/loop?n=${n}`)
  if (res.statusCode !== 200) throw new Error(`the loop route answered ${res.statusCode}`)
}

// Garbage collections during a window (the parent sizes the young generation so that there are none).
let collections = 0
new PerformanceObserver((list) => { collections += list.getEntries().length }).observe({ entryTypes: ['gc'] })

let total = 0
await run(Number(process.env.WARMUP))
total += Number(process.env.WARMUP)
process.send({ ready: true })
process.on('message', async (message) => {
  if (message.collect) {
    globalThis.gc()
    process.send({ collected: true })
  } else if (message.run !== undefined) {
    const gcs = collections
    const heap = process.memoryUsage().heapUsed
    await run(message.run)
    const allocated = process.memoryUsage().heapUsed - heap
    total += message.run
    process.send({ done: true, collections: collections - gcs, allocated })
  } else if (message.stop) {
    const seen = kind === 'hooks' ? globalThis.vigieBenchSeen() : app === null ? null : counted(app)
    await app?.close()
    await pool.end()
    await shutdown()
    process.send({ stopped: true, queries: total, seen }, () => process.exit(0))
  }
})
