// Per-request instructions of vigie, counted by valgrind's callgrind: the server variants of
// plugin-cpu.mjs (Fastify or Express; bare, with one AsyncLocalStorage run per request, with
// vigie), each in its own process under callgrind, loaded over 32 keep-alive sockets from this
// process. Instrumentation is switched on after an uninstrumented warm-up (so that the JIT tiers
// have settled) and the count is dumped after each window of requests. Imports the built package
// (run `npm run build` first); needs valgrind (`apt-get install valgrind`).
//
//   node bench/plugin-instructions.mjs            3 windows of 2,000 requests per variant, after 20,000 (about 13 minutes)
//   VARIANTS=bare-log,vigie-log,vigie-lopts-log,express-bare-log,express-vigie-log node bench/plugin-instructions.mjs
//                                                  only "logger on" twins (see below)
//   VARIANTS=als,vigie node bench/plugin-instructions.mjs --requests=5000 --windows=5
//   VARIANTS=express-als,express-vigie,express-vigie-baseline node bench/plugin-instructions.mjs --baseline=bench/.baseline/dist
//   node bench/plugin-instructions.mjs --no-tick-pin    servers without bench/lib/pin-tick-object.mjs (see there)
//   node bench/plugin-instructions.mjs --keep=/tmp/cg   keeps each window's callgrind dump as <dir>/<variant>.<window>.callgrind (for callgrind_annotate),
//                                                  and V8's map of JIT code (servers run with --perf-basic-prof) as <dir>/<variant>.perf.map
//   BENCH_AWAITS=10 VARIANTS=bare,als,vigie,vigie-noctx node bench/plugin-instructions.mjs    a Fastify handler that awaits 10 times
//
// Why: an instruction count does not depend on what else the machine runs. On a shared machine
// the CPU time of plugin-cpu.mjs moves by several µs from one run to the next; the same build
// counted twice here differs by well under 1 %, so a change worth 1 µs shows. What a count is
// not: time. Cache misses, system calls (the UDP sends) and the kernel are not in it, and timers
// (vigie's 1-s flush, the process sampler) fire about 50 times more often per request than at
// full speed, since the server runs that much slower. The servers run with --predictable (no
// concurrent compilation or GC threads, whose work would land in any window) and a 32 MiB young
// generation. Express allocates enough that a window with a full GC counts several percent more
// than one without: the figure is the mean over the windows (GC is part of the cost), and Express
// wants more requests per window than Fastify to settle.
//
// Every variant has a "logger on" twin, `<variant>-log` (plugin-cpu.mjs serves both): Fastify's
// logger, or pino-http on Express, at level info to a pino destination on /dev/null, and one
// `request.log.info()` in the handler (bench/lib/logger-on.mjs); `vigie-lopts-log` and
// `express-vigie-lopts-log` build that logger from vigie's loggerOptions(). A twin is compared
// with the bare app and the ALS floor of its framework with the same logger.

import { execFileSync, spawn } from 'node:child_process'
import dgram from 'node:dgram'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { tickPinFlags } from './lib/tick-pin.mjs'
import { baseOf } from './lib/variant-names.mjs'

const PLUGIN_CPU = fileURLToPath(new URL('./plugin-cpu.mjs', import.meta.url))
const LOGGER_OFF = ['bare', 'als', 'vigie', 'vigie-min', 'vigie-noctx', 'express-bare', 'express-als', 'express-vigie', 'express-vigie-noctx']
const VARIANTS = process.env.VARIANTS?.split(',') ?? LOGGER_OFF.flatMap((v) => {
  const twins = [v, `${v}-log`]
  if (v === 'vigie' || v === 'express-vigie') twins.push(`${v}-lopts-log`)
  return twins
})
const CONNECTIONS = 32
const SERVER_FLAGS = ['--predictable', '--max-semi-space-size=32']

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}

const requests = Number(arg('requests', 2000))
const windows = Number(arg('windows', 3))
const warmup = Number(arg('warmup', 20000))
const jobs = Number(arg('jobs', Math.max(1, os.cpus().length)))
const baseline = arg('baseline', undefined)
const tickPin = !process.argv.includes('--no-tick-pin')
const keep = arg('keep', undefined)

try {
  execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' })
} catch {
  console.error('plugin-instructions: needs valgrind (callgrind_control not found): apt-get install valgrind')
  process.exit(1)
}

