// Database queries with and without vigie, side by side with OpenTelemetry's pg and mysql2
// instrumentations, on a real PostgreSQL and MariaDB started here. See bench/README.md.
//
//   (a) a query loop: N sequential `await pool.query('SELECT 1')` (bench/database/loop.mjs), per
//       driver: bare; vigie, outside a request and inside one; OTel, outside a span and inside one;
//   (b) a Fastify route that runs one `SELECT 1` (bench/database/route-server.mjs), logger on,
//       req/s under autocannon: bare, vigie, OTel.
// Every variant runs in its own process, pinned to core 0; the databases, the load generator
// and this runner share core 1. Rounds are interleaved (the order rotates each round) and each
// figure is the median over the rounds; ratios are medians over the bare one of the same driver.
//
// Env knobs: BENCH_ROUNDS (5), BENCH_N (queries per loop, 5000), BENCH_DURATION (s per route
// measurement, 5), BENCH_WARMUP (s of load before it, 2), BENCH_CONNECTIONS (20), BENCH_PARTS
// (`loop,route`), BENCH_OUT (default bench/RESULTS-database.md, where this Node's section is
// replaced; `-` writes nothing).
import { spawn, execFileSync } from 'node:child_process'
import dgram from 'node:dgram'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startMariaDb, startPostgres } from './database/servers.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5)
const N = Number(process.env.BENCH_N || 5000)
const DURATION = Number(process.env.BENCH_DURATION || 5)
const WARMUP = Number(process.env.BENCH_WARMUP || 2)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 20)
const PARTS = (process.env.BENCH_PARTS || 'loop,route').split(',')
const OUT = process.env.BENCH_OUT || path.join(here, 'RESULTS-database.md')
const TARGET = 0.95
const CLK_TCK = Number(tryExec('getconf', ['CLK_TCK']) || 100)
const PIN = os.cpus().length >= 2 && tryExec('sh', ['-c', 'command -v taskset']) !== null
const DRIVERS = ['pg', 'mysql2']
const LOOP_VARIANTS = [
  { id: 'bare', variant: 'bare', context: 'none', label: 'bare driver' },
  { id: 'vigie', variant: 'vigie', context: 'none', label: 'vigie, outside a request' },
  { id: 'vigie-req', variant: 'vigie', context: 'request', label: 'vigie, inside a request' },
  { id: 'otel', variant: 'otel', context: 'none', label: 'OTel, outside a span' },
  { id: 'otel-req', variant: 'otel', context: 'request', label: 'OTel, inside a span' },
]
const ROUTE_VARIANTS = [
  { id: 'bare', variant: 'bare', label: 'Fastify, logger on' },
  { id: 'vigie', variant: 'vigie', label: 'Fastify + vigie' },
  { id: 'vigie-nodb', variant: 'vigie', env: { BENCH_VIGIE_DATABASE: 'false' }, label: 'Fastify + vigie, `database: false`' },
  { id: 'otel', variant: 'otel', label: 'Fastify + @fastify/otel + instrumentation-pg/-mysql2' },
]

function tryExec (cmd, args) {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() } catch { return null }
}

const pinned = (core, args) => PIN ? ['taskset', ['-c', core, process.execPath, ...args]] : [process.execPath, args]
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length])

/** Spawns `args` (pinned to `core`), resolves with its stdout lines once it exits 0. */
function runChild (core, args, env) {
  const [cmd, argv] = pinned(core, args)
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: here, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk) => { out += chunk })
    child.once('exit', (code) => code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`${args.join(' ')} exited with ${code}`)))
  })
}

// A UDP receiver that drops vigie's metrics (real datagrams, sent and received).
const receiver = dgram.createSocket('udp4')
receiver.on('message', () => {})
await new Promise((resolve) => receiver.bind(0, '127.0.0.1', resolve))
if (PIN) tryExec('taskset', ['-pc', '1', String(process.pid)])

process.stderr.write(`starting PostgreSQL and MariaDB${PIN ? ' on core 1' : ''}…\n`)
const [postgres, mariadb] = await Promise.all([startPostgres(PIN ? '1' : undefined), startMariaDb(PIN ? '1' : undefined)])
const urls = { pg: postgres.url, mysql2: mariadb.url }
const env = (driver, variant) => ({ DRIVER: driver, VARIANT: variant, DB_URL: urls[driver], STATSD_PORT: String(receiver.address().port) })

