// Side-by-side benchmark: bare Fastify / Express against vigie and the tools users compare it
// with, in one run on one machine. See bench/README.md. Writes bench/RESULTS.md.
//
// Env knobs: BENCH_DURATION (s per measurement, 5), BENCH_WARMUP (s, 3), BENCH_PAIRS (5),
// BENCH_CONNECTIONS (50), BENCH_VARIANTS (comma-separated variant ids, default all),
// BENCH_IDLE_WAIT (s to wait for an idle machine, 300), BENCH_OUT (output file, default
// bench/RESULTS.md; "-" to write nothing), BENCH_TICK_PIN ("0" to start the servers without
// bench/lib/pin-tick-object.mjs), BENCH_LOGGING ("off", "on" or "both" (default): the logger-off
// rows, their "logger on" twins, or both).
import { spawn, execFileSync } from 'node:child_process'
import dgram from 'node:dgram'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { tickPinFlags } from '../lib/tick-pin.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const DURATION = Number(process.env.BENCH_DURATION || 5)
const WARMUP = Number(process.env.BENCH_WARMUP || 3)
const PAIRS = Number(process.env.BENCH_PAIRS || 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50)
const OUT = process.env.BENCH_OUT || path.join(root, 'bench/RESULTS.md')
const IDLE_WAIT = Number(process.env.BENCH_IDLE_WAIT || 300)
const TICK_PIN = process.env.BENCH_TICK_PIN !== '0'
const BASE_PORT = 3100
const CLK_TCK = Number(tryExec('getconf', ['CLK_TCK']) || 100)
const TASKSET = tryExec('sh', ['-c', 'command -v taskset']) !== null
const CORES = os.cpus().length
const PIN = TASKSET && CORES >= 2

const DD_ENV = {
  DD_TRACE_AGENT_URL: 'http://127.0.0.1:1',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_TRACE_STARTUP_LOGS: 'false',
}

