// One measurement of bench/database.mjs's query loop: N sequential `await pool.query('SELECT 1')`
// on a one-connection pool, after a warm-up of N/10, on DRIVER (pg, mysql2) with VARIANT (bare,
// vigie, otel). CONTEXT=request runs the loop inside a request: a Fastify route's handler called
// through inject() (vigie: the queries are attributed to its route, tallied per request, N+1
// checked), or an active span (otel); CONTEXT=none runs it outside. Prints one JSON line: queries/s
// (wall clock) and this process's CPU time per query (user + system), which a busy machine skews less.
import { performance } from 'node:perf_hooks'
import { counted, fastifyApp, openPool, shutdown, tracer, variant } from './variant.mjs'

const N = Number(process.env.N || 5000)
const inRequest = process.env.CONTEXT === 'request'
const pool = openPool(process.env.DB_URL, 1)
const app = variant === 'bare' ? null : await fastifyApp()

async function loop (n) {
  for (let i = 0; i < n; i++) await pool.query()
}

/** Runs `n` queries in the chosen context; resolves with the seconds taken. */
async function timed (n) {
  const start = performance.now()
  const cpu = process.cpuUsage()
  if (!inRequest || app === null) {
    await loop(n)
  } else if (variant === 'otel') {
    await tracer.startActiveSpan('request', async (span) => { await loop(n); span.end() })
  } else {
    const res = await app.inject(`/loop?n=${n}`)
    if (res.statusCode !== 200) throw new Error(`the loop route answered ${res.statusCode}`)
  }
  const used = process.cpuUsage(cpu)
  return { seconds: (performance.now() - start) / 1000, cpuUs: used.user + used.system }
}

app?.get('/loop', async (request) => { await loop(Number(request.query.n)); return 'ok' })
await app?.ready()
const warmup = Math.ceil(N / 10)
await timed(warmup)
const { seconds, cpuUs } = await timed(N)
const seen = app === null ? null : counted(app)
await app?.close()
await pool.end()
await shutdown()
process.stdout.write(JSON.stringify({ qps: N / seconds, seconds, cpuUsPerQuery: cpuUs / N, queries: warmup + N, counted: seen }) + '\n')