const results = new Map()
const queue = [...VARIANTS]
await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, async () => {
  while (queue.length > 0) {
    const variant = queue.shift()
    results.set(variant, await count(variant))
  }
}))

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
const floorOf = (variant, kind) => results.get(baseOf(variant, kind))
const diff = (variant, kind) => {
  const base = floorOf(variant, kind)
  if (base === undefined || base === results.get(variant)) return ''
  const d = mean(results.get(variant).perRequest) - mean(base.perRequest)
  return (d >= 0 ? '+' : '') + Math.round(d).toLocaleString('en-US')
}
// The bare app's instructions over the variant's, medians of the windows: the share of the bare
// app's throughput the variant would keep if instructions were time.
const share = (variant) => {
  const base = floorOf(variant, 'bare')
  if (base === undefined || base === results.get(variant)) return ''
  return (median(base.perRequest) / median(results.get(variant).perRequest)).toFixed(3)
}
console.log(`vigie per-request instructions (callgrind) — Node ${process.version}, ${requests} requests per window, ${windows} windows per variant, after ${warmup} uninstrumented; servers run with ${SERVER_FLAGS.join(' ')}`)
console.log('')
console.log(`${'variant'.padEnd(28)}${'instr/req'.padStart(11)}${'vs bare'.padStart(10)}${'vs ALS'.padStart(10)}${'median'.padStart(10)}${'bare÷x'.padStart(8)}   per window`)
for (const variant of VARIANTS) {
  const { perRequest } = results.get(variant)
  console.log(`${variant.padEnd(28)}${Math.round(mean(perRequest)).toLocaleString('en-US').padStart(11)}${diff(variant, 'bare').padStart(10)}${diff(variant, 'als').padStart(10)}${Math.round(median(perRequest)).toLocaleString('en-US').padStart(10)}${share(variant).padStart(8)}   ${perRequest.map((x) => Math.round(x).toLocaleString('en-US')).join(' ')}`)
}
console.log('')
console.log('instr/req = instructions of the server process (every thread) per request, mean of the windows; vs bare / vs ALS = difference of means')
console.log('with the bare app / the ALS floor of the same framework and logger (a -log twin against bare-log / als-log); median = median of the')
console.log('windows (a window where V8 compiles or collects reads several thousand higher: with enough windows the median shows the steady')
console.log('state); bare÷x = the bare app\'s median over the variant\'s. Variants are those of plugin-cpu.mjs; -log = logger on (level info,')
console.log('to /dev/null, one handler line per request; pino-http on Express).')

/** Runs one variant's server under callgrind; resolves with its instructions per request, per window. */
async function count (variant) {
  const receiver = dgram.createSocket('udp4')
  receiver.on('message', () => {})
  await new Promise((resolve) => receiver.bind(0, '127.0.0.1', resolve))
  const out = path.join(os.tmpdir(), `vigie-instructions-${process.pid}-${variant}.out`)
  const server = spawn('valgrind', [
    '--tool=callgrind', '--smc-check=all-non-file', '--instr-atstart=no', `--callgrind-out-file=${out}`,
    process.execPath, ...SERVER_FLAGS, ...(keep === undefined ? [] : ['--perf-basic-prof', `--logfile=${path.join(keep, `${variant}.v8.log`)}`]), ...tickPinFlags(tickPin), PLUGIN_CPU, 'server', variant, String(receiver.address().port),
  ], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: baseline === undefined ? process.env : { ...process.env, VIGIE_BENCH_BASELINE: path.resolve(baseline) } })
  let stderr = ''
  server.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000) })
  const exited = new Promise((resolve) => server.once('exit', resolve))
  const port = await Promise.race([
    new Promise((resolve) => server.on('message', (m) => { if (m.port !== undefined) resolve(m.port) })),
    exited.then(() => { throw new Error(`${variant}: the server exited before listening\n${stderr}`) }),
  ])
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  const control = (...args) => execFileSync('callgrind_control', [...args, String(server.pid)], { stdio: 'ignore' })
  await load(agent, port, warmup)
  control('-i', 'on')
  for (let w = 0; w < windows; w++) {
    await load(agent, port, requests)
    control('-d')
  }
  control('-i', 'off')
  agent.destroy()
  server.kill('SIGKILL')
  await exited
  receiver.close()
  const perRequest = []
  for (let w = 1; w <= windows; w++) {
    const file = `${out}.${w}`
    perRequest.push(Number(/^totals: (\d+)/m.exec(fs.readFileSync(file, 'utf8'))[1]) / requests)
    if (keep === undefined) fs.unlinkSync(file)
    else fs.renameSync(file, path.join(keep, `${variant}.${w}.callgrind`))
  }
  fs.rmSync(out, { force: true })
  // V8's map of its generated code, for naming the JIT addresses of the dumps (--perf-basic-prof).
  if (keep !== undefined) fs.renameSync(`/tmp/perf-${server.pid}.map`, path.join(keep, `${variant}.perf.map`))
  process.stderr.write(`${variant}: done\n`)
  return { perRequest }
}

/** `n` GET /users/:id requests, CONNECTIONS at a time; rejects on a failed one. */
function load (agent, port, n) {
  return new Promise((resolve, reject) => {
    let issued = 0
    let finished = 0
    const next = () => {
      if (issued === n) return
      const id = issued++ % 1000
      http.get({ agent, host: '127.0.0.1', port, path: `/users/${id}` }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`))
        res.on('error', reject)
        res.resume()
        res.on('end', () => { if (++finished === n) resolve(); else next() })
      }).on('error', reject)
    }
    for (let c = 0; c < Math.min(CONNECTIONS, n); c++) next()
  })
}