const LOGGER_OFF = [
  { id: 'fastify-vigie', label: 'Fastify + vigie (everything on)', base: 'fastify', vigie: true },
  { id: 'fastify-vigie-noctx', script: 'fastify-vigie', label: 'Fastify + vigie, `asyncContext: false`', base: 'fastify', vigie: true, env: { BENCH_ASYNC_CONTEXT: 'false' } },
  { id: 'fastify-als', label: 'Fastify + ALS `run` per request (floor)', base: 'fastify' },
  { id: 'fastify-metrics', label: 'Fastify + fastify-metrics', base: 'fastify' },
  { id: 'fastify-logger', label: 'Fastify `logger: true` (to /dev/null)', base: 'fastify' },
  { id: 'fastify-otel', label: 'Fastify + @fastify/otel + OTel SDK (no export)', base: 'fastify' },
  { id: 'fastify-ddtrace', label: 'Fastify + dd-trace (agent absent)', base: 'fastify', nodeArgs: ['--import', 'dd-trace/initialize.mjs'], env: DD_ENV },
  { id: 'express-vigie', label: 'Express 5 + vigie (everything on)', base: 'express', vigie: true },
  { id: 'express-vigie-noctx', script: 'express-vigie', label: 'Express 5 + vigie, `asyncContext: false`', base: 'express', vigie: true, env: { BENCH_ASYNC_CONTEXT: 'false' } },
  { id: 'express-prom', label: 'Express 5 + express-prom-bundle', base: 'express' },
]
// Each variant's "logger on" twin (`<id>-log`) runs the same server with BENCH_LOGGER=1: Fastify's
// logger, or pino-http on Express, at level info to /dev/null and one line of the handler's own per
// request (bench/lib/logger-on.mjs); it is paired with the bare server of its framework with the
// same logger. fastify-logger has none: its row is the logger. vigie's twins have one more, with
// the logger's pino options built by loggerOptions(), as vigie's docs tell users to.
const LOGGED = { fastify: ', logger on', express: ' + pino-http' }
const logOn = (v) => ({ ...v, id: `${v.id}-log`, script: v.script ?? v.id, label: `${v.label}${LOGGED[v.base]}`, base: `${v.base}-log`, logger: true, env: { ...v.env, BENCH_LOGGER: '1' } })
const loggerOptionsTwin = (v) => ({ ...logOn(v), id: `${v.id}-lopts-log`, label: `${v.label}${LOGGED[v.base]}, \`loggerOptions()\``, env: { ...v.env, BENCH_LOGGER: '1', BENCH_LOGGER_OPTIONS: '1' } })
const VARIANTS = LOGGER_OFF.flatMap((v) => {
  if (v.id === 'fastify-logger') return [v]
  if (v.id === 'fastify-vigie' || v.id === 'express-vigie') return [v, logOn(v), loggerOptionsTwin(v)]
  return [v, logOn(v)]
})
const BASES = {
  fastify: { id: 'fastify-bare', label: 'Fastify (bare)' },
  'fastify-log': { id: 'fastify-bare-log', script: 'fastify-bare', label: 'Fastify (bare), logger on', env: { BENCH_LOGGER: '1' } },
  express: { id: 'express-bare', label: 'Express 5 (bare)' },
  'express-log': { id: 'express-bare-log', script: 'express-bare', label: 'Express 5 (bare) + pino-http', env: { BENCH_LOGGER: '1' } },
}
const frameworkOf = (base) => base.replace(/-log$/, '')
// The targets: vigie's req/s over the same app's without vigie (medians), held on Node 24 and 26.
const TARGETS = {
  'fastify-vigie': 0.90,
  'fastify-vigie-log': 0.90,
  'fastify-vigie-lopts-log': 0.90,
  'express-vigie': 0.95,
  'express-vigie-log': 0.95,
  'express-vigie-lopts-log': 0.95,
}
const TARGET_NODES = [24, 26]
const LOGGING = process.env.BENCH_LOGGING || 'both'
if (!['off', 'on', 'both'].includes(LOGGING)) throw new Error(`BENCH_LOGGING must be off, on or both, not ${LOGGING}`)
const only = process.env.BENCH_VARIANTS ? new Set(process.env.BENCH_VARIANTS.split(',').map((s) => s.trim())) : null
const selected = VARIANTS.filter((v) => (!only || only.has(v.id)) && (LOGGING === 'both' || (LOGGING === 'on') === (v.logger === true)))

function tryExec (cmd, args) {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() } catch { return null }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const log = (...a) => process.stderr.write(a.join(' ') + '\n')

// ---- StatsD receiver: a real UDP socket; counts datagrams, lines and `http_request` counts ----
const udp = { datagrams: 0, lines: 0, counted: 0, bytes: 0 }
const COUNTER = Buffer.from('http_request:1|c')
const receiver = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 })
receiver.on('message', (msg) => {
  udp.datagrams++
  udp.bytes += msg.length
  for (let i = msg.indexOf(10); i !== -1; i = msg.indexOf(10, i + 1)) udp.lines++
  if (msg[msg.length - 1] !== 10) udp.lines++
  for (let i = msg.indexOf(COUNTER); i !== -1; i = msg.indexOf(COUNTER, i + COUNTER.length)) udp.counted++
})
await new Promise((resolve) => receiver.bind(0, '127.0.0.1', resolve))
const STATSD_PORT = receiver.address().port
const RECV_BUF = receiver.getRecvBufferSize()

// The runner (and its UDP receiver) shares the load generator's core, never the server's.
if (PIN) tryExec('taskset', ['-pc', '1', String(process.pid)])

// ---- processes ----
function cpuTicks (pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12]) // utime + stime (fields 14 and 15)
}

function lines (stream, onLine) {
  let buf = ''
  stream.setEncoding('utf8')
  stream.on('data', (d) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) !== -1) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1) }
  })
}