const loop = {} // driver → id → [qps]
const route = {} // driver → id → [rps]
const loopCpu = {} // driver → id → [CPU µs per query]
const routeCpu = {} // driver → id → [server CPU µs per request]
const checks = [] // what each variant said it saw, once per driver and variant
try {
  if (PARTS.includes('loop')) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const driver of DRIVERS) {
        for (const v of rotate(LOOP_VARIANTS, round)) {
          const [line] = (await runChild('0', ['database/loop.mjs'], { ...env(driver, v.variant), CONTEXT: v.context, N: String(N) })).slice(-1)
          const result = JSON.parse(line)
          ;((loop[driver] ??= {})[v.id] ??= []).push(result.qps)
          ;((loopCpu[driver] ??= {})[v.id] ??= []).push(result.cpuUsPerQuery)
          if (round === 0) checks.push(`loop ${driver} ${v.id}: ${result.queries} queries, the variant saw ${result.counted ?? '—'}`)
          process.stderr.write(`loop ${driver} ${v.id} round ${round + 1}: ${result.qps.toFixed(0)} queries/s, ${result.cpuUsPerQuery.toFixed(1)} µs CPU/query\n`)
        }
      }
    }
  }
  if (PARTS.includes('route')) {
    for (let round = 0; round < ROUNDS; round++) {
      for (const driver of DRIVERS) {
        for (const v of rotate(ROUTE_VARIANTS, round)) {
          const result = await measureRoute(driver, v)
          ;((route[driver] ??= {})[v.id] ??= []).push(result.rps)
          ;((routeCpu[driver] ??= {})[v.id] ??= []).push(result.cpuUsPerRequest)
          if (round === 0) checks.push(`route ${driver} ${v.id}: ${result.served} requests served, the variant saw ${result.counted ?? '—'}`)
          process.stderr.write(`route ${driver} ${v.id} round ${round + 1}: ${result.rps.toFixed(0)} req/s, ${result.cpuUsPerRequest.toFixed(0)} µs CPU/request\n`)
        }
      }
    }
  }
} finally {
  await Promise.all([postgres.stop(), mariadb.stop()])
  receiver.close()
}

/** Starts the route server, loads it WARMUP then DURATION seconds, stops it. */
async function measureRoute (driver, v) {
  const port = 3400 + Math.floor(Math.random() * 500)
  const [cmd, argv] = pinned('0', ['database/route-server.mjs'])
  const server = spawn(cmd, argv, { cwd: here, env: { ...process.env, ...env(driver, v.variant), ...v.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => { out += chunk; if (out.includes('ready\n')) resolve() })
    server.once('exit', (code) => reject(new Error(`route server exited with ${code}`)))
  })
  const load = async (seconds) => JSON.parse((await runChild('1', ['side-by-side/load.mjs'], { URL: `http://127.0.0.1:${port}/query`, CONNECTIONS: String(CONNECTIONS), DURATION: String(seconds) })).at(-1))
  await load(WARMUP)
  const ticks0 = cpuTicks(server.pid)
  const result = await load(DURATION)
  const cpuUsPerRequest = (cpuTicks(server.pid) - ticks0) * 1e6 / CLK_TCK / result.requests
  const exited = new Promise((resolve) => server.once('exit', resolve))
  server.kill('SIGTERM')
  await exited
  const final = JSON.parse(out.trim().split('\n').at(-1))
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`route ${driver} ${v.id}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return { ...result, ...final, cpuUsPerRequest }
}

/** utime + stime of `pid` in clock ticks (`taskset` execs node: same pid). */
function cpuTicks (pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12])
}

// ---- the report ----
const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const lines = [
  `### Node ${process.version}`,
  '',
  `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpu}, ${os.cpus().length} cores, ${os.platform()} ${os.release()}, ` +
  `load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}. ${ROUNDS} rounds; ` +
  `loop N = ${N}; route ${DURATION} s after ${WARMUP} s of warm-up, ${CONNECTIONS} connections; ${PIN ? 'pinned (variant on core 0, databases and load on core 1)' : 'not pinned'}.`,
  '',
]
const table = (title, unit, results, cpu, cpuUnit, variants) => {
  lines.push(`${title}`, '', `| driver | variant | ${unit} (median) | min–max | × bare | target ≥ ${TARGET}× | ${cpuUnit} (median) | × bare |`, '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |')
  for (const driver of DRIVERS) {
    const base = median(results[driver]?.bare ?? [NaN])
    const cpuBase = median(cpu[driver]?.bare ?? [NaN])
    for (const v of variants) {
      const xs = results[driver]?.[v.id]
      if (xs === undefined) continue
      const m = median(xs)
      const ratio = m / base
      const c = median(cpu[driver][v.id])
      const verdict = v.variant === 'vigie' && v.env === undefined ? (ratio >= TARGET ? 'PASS' : 'MISS') : ''
      const one = v.id === 'bare'
      lines.push(`| ${driver} | ${v.label} | ${m.toFixed(0)} | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} | ${one ? '1' : ratio.toFixed(3)} | ${verdict} | ${c.toFixed(1)} | ${one ? '1' : (c / cpuBase).toFixed(3)} |`)
    }
  }
  lines.push('')
}
if (PARTS.includes('loop')) table('(a) `SELECT 1` loop, sequential awaits on a one-connection pool', 'queries/s', loop, loopCpu, 'CPU µs/query', LOOP_VARIANTS)
if (PARTS.includes('route')) table('(b) Fastify route, one `SELECT 1` per request (pool of 10), logger on', 'req/s', route, routeCpu, 'server CPU µs/request', ROUTE_VARIANTS)
lines.push('Seen by each variant (first round): vigie\'s `db.query` count, OTel\'s ended spans (request spans included):', '', ...checks.map((c) => `- ${c}`), '')
const section = lines.join('\n')
process.stdout.write(section + '\n')

if (OUT !== '-') {
  const major = process.versions.node.split('.')[0]
  const begin = `<!-- node ${major} -->`
  const end = `<!-- /node ${major} -->`
  let text = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '# Database queries: results\n\nWritten by `node bench/database.mjs` (see bench/README.md), one section per Node major.\n\n'
  const block = `${begin}\n${section}${end}\n`
  const at = text.indexOf(begin)
  text = at === -1 ? text + block + '\n' : text.slice(0, at) + block + text.slice(text.indexOf(end) + end.length + 1)
  fs.writeFileSync(OUT, text)
  process.stderr.write(`written to ${OUT}\n`)
}
