// Per-query instructions of vigie's database hooks, counted by valgrind's callgrind (the approach
// of bench/plugin-instructions.mjs): bench/database/instructions-child.mjs runs a `SELECT 1` loop
// of sequential awaits on a one-connection pool, per driver (pg, mysql2) and variant (bare; vigie
// with `database: false`; the driver hooks with a no-op observer; vigie with its database feature,
// outside a request and inside one), each in its own process under callgrind, against a real
// PostgreSQL and MariaDB started here (bench/database/servers.mjs). Instrumentation is switched on
// after an uninstrumented warm-up and the count is dumped after each window of queries. Imports
// the built package (`npm run build` first); needs valgrind (`apt-get install valgrind`).
//
//   node bench/database-instructions.mjs                          5 windows of 2,000 queries after 8,000, all variants
//   VARIANTS=bare,vigie DRIVERS=pg node bench/database-instructions.mjs --queries=1000 --windows=5 --warmup=5000
//   node bench/database-instructions.mjs --keep=/tmp/cg           keeps each window's dump (<variant>.<driver>.<w>.callgrind) and V8's perf map
//   node bench/database-instructions.mjs --out=bench/RESULTS-database.md   writes this Node's section of instruction counts there
//
// Before each window the child runs a full garbage collection (outside the count): the scavenges of
// the young generation (4 MiB semi-spaces: every few hundred queries) are counted, the occasional
// mark-compact is not, since one landing in a window of 2,000 queries reads as 100,000 instructions
// more per query there and none in the next.
//
// What a count is: the instructions of the whole Node process (every thread) over the window,
// divided by its queries: the driver's protocol work, the event loop, the socket system calls'
// user-space side, and vigie's hooks. Not the kernel, not the database server, not cache misses.
// The same build counted twice differs by well under 1 %, so a change worth a few hundred
// instructions per query shows, which CPU time on a shared machine cannot show.

import { execFileSync, spawn } from 'node:child_process'
import dgram from 'node:dgram'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startMariaDb, startPostgres } from './database/servers.mjs'
import { tickPinFlags } from './lib/tick-pin.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const CHILD = path.join(here, 'database', 'instructions-child.mjs')
const ALL = ['bare', 'vigie-nodb', 'hooks', 'vigie', 'vigie-req']
const LABELS = {
  bare: 'bare driver',
  'vigie-nodb': 'vigie, `database: false`',
  hooks: 'driver hooks, no-op observer',
  vigie: 'vigie, outside a request',
  'vigie-req': 'vigie, inside a request',
  otel: 'OTel instrumentation, outside a span',
  observer: 'the database observer alone, events handed to it (no driver)',
  'observer-none': 'the same loop, no observer',
}
const VARIANTS = process.env.VARIANTS?.split(',') ?? ALL
const DRIVERS = process.env.DRIVERS?.split(',') ?? ['pg', 'mysql2']
// A young generation of 64 MiB from the start, emptied by a full collection before each window:
// no collection runs inside a window (the child counts them), so a window counts the instructions
// of the queries themselves, allocation included, and the bytes they allocate show as the heap's
// growth over it. What those bytes cost the collector later is not in the count: it is the
// `bytes/query` column. (With small semi-spaces the scavenges' fixed cost, millions of
// instructions each, swamped the differences; with large ones, whether a window held one did.)
const SERVER_FLAGS = ['--predictable', '--min-semi-space-size=64', '--max-semi-space-size=64', '--expose-gc']

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const queries = Number(arg('queries', 2000))
const windows = Number(arg('windows', 5))
const warmup = Number(arg('warmup', 8000))
const jobs = Number(arg('jobs', 1))
const keep = arg('keep', undefined)
const out = arg('out', undefined)

try {
  execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' })
} catch {
  console.error('database-instructions: needs valgrind (callgrind_control not found): apt-get install valgrind')
  process.exit(1)
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
const fmt = (x) => Math.round(x).toLocaleString('en-US')

const receiver = dgram.createSocket('udp4')
receiver.on('message', () => {})
await new Promise((resolve) => receiver.bind(0, '127.0.0.1', resolve))

process.stderr.write('starting PostgreSQL and MariaDB…\n')
const [postgres, mariadb] = await Promise.all([
  DRIVERS.includes('pg') ? startPostgres() : null,
  DRIVERS.includes('mysql2') ? startMariaDb() : null,
])
const urls = { pg: postgres?.url, mysql2: mariadb?.url }
const results = new Map() // `${driver} ${variant}` → { perQuery, queries, seen }
try {
  const queue = DRIVERS.flatMap((driver) => VARIANTS.map((variant) => [driver, variant]))
  await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
    while (queue.length > 0) {
      const [driver, variant] = queue.shift()
      results.set(`${driver} ${variant}`, await count(driver, variant))
    }
  }))
} finally {
  await Promise.all([postgres?.stop(), mariadb?.stop()])
  receiver.close()
}