async function startServer (id, port, extra = {}) {
  const args = [...tickPinFlags(TICK_PIN), ...(extra.nodeArgs || []), path.join(here, `${extra.script ?? id}.mjs`)]
  const cmd = PIN ? 'taskset' : process.execPath
  const argv = PIN ? ['-c', '0', process.execPath, ...args] : args
  const child = spawn(cmd, argv, {
    cwd: here,
    // The logger stays off unless the variant turns it on, whatever the runner's environment holds.
    env: { ...process.env, BENCH_LOGGER: '0', BENCH_LOGGER_OPTIONS: '0', ...(extra.env || {}), PORT: String(port), STATSD_PORT: String(STATSD_PORT), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  const state = { child, id, port, served: null, stderr: () => stderr }
  state.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${id} not ready in 20 s: ${stderr}`)), 20000)
    lines(child.stdout, (l) => {
      if (l === 'ready') { clearTimeout(t); resolve() }
      const m = /^served (\d+)$/.exec(l)
      if (m) state.served = Number(m[1])
    })
    child.on('exit', (code) => { clearTimeout(t); reject(new Error(`${id} exited (${code}) before ready: ${stderr}`)) })
  })
  return state
}

async function stopServer (s) {
  s.child.kill('SIGTERM')
  const t = setTimeout(() => s.child.kill('SIGKILL'), 10000)
  await s.exited
  clearTimeout(t)
}

function measure (server, seconds) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, URL: `http://127.0.0.1:${server.port}/users/42`, CONNECTIONS: String(CONNECTIONS), DURATION: String(seconds) }
    const loadJs = path.join(here, 'load.mjs')
    const child = PIN
      ? spawn('taskset', ['-c', '1', process.execPath, loadJs], { cwd: here, env, stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn(process.execPath, [loadJs], { cwd: here, env, stdio: ['ignore', 'pipe', 'inherit'] })
    let before = null
    let result = null
    lines(child.stdout, (l) => {
      if (l === 'go') before = cpuTicks(server.child.pid)
      else if (l.startsWith('{')) {
        const after = cpuTicks(server.child.pid)
        result = JSON.parse(l)
        result.cpuSeconds = (after - before) / CLK_TCK
        result.cpuUsPerReq = result.requests > 0 ? (result.cpuSeconds * 1e6) / result.requests : NaN
      }
    })
    child.on('exit', (code) => {
      if (result) resolve(result)
      else reject(new Error(`load exited ${code} without a result`))
    })
  })
}

// Wait for the machine to be idle (another benchmark running would skew every figure).
function cpuBusy () {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const idle = f[3] + f[4]
  return { idle, total: f.reduce((a, b) => a + b, 0) }
}
async function waitIdle () {
  const deadline = Date.now() + IDLE_WAIT * 1000
  for (;;) {
    const a = cpuBusy()
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const b = cpuBusy()
    const busy = 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)
    if (busy < 0.15) return busy
    if (Date.now() > deadline) { log(`machine still ${(busy * 100).toFixed(0)} % busy after ${IDLE_WAIT} s: going on`); waited.push(busy); return busy }
    log(`machine ${(busy * 100).toFixed(0)} % busy (another process): waiting`)
  }
}
const waited = []

// ---- the run ----
const started = Date.now()
log(`side-by-side: ${selected.length} variants, warm-up ${WARMUP}s, ${PAIRS} pairs x ${DURATION}s, ${CONNECTIONS} connections, pinned=${PIN}, statsd receiver 127.0.0.1:${STATSD_PORT} (rcvbuf ${RECV_BUF} B)`)
const blocks = []
for (const [n, v] of selected.entries()) {
  await waitIdle()
  const base = BASES[v.base]
  const bare = await startServer(base.id, BASE_PORT + 2 * n, base)
  const udpBefore = { ...udp }
  const x = await startServer(v.id, BASE_PORT + 2 * n + 1, v)
  const block = { variant: v, base, bare: [], x: [], requestsToX: 0 }
  try {
    await measure(bare, WARMUP)
    const wx = await measure(x, WARMUP)
    block.requestsToX += wx.requests
    for (let i = 0; i < PAIRS; i++) {
      const b = await measure(bare, DURATION)
      const r = await measure(x, DURATION)
      block.bare.push(b)
      block.x.push(r)
      block.requestsToX += r.requests
      log(`${v.id} pair ${i + 1}/${PAIRS}: bare ${b.rps.toFixed(0)} req/s ${b.cpuUsPerReq.toFixed(1)} µs | x ${r.rps.toFixed(0)} req/s ${r.cpuUsPerReq.toFixed(1)} µs p99 ${b.p99}/${r.p99} ms`)
    }
  } finally {
    await stopServer(x)
    await stopServer(bare)
  }
  block.served = x.served
  if (v.vigie) {
    await new Promise((resolve) => setTimeout(resolve, 500)) // last datagrams after close()
    block.udp = {
      datagrams: udp.datagrams - udpBefore.datagrams,
      lines: udp.lines - udpBefore.lines,
      counted: udp.counted - udpBefore.counted,
      bytes: udp.bytes - udpBefore.bytes,
    }
  }
  const errs = block.x.concat(block.bare).reduce((a, r) => a + r.errors + r.timeouts + r.non2xx, 0)
  if (errs) log(`${v.id}: ${errs} errors/timeouts/non-2xx responses`)
  blocks.push(block)
}
receiver.close()
const elapsed = (Date.now() - started) / 1000

// ---- summary ----
const rows = []
const summarize = (ms) => ({ rps: median(ms.map((m) => m.rps)), p99: median(ms.map((m) => m.p99)), cpu: median(ms.map((m) => m.cpuUsPerReq)) })
for (const b of blocks) {
  const x = summarize(b.x)
  const bare = summarize(b.bare)
  b.summary = {
    ...x,
    bare,
    ratio: x.rps / bare.rps,
    pairRatio: median(b.x.map((r, i) => r.rps / b.bare[i].rps)),
    addedP99: x.p99 / bare.p99 - 1,
    addedUs: median(b.x.map((r, i) => r.cpuUsPerReq - b.bare[i].cpuUsPerReq)),
  }
}
// Per framework: its bare rows (logger off, then on), then each variant's rows, twins beside.
for (const framework of ['fastify', 'express']) {
  for (const baseKey of [framework, `${framework}-log`]) {
    const bs = blocks.filter((b) => b.variant.base === baseKey)
    if (!bs.length) continue
    const all = summarize(bs.flatMap((b) => b.bare))
    rows.push({ label: BASES[baseKey].label, rps: all.rps, ratio: 1, p99: all.p99, addedP99: 0, cpu: all.cpu, addedUs: 0, isBase: true })
  }
  for (const b of blocks.filter((x) => frameworkOf(x.variant.base) === framework)) rows.push({ label: b.variant.label, id: b.variant.id, ...b.summary })
}
// vigie's CPU over the ALS floor with the same logger.
const FLOORS = { 'fastify-vigie': 'fastify-als', 'fastify-vigie-log': 'fastify-als-log', 'fastify-vigie-lopts-log': 'fastify-als-log' }
const aboveFloorOf = (id) => {
  const x = blocks.find((b) => b.variant.id === id)
  const floor = blocks.find((b) => b.variant.id === FLOORS[id])
  return x && floor ? x.summary.addedUs - floor.summary.addedUs : null
}
const als = blocks.find((b) => b.variant.id === 'fastify-als')
const fv = blocks.find((b) => b.variant.id === 'fastify-vigie')
const aboveFloor = aboveFloorOf('fastify-vigie')

const f0 = (x) => Math.round(x).toLocaleString('en-US')
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a')
const f2 = (x) => x.toFixed(2)
const pct = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(0)} %`
const us = (x) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`

let table = '| Variant | req/s (median) | × bare (same logger) | p99 ms (median) | added p99 | server CPU µs/req | added µs vs bare | added µs vs ALS floor |\n'
table += '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for (const r of rows) {
  const above = r.id in FLOORS ? aboveFloorOf(r.id) : null
  const floor = above !== null ? us(above) : ''
  table += `| ${r.isBase ? `**${r.label}**` : r.label} | ${f0(r.rps)} | ${r.isBase ? '1.00' : f2(r.ratio)} | ${f1(r.p99)} | ${r.isBase ? '' : pct(r.addedP99)} | ${f1(r.cpu)} | ${r.isBase ? '' : us(r.addedUs)} | ${floor} |\n`
}
process.stdout.write('\n' + table + '\n')