const lines = [
  `#### Instructions per query (callgrind), Node ${process.version}`,
  '',
  `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`node bench/database-instructions.mjs\`: ${windows} windows of ${queries} queries per variant after ${warmup} uninstrumented, ` +
  `\`SELECT 1 AS one\` in sequential awaits on a one-connection pool; each variant in its own process under callgrind, run with ${SERVER_FLAGS.join(' ')}.`,
  '',
  '| driver | variant | instr/query (median) | per window | − bare | bare ÷ variant | bytes/query (median) | − bare |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
]
for (const driver of DRIVERS) {
  const bare = results.get(`${driver} bare`)
  for (const variant of VARIANTS) {
    const r = results.get(`${driver} ${variant}`)
    const m = median(r.perQuery)
    const b = bare === undefined ? NaN : median(bare.perQuery)
    const one = variant === 'bare'
    const by = median(r.bytes)
    const byBare = bare === undefined ? NaN : median(bare.bytes)
    lines.push(`| ${driver} | ${LABELS[variant]} | ${fmt(m)} | ${r.perQuery.map(fmt).join(' ')} | ${one ? '' : (m >= b ? '+' : '') + fmt(m - b)} | ${one ? '1' : (b / m).toFixed(3)} | ${fmt(by)} | ${one ? '' : (by >= byBare ? '+' : '') + fmt(by - byBare)} |`)
  }
}
lines.push('', 'bare ÷ variant: the share of the bare loop\'s throughput the variant would keep if instructions were time (the target is ≥ 0.95).')
lines.push('Queries each variant saw (vigie\'s `db.query` count in its 1-minute window, or the no-op observer\'s calls): ' +
  [...results].map(([k, r]) => `${k} ${r.queries}/${r.seen ?? '—'}`).join(', ') + '.',
  `Garbage collections inside the counted windows: ${[...results].map(([k, r]) => `${k} ${r.gcs}`).join(', ')} (a window with one counts its cost).`, '')
const section = lines.join('\n')
process.stdout.write(section + '\n')
if (out !== undefined) {
  const major = process.versions.node.split('.')[0]
  const begin = `<!-- instructions node ${major} -->`
  const end = `<!-- /instructions node ${major} -->`
  let text = fs.readFileSync(out, 'utf8')
  const block = `${begin}\n${section}${end}\n`
  const at = text.indexOf(begin)
  text = at === -1 ? text + '\n' + block : text.slice(0, at) + block + text.slice(text.indexOf(end) + end.length + 1)
  fs.writeFileSync(out, text)
  process.stderr.write(`written to ${out}\n`)
}

/** Runs one variant under callgrind; resolves with its instructions per query, per window. */
async function count (driver, variant) {
  const file = path.join(os.tmpdir(), `vigie-db-instructions-${process.pid}-${driver}-${variant}.out`)
  const child = spawn('valgrind', [
    '--tool=callgrind', '--smc-check=all-non-file', '--instr-atstart=no', `--callgrind-out-file=${file}`,
    process.execPath, ...SERVER_FLAGS, ...(keep === undefined ? [] : ['--perf-basic-prof', `--logfile=${path.join(keep, `${variant}.${driver}.v8.log`)}`]), ...tickPinFlags(true), CHILD,
  ], {
    cwd: here,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, DRIVER: driver, VARIANT: variant, DB_URL: urls[driver], STATSD_PORT: String(receiver.address().port), WARMUP: String(warmup) },
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000) })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const next = (key) => Promise.race([
    new Promise((resolve) => { const on = (m) => { if (m[key] !== undefined) { child.off('message', on); resolve(m) } }; child.on('message', on) }),
    exited.then(() => { throw new Error(`${driver} ${variant}: the child exited\n${stderr}`) }),
  ])
  let gcs = 0
  const bytes = []
  const control = (...args) => execFileSync('callgrind_control', [...args, String(child.pid)], { stdio: 'ignore' })
  await next('ready')
  control('-i', 'on')
  for (let w = 0; w < windows; w++) {
    // A full collection before each window (not counted: the counters are zeroed after it).
    child.send({ collect: true })
    await next('collected')
    control('-z')
    child.send({ run: queries })
    const { collections, allocated } = await next('done')
    control('-d')
    gcs += collections
    bytes.push(allocated / queries)
  }
  control('-i', 'off')
  child.send({ stop: true })
  const { queries: total, seen } = await next('stopped')
  await exited
  const perQuery = []
  for (let w = 1; w <= windows; w++) {
    const dump = `${file}.${w}`
    perQuery.push(Number(/^totals: (\d+)/m.exec(fs.readFileSync(dump, 'utf8'))[1]) / queries)
    if (keep === undefined) fs.unlinkSync(dump)
    else fs.renameSync(dump, path.join(keep, `${variant}.${driver}.${w}.callgrind`))
  }
  fs.rmSync(file, { force: true })
  if (keep !== undefined && fs.existsSync(`/tmp/perf-${child.pid}.map`)) fs.renameSync(`/tmp/perf-${child.pid}.map`, path.join(keep, `${variant}.${driver}.perf.map`))
  process.stderr.write(`${driver} ${variant}: ${perQuery.map(fmt).join(' ')} instr/query, ${bytes.map(fmt).join(' ')} bytes/query, ${gcs} collections in the windows\n`)
  return { perQuery, queries: total, seen, gcs, bytes }
}