// vigie against the same app without it, logger off and on, checked against the targets. A miss
// is reported, never an exit code: this is a report.
const nodeMajor = Number(process.versions.node.split('.')[0])
const targetsHeld = TARGET_NODES.includes(nodeMajor)
let targets = '| vigie row | logger | req/s without vigie | req/s with vigie | vigie ÷ without | target | verdict |\n'
targets += '| --- | --- | ---: | ---: | ---: | ---: | --- |\n'
for (const b of blocks.filter((x) => x.variant.vigie)) {
  const min = TARGETS[b.variant.id]
  const met = b.summary.ratio >= min ? 'PASS' : 'MISS'
  const verdict = min === undefined ? '' : targetsHeld ? met : `(${met})`
  const logger = !b.variant.logger ? 'off' : b.variant.base === 'express-log' ? 'pino-http' : 'Fastify'
  targets += `| ${b.variant.id} | ${logger}${b.variant.env?.BENCH_LOGGER_OPTIONS === '1' ? ', `loggerOptions()`' : ''} | ${f0(b.summary.bare.rps)} | ${f0(b.summary.rps)} | ${f2(b.summary.ratio)} | ${min === undefined ? '' : `≥ ${f2(min)}`} | ${verdict} |\n`
}
const targetNote = targetsHeld
  ? `Node ${process.version}: the targets apply to this Node version.`
  : `Node ${process.version}: the targets are for Node ${TARGET_NODES.join(' and ')}; verdicts in parentheses are reported beside them, not held to them.`
if (blocks.some((x) => x.variant.vigie)) process.stdout.write(`${targets}\n${targetNote}\n\n`)

const udpLines = []
for (const b of blocks.filter((x) => x.udp)) {
  const loss = b.served > 0 ? 1 - b.udp.counted / b.served : NaN
  udpLines.push(`| ${b.variant.label} | ${f0(b.served)} | ${f0(b.udp.counted)} | ${f0(b.udp.datagrams)} | ${f0(b.udp.lines)} | ${(loss * 100).toFixed(2)} % |`)
  log(`${b.variant.id}: served ${b.served}, http_request counts received ${b.udp.counted} in ${b.udp.datagrams} datagrams (${b.udp.lines} lines), loss ${(loss * 100).toFixed(2)} %`)
}

const raw = blocks.map((b) => {
  const line = (ms) => ms.map((m) => `${f0(m.rps)}/${m.p99}/${f1(m.cpuUsPerReq)}`).join(', ')
  return `- ${b.variant.id}: bare [${line(b.bare)}]; variant [${line(b.x)}]`
}).join('\n')

if (OUT !== '-') {
  const cpuModel = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || os.cpus()[0]?.model || 'unknown'
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
  const partial = only ? `\n> Partial run: only ${selected.map((v) => v.id).join(', ')} (BENCH_VARIANTS).\n` : ''
  const cmp = (a, b) => (a < b ? 'below' : 'above')
  const peers = blocks.filter((b) => !b.variant.vigie && b.variant.id !== 'fastify-als')
  const fastPeers = peers.filter((b) => b.variant.base === 'fastify')
  const reading = []
  if (fv) {
    reading.push(`Fastify + vigie with everything on serves ${f2(fv.summary.ratio)}× bare Fastify's requests per second (target ≥ 0.90×, stretch 0.95×), adds ${pct(fv.summary.addedP99)} to p99 (target ≤ +10 %) and costs ${us(fv.summary.addedUs)} µs of server CPU per request over bare Fastify's ${f1(fv.summary.bare.cpu)} µs.`)
    if (aboveFloor !== null) reading.push(`The AsyncLocalStorage floor alone costs ${us(als.summary.addedUs)} µs, so vigie costs ${us(aboveFloor)} µs above it (target ≤ 3 µs${aboveFloor <= 3 ? ': met' : `: missed by ${(aboveFloor - 3).toFixed(1)} µs`}).`)
    if (fastPeers.length) {
      const cheapest = fastPeers.reduce((a, b) => (a.summary.addedUs < b.summary.addedUs ? a : b))
      reading.push(`The cheapest Fastify peer in this run is ${cheapest.variant.label.replace('Fastify + ', '')} at ${us(cheapest.summary.addedUs)} µs (${f2(cheapest.summary.ratio)}×): vigie is ${cmp(fv.summary.addedUs, cheapest.summary.addedUs)} it.`)
    }
  }
  const ev = blocks.find((b) => b.variant.id === 'express-vigie')
  if (ev) reading.push(`Express 5 + vigie serves ${f2(ev.summary.ratio)}× bare Express (target ≥ 0.95×) for ${us(ev.summary.addedUs)} µs per request over Express's ${f1(ev.summary.bare.cpu)} µs.`)
  const noContext = ['fastify-vigie-noctx', 'express-vigie-noctx'].map((id) => blocks.find((b) => b.variant.id === id)).filter(Boolean)
  if (noContext.length) reading.push(`Without async context (\`asyncContext: false\`: no \`correlationId()\`, no propagation): ${noContext.map((b) => `${b.variant.base === 'fastify' ? 'Fastify' : 'Express 5'} + vigie ${us(b.summary.addedUs)} µs, ${f2(b.summary.ratio)}×`).join('; ')}.`)
  // The measured analysis below the table is kept in analysis.md, edited by hand, not by a run.
  const analysis = fs.readFileSync(path.join(here, 'analysis.md'), 'utf8')
  const doc = `# Benchmarks

What vigie costs a server, measured side by side with the tools people use instead of it, in one
run on one machine. The table below is the output of one run of \`npm run bench\`; it is rewritten
by each run. The sections from "Where vigie's cost goes" to "Micro-benchmarks" are kept by hand
in \`bench/side-by-side/analysis.md\`, which each run copies in: edit them there.
${partial}
## Results

${selected.length} variants, ${CONNECTIONS} connections, warm-up ${WARMUP} s per server, ${PAIRS}
interleaved pairs of ${DURATION} s per variant (run took ${Math.round(elapsed / 60)} min). Every figure
is a median over the pairs. "× bare" is the variant's median req/s over the median req/s of the
bare server it was paired with; "added µs" is the median over the pairs of (variant − paired bare)
server CPU per request. Bare rows are the medians of every bare measurement of that framework
with that logger. A "logger on" row (\`…, logger on\`, \`… + pino-http\`) is paired with the bare
server of its framework with the same logger: see [Logger on](#logger-on).

${table}
### vigie against the same app without it

Medians of req/s; "without vigie" is the bare server of the same pairs, with the same logger.
Targets: Fastify + vigie ≥ 0.90×, Express 5 + vigie ≥ 0.95×, logger off and on, on Node 24 and 26.

${targets}
${targetNote}

### Logger on

The logger is the normal case in production, so every variant but \`logger: true\` (which is
Fastify's logger alone) has a "logger on" twin (id \`<variant>-log\`, \`BENCH_LOGGER=1\` in its
server): Fastify's logger at level info, or pino-http's middleware (its defaults) on Express,
writing to \`pino.destination({ dest: '/dev/null', sync: false })\`, and one
\`request.log.info({ userId }, 'loading user')\` (\`req.log\` on Express) in the handler. Each
Fastify request then writes three lines ("incoming request", the handler's, "request
completed"), each Express request two (pino-http writes no "incoming request" line by default).
The destination is the SonicBoom stream Fastify's \`logger: true\` writes stdout through, with only
the file descriptor changed: lines are serialised, buffered and written with real system calls,
and only the kernel's sink is free. vigie's twins come in two forms: the same logger options as
the bare twin, and those options passed through vigie's \`loggerOptions()\`
(\`-lopts-log\`), as vigie's docs tell users to. On Express, vigie is mounted first and pino-http
after it, and pino-http's logger is also vigie's \`logger\`.

### Reading the numbers

Server CPU per request is the figure to read first: the load generator has one core and
saturates near the bare server's throughput, so a cheap plugin barely moves req/s, while every
microsecond of CPU it adds is capacity a loaded production server loses. ${reading.join(' ')}
The ALS row is bare Fastify plus one \`AsyncLocalStorage.run\` per request and nothing else: the
price of per-request async context on Node ${process.versions.node.split('.')[0]} (promise hooks), which any tool that
offers a correlation ID anywhere in the request's async chain pays. Medians of ${PAIRS} pairs on a
shared 2-core virtual machine move by a few percent between runs; differences of 1–2 µs are at
the edge of what one run resolves (the kernel accounts CPU time in ${1000 / CLK_TCK} ms ticks). autocannon
reports latency in whole milliseconds, so at a 3–4 ms p99 one step reads as ±25–33 %; "added p99"
compares with the bare server of the same pairs, whose median can differ from the bare row.

### The other measures: \`bench/plugin-cpu.mjs\` and \`bench/plugin-instructions.mjs\`

\`node bench/plugin-cpu.mjs\` measures the same route another way: every server (bare, ALS floor,
vigie; Fastify and Express) stays up for the whole run, the load is a Node \`http.get\` loop at 32
connections, and the variants take turns in short bursts, each compared with its baseline
within the same round. Its figures are lower than this table's and grow when the machine is
busy; why the two differ (50 autocannon connections against 32, a server slowed enough to
process fewer requests per event-loop turn, the 5-second pairs) is not settled, and the table
above is kept as it came out.

\`node bench/plugin-instructions.mjs\` counts instructions per request instead, with valgrind's
callgrind, for the same servers: a count the machine's load does not change (the same build
counted twice differs by well under 1 %), which is how changes worth a microsecond are judged
here. It is not time (cache misses and system calls are not in it). The latest counts are in
[bench/README.md](README.md#per-request-instructions).

${analysis}
### Metrics delivered

vigie sends to a real UDP socket bound by the runner (receive buffer ${f0(RECV_BUF)} B), with
its defaults (\`maxBufferSize\` 8192 on loopback, sample rate 1). Served = requests the vigie server
answered over its whole life (warm-up included); received = \`http_request:1|c\` lines that
arrived, after the server's \`close()\` flushed its buffer.

| Variant | requests served | http_request counts received | datagrams | metric lines | loss |
| --- | ---: | ---: | ---: | ---: | ---: |
${udpLines.join('\n')}

## How to reproduce

\`\`\`sh
npm ci
npm run bench          # builds dist/, installs bench/'s own dependencies, runs this
\`\`\`

\`npm run bench\` is \`npm run build && npm --prefix bench ci --no-audit --no-fund && node
bench/side-by-side/run.mjs\`. The peers (Fastify, fastify-metrics, @fastify/otel, the OpenTelemetry
SDK, dd-trace, Express 5, express-prom-bundle, prom-client, pino, pino-http) and autocannon are pinned in
\`bench/package.json\` and installed under \`bench/node_modules\`, never in the project's own
dependencies. Environment knobs:

| Variable | Default | Meaning |
| --- | --- | --- |
| \`BENCH_DURATION\` | \`5\` | Seconds per measurement. |
| \`BENCH_WARMUP\` | \`3\` | Seconds of warm-up load per server before the pairs. |
| \`BENCH_PAIRS\` | \`5\` | Interleaved (bare, variant) pairs per variant. |
| \`BENCH_CONNECTIONS\` | \`50\` | autocannon connections. |
| \`BENCH_VARIANTS\` | all | Comma-separated ids: ${VARIANTS.map((v) => `\`${v.id}\``).join(', ')}. |
| \`BENCH_OUT\` | \`bench/RESULTS.md\` | Where to write this page; \`-\` to only print the table. |
| \`BENCH_LOGGING\` | \`both\` | \`off\`: only the logger-off rows; \`on\`: only their [logger-on](#logger-on) twins. |
| \`BENCH_TICK_PIN\` | \`1\` | \`0\` starts the servers without \`bench/lib/pin-tick-object.mjs\` ([why](#nodes-tick-object-lottery-and-why-every-server-here-preloads-a-pin)). |

With the defaults a run takes about 25 minutes (about 12 with \`BENCH_LOGGING=off\`).

## Machine

| | |
| --- | --- |
| CPU | ${cpuModel}, ${CORES} cores |
| Node.js | ${process.version} |
| OS | ${os.type()} ${os.release()} |
| Date | ${date} |
| Pinning | ${PIN ? 'server on core 0 (`taskset -c 0`), load generator and runner on core 1' : 'none (no `taskset` or fewer than 2 cores)'} |

## Method

- One server file per variant in \`bench/side-by-side/\`, each serving \`GET /users/:id\` with a
  small JSON object on 127.0.0.1. For each variant the runner starts the bare server of the same
  framework and the variant, warms each up, then alternates: bare, variant, bare, variant … for
  ${PAIRS} pairs, so drift on the machine hits both sides of a pair alike.
- Every server process starts with ${TICK_PIN ? '`--import bench/lib/pin-tick-object.mjs` ([see above](#nodes-tick-object-lottery-and-why-every-server-here-preloads-a-pin))' : 'no tick-object pin (`BENCH_TICK_PIN=0`): any row may have drawn [the lottery](#nodes-tick-object-lottery-and-why-every-server-here-preloads-a-pin)'}.
- Before each variant the runner waits for the machine to be idle (under 15 % CPU over 1 s)${waited.length ? ` — ${waited.length} time(s) in this run it was not after ${IDLE_WAIT} s, so those figures share the machine` : ''}.
- Load: autocannon (programmatic API) in a separate process (\`load.mjs\`), ${CONNECTIONS}
  connections, no pipelining, one URL (\`/users/42\`), no \`x-request-id\` sent, so vigie makes a
  UUID v7 per request.
- Server CPU per request: the server process's \`utime + stime\` from \`/proc/<pid>/stat\`, read
  when the load starts and when it ends, divided by the requests autocannon completed.
- p99: autocannon's latency histogram, in ms.
- Variants:
  - vigie (Fastify): \`register(observability, { statsd: { host, port, prefix } })\` from
    \`dist/esm/index.js\`: correlation ID, request metrics over UDP to the runner's receiver,
    exception capture armed, propagation on, all at their defaults. No Fastify logger, as in the
    bare server (no exception is thrown, so capture writes nothing); the \`-log\` twins have the
    bare twin's logger ([Logger on](#logger-on)).
  - vigie (Express): \`expressObservability({ statsd })\` and \`expressErrorHandler()\`.
  - ALS floor: an \`onRequest\` hook calling \`als.run({ id: request.id }, done)\`.
  - fastify-metrics: registered with its defaults (route histogram and summary, prom-client).
  - \`logger: true\`: \`{ level: 'info', stream: fs.createWriteStream('/dev/null') }\`, two pino lines
    per request, against bare Fastify with its logger off (no twin: it is the logger).
  - Logger on (the \`-log\` rows): see [Logger on](#logger-on).
  - @fastify/otel: \`NodeTracerProvider\` with no span processor, registered globally (async-hooks
    context manager), and \`FastifyOtelInstrumentation\`'s plugin: spans are recorded and dropped.
  - dd-trace: the bare server started with \`--import dd-trace/initialize.mjs\`,
    \`DD_TRACE_AGENT_URL=http://127.0.0.1:1\` (no agent), telemetry, remote configuration and
    startup logs off. Its failed flushes to the absent agent are part of what it costs.
  - express-prom-bundle: \`{ includeMethod, includePath, includeStatusCode }\`.

<details><summary>Raw measurements (req/s / p99 ms / CPU µs per request)</summary>

${raw}

</details>
`
  fs.writeFileSync(OUT, doc)
  log(`wrote ${path.relative(process.cwd(), OUT)} (${elapsed.toFixed(0)} s)`)
}
