// Per-request server CPU of vigie, in µs: `GET /users/:id` served by each variant (Fastify or
// Express, bare, with one AsyncLocalStorage run per request, with vigie) in its own process, loaded
// over keep-alive sockets by a separate load process, the server's CPU read with
// process.cpuUsage() around each burst of measured requests. Imports the built package (run
// `npm run build` first). Writes nothing but the table on stdout.
//
//   node bench/plugin-cpu.mjs            11 interleaved rounds of 10,000 requests per variant (about 2 minutes)
//   node bench/plugin-cpu.mjs --quick    3 short rounds, for a smoke test
//   node bench/plugin-cpu.mjs --rounds=21 --requests=5000 --connections=50
//   VARIANTS=bare,als,vigie,express-bare,express-als,express-vigie node bench/plugin-cpu.mjs
//   node bench/plugin-cpu.mjs --quick --cpu-prof-dir=/tmp/prof    also writes each server's --cpu-prof profile there
//   node bench/plugin-cpu.mjs --no-tick-pin  servers without bench/lib/pin-tick-object.mjs (see there)
//   BENCH_AWAITS=10 node bench/plugin-cpu.mjs  the Fastify handler awaits 10 times before it answers
//   VARIANTS=bare-log,vigie-log,vigie-lopts-log,express-bare-log,express-vigie-log node bench/plugin-cpu.mjs
//                                        "logger on" twins: any variant with `-log` (before `-baseline`) logs at
//                                        level info to /dev/null (Fastify's logger; pino-http on Express) and its
//                                        handler writes one line per request (bench/lib/logger-on.mjs);
//                                        `vigie-lopts-log` / `express-vigie-lopts-log` build the logger from loggerOptions()
//   VARIANTS=express-als,express-vigie,express-vigie-baseline node bench/plugin-cpu.mjs --baseline=bench/.baseline/dist
//                                        compares this build with another (a `-baseline` variant of any vigie one)
//
// Why one process per variant: on Node 20 the first AsyncLocalStorage.run() enables async hooks
// for the whole process, for good; a bare app measured after it would pay them. Every server
// stays up for the whole run and the variants take turns in short bursts: the machine's speed
// drifts (a shared host), and bursts seconds apart see the same machine, so each variant is
// compared with its baseline round by round. Each vigie server sends to its own StatsD UDP
// receiver in this process (receiving costs the measured server nothing), so that delivery is
// checked per variant; `load` drives requests; `server <variant>` serves them.

import { execFileSync, fork } from 'node:child_process'
import { AsyncLocalStorage } from 'node:async_hooks'
import dgram from 'node:dgram'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ask } from './lib/ipc.mjs'
import { tickPinFlags } from './lib/tick-pin.mjs'
import { baseOf, parseVariant } from './lib/variant-names.mjs'

const SELF = fileURLToPath(import.meta.url)
const VARIANTS = (process.env.VARIANTS ?? 'bare,als,vigie,vigie-min,vigie-noctx,express-bare,express-als,express-vigie,express-vigie-noctx').split(',')
const LABELS = {
  bare: 'bare Fastify',
  als: 'Fastify + 1 ALS run/request (floor)',
  vigie: 'Fastify + vigie, everything on',
  'vigie-noprop': 'Fastify + vigie, propagation: false',
  'vigie-noagg': 'Fastify + vigie, aggregation: false',
  'vigie-noproc': 'Fastify + vigie, processMetrics: false',
  'vigie-min': 'Fastify + vigie, ID + request metrics only',
  'vigie-noctx': 'Fastify + vigie, asyncContext: false',
  'express-bare': 'bare Express',
  'express-als': 'Express + 1 ALS run/request',
  'express-vigie': 'Express + vigie, everything on',
  'express-vigie-noctx': 'Express + vigie, asyncContext: false',
  'vigie-lopts': 'Fastify + vigie, loggerOptions()',
  'express-vigie-lopts': 'Express + vigie, loggerOptions()',
}
const CONCURRENCY = Number(process.argv.find((a) => a.startsWith('--connections='))?.slice('--connections='.length) ?? 32) // requests in flight, over as many keep-alive sockets

/** Pins a process to one core with taskset, when there is one and at least 2 cores; false otherwise. */
function pin (pid, core) {
  if (os.cpus().length < 2) return false
  try {
    execFileSync('taskset', ['-pc', String(core), String(pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : Number(found.slice(name.length + 3))
}

const role = process.argv[2]
if (role === 'server') await server(process.argv[3], Number(process.argv[4]))
else if (role === 'load') load()
else await orchestrate()

// ---------------------------------------------------------------------------------------------

async function server (variant, statsdPort) {
  if (variant.startsWith('express')) return expressServer(variant, statsdPort)
  const { default: Fastify } = await import('fastify')
  const { kind, logged } = parseVariant(variant)
  const logging = logged ? await import('./lib/logger-on.mjs') : null
  const vigieModule = kind.startsWith('vigie') ? await importVigie(variant) : null
  const app = Fastify({ logger: logged ? logging.fastifyLogger(logging.logDestination(), kind === 'vigie-lopts' ? vigieModule.loggerOptions : undefined) : false })
  variant = kind
  if (variant === 'als') {
    const als = new AsyncLocalStorage()
    app.addHook('onRequest', function alsOnRequest (request, _reply, done) {
      als.run({ id: request.id }, done)
    })
  } else if (variant.startsWith('vigie')) {
    const { observability } = vigieModule
    // statsd defaults kept: 8 KiB datagrams on loopback, flushed every second; capture armed.
    await app.register(observability, {
      statsd: { host: '127.0.0.1', port: statsdPort, prefix: 'bench.' },
      ...(variant === 'vigie-noprop' ? { propagation: false } : {}),
      ...(variant === 'vigie-noagg' ? { aggregation: false } : {}),
      ...(variant === 'vigie-noproc' ? { processMetrics: false } : {}),
      ...(variant === 'vigie-min' ? { processMetrics: false, aggregation: false, propagation: false } : {}),
      ...(variant === 'vigie-noctx' ? { asyncContext: false } : {}),
    })
  }
  const awaits = Number(process.env.BENCH_AWAITS ?? 0)
  app.get('/users/:id', async (request) => {
    // BENCH_AWAITS=n: a handler that waits n times, as one that queries a database would (each
    // await is a promise for Node 20's promise hooks, which async context pays for).
    for (let i = 0; i < awaits; i++) await Promise.resolve(i)
    if (logged) logging.handlerLine(request.log, request.params.id)
    return { id: Number(request.params.id), name: 'Ana Lima', email: 'ana@example.com', roles: ['user'] }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  serveMeasured(app.server.address().port, () => app.close()) // close flushes vigie's StatsD buffer
}

async function expressServer (variant, statsdPort) {
  const { default: express } = await import('express')
  const app = express()
  const { kind, logged } = parseVariant(variant)
  const vigieModule = kind.startsWith('express-vigie') ? await importVigie(variant) : null
  const logging = logged ? await import('./lib/logger-on.mjs') : null
  const httpLogger = logged ? logging.expressLogger(logging.logDestination(), kind === 'express-vigie-lopts' ? vigieModule.loggerOptions : undefined) : null
  variant = kind
  let close = async () => {}
  if (variant === 'express-als') {
    const als = new AsyncLocalStorage()
    app.use(function alsMiddleware (req, _res, next) { als.run({ url: req.url }, next) })
  } else if (variant.startsWith('express-vigie')) {
    const { expressObservability } = vigieModule
    const vigie = expressObservability({
      statsd: { host: '127.0.0.1', port: statsdPort, prefix: 'bench.' },
      ...(variant === 'express-vigie-noctx' ? { asyncContext: false } : {}),
      // With the logger on, the app's logger is vigie's too.
      ...(logged ? { logger: httpLogger.logger } : {}),
    })
    app.use(vigie)
    close = () => vigie.close()
  }
  // After vigie (docs/express.md: vigie first), as an app would mount it.
  if (logged) app.use(httpLogger)
  app.get('/users/:id', (req, res) => {
    if (logged) logging.handlerLine(req.log, req.params.id)
    res.json({ id: Number(req.params.id), name: 'Ana Lima', email: 'ana@example.com', roles: ['user'] })
  })
  const server = app.listen(0, '127.0.0.1')
  // Fastify's keep-alive timeout (72 s) rather than Node's 5 s: under callgrind on a busy machine
  // the event loop can stall longer than 5 s, and the timer then closes a kept-alive socket whose
  // next request it has not read yet (the load sees ECONNRESET). Nothing per request changes.
  server.keepAliveTimeout = 72_000
  await new Promise((resolve) => server.once('listening', resolve))
  serveMeasured(server.address().port, async () => { await close(); server.closeAllConnections(); server.close() })
}

/**
 * The built vigie: this checkout's, or for a `-baseline` variant the build given by
 * `--baseline=<dist dir>` (a copy of another commit's dist/ inside this repository, so that it
 * resolves the same node_modules), to compare two builds in one run.
 */
function importVigie (variant) {
  if (!variant.endsWith('-baseline')) return import('../dist/esm/index.js')
  const dir = process.env.VIGIE_BENCH_BASELINE // set from --baseline by the orchestrator
  if (dir === undefined) throw new Error(`${variant} needs --baseline=<dist dir>`)
  return import(pathToFileURL(path.resolve(dir, 'esm/index.js')).href)
}

/** Answers the orchestrator: CPU used between 'start' and 'stop'. */
function serveMeasured (port, close) {
  let start = null
  process.on('message', async (msg) => {
    if (msg === 'start') {
      start = process.cpuUsage()
      process.send({ started: true })
    } else if (msg === 'stop') {
      const used = process.cpuUsage(start)
      process.send({ cpuUs: used.user + used.system, userUs: used.user, systemUs: used.system })
    } else if (msg === 'close') {
      await close()
      process.send({ closed: true }, () => process.exit(0))
    }
  })
  process.send({ port })
}

// ---------------------------------------------------------------------------------------------

function load () {
  const agents = new Map()
  process.on('message', ({ port, requests, close }) => {
    if (close) {
      agents.get(port)?.destroy()
      agents.delete(port)
      process.send({ closed: true })
      return
    }
    let agent = agents.get(port)
    if (agent === undefined) agents.set(port, agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY }))
    let issued = 0
    let finished = 0
    let failed = 0
    const t0 = process.hrtime.bigint()
    const next = () => {
      if (issued === requests) return
      const id = issued++ % 1000
      http.get({ agent, host: '127.0.0.1', port, path: `/users/${id}` }, (res) => {
        if (res.statusCode !== 200) failed++
        res.resume()
        res.on('end', () => {
          if (++finished === requests) {
            process.send({ done: true, failed, seconds: Number(process.hrtime.bigint() - t0) / 1e9 })
          } else next()
        })
      }).on('error', () => { failed++; if (++finished === requests) process.send({ done: true, failed, seconds: 0 }); else next() })
    }
    for (let c = 0; c < Math.min(CONCURRENCY, requests); c++) next()
  })
}

// ---------------------------------------------------------------------------------------------

async function orchestrate () {
  const quick = process.argv.includes('--quick')
  const rounds = arg('rounds', quick ? 3 : 11)
  const requests = arg('requests', quick ? 3000 : 10000)
  const warmup = arg('warmup', quick ? 2000 : 5000)
  const profileDir = process.argv.find((a) => a.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length)
  const baseline = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length)
  const tickPin = !process.argv.includes('--no-tick-pin')
  if (baseline !== undefined) process.env.VIGIE_BENCH_BASELINE = path.resolve(baseline)

  // The servers on core 0 (one of them busy at a time); this process, the StatsD receivers
  // and the load on core 1.
  const pinned = pin(process.pid, 1)
  const loader = fork(SELF, ['load', `--connections=${CONCURRENCY}`], { stdio: 'inherit' })
  const servers = []
  for (const variant of VARIANTS) {
    const receiver = await startReceiver() // one per variant: delivery is counted apart
    const srv = fork(SELF, ['server', variant, String(receiver.port)], { stdio: 'inherit', execArgv: [...tickPinFlags(tickPin), ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${variant}.cpuprofile`])] })
    if (pinned) pin(srv.pid, 0)
    const { port } = await ask(srv, undefined, (m) => m.port !== undefined)
    servers.push({ variant, srv, port, receiver, served: 0, cpu: [], user: [], rate: [] })
  }
  for (const server of servers) await burst(loader, server, warmup)

  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < servers.length; k++) {
      const server = servers[(k + round) % servers.length] // rotated, so no variant always runs first
      await ask(server.srv, 'start', (m) => m.started)
      const run = await burst(loader, server, requests)
      const { cpuUs, userUs } = await ask(server.srv, 'stop', (m) => m.cpuUs !== undefined)
      server.cpu.push(cpuUs / requests)
      server.user.push(userUs / requests)
      server.rate.push(requests / run.seconds)
    }
  }
  for (const server of servers) {
    await ask(loader, { port: server.port, close: true }, (m) => m.closed)
    await ask(server.srv, 'close', (m) => m.closed) // vigie flushes its StatsD buffer on close
  }
  loader.kill()
  await new Promise((resolve) => setTimeout(resolve, 200))
  for (const server of servers) server.receiver.close()

  const byVariant = Object.fromEntries(servers.map((server) => [server.variant, server]))
  // Each row is compared with the bare app and the ALS floor of its own framework, when measured:
  // the median of the per-round differences, each taken within seconds of each other.
  const pairedDiff = (server, kind) => {
    const base = byVariant[baseOf(server.variant, kind)]
    if (base === undefined || base === server) return ''
    const d = median(server.cpu.map((x, i) => x - base.cpu[i]))
    return (d >= 0 ? '+' : '') + d.toFixed(1)
  }
  const cpu = os.cpus()
  const version = async (name) => (await import(`${name}/package.json`, { with: { type: 'json' } })).default.version
  console.log(`vigie plugin CPU bench — ${cpu[0].model}, ${cpu.length} cpus, Node ${process.version}, Fastify ${await version('fastify')}, Express ${await version('express')}`)
  console.log(`GET /users/:id, ${rounds} interleaved rounds × ${requests} requests per variant (after ${warmup} warm-up), ${CONCURRENCY} keep-alive connections; ${pinned ? 'servers pinned to core 0, load to core 1' : 'not pinned (no taskset or 1 core)'}; medians`)
  console.log('')
  console.log(`${'variant'.padEnd(40)}${'µs/req'.padStart(8)}${'vs bare'.padStart(9)}${'vs ALS'.padStart(8)}${'user'.padStart(7)}${'req/s'.padStart(8)}   per-round µs/req`)
  for (const server of servers) {
    console.log(`${labelOf(server.variant).padEnd(40)}${median(server.cpu).toFixed(1).padStart(8)}${pairedDiff(server, 'bare').padStart(9)}${pairedDiff(server, 'als').padStart(8)}${median(server.user).toFixed(1).padStart(7)}${Math.round(median(server.rate)).toString().padStart(8)}   ${server.cpu.map((x) => x.toFixed(1)).join(' ')}`)
  }
  console.log('')
  console.log('µs/req = server process CPU (user+system) ÷ requests, user = its user-space part; vs bare / vs ALS = median of the')
  console.log('per-round differences with the bare app / the ALS floor of the same framework; req/s is bounded by the load process here')
  const delivery = servers.filter((server) => server.variant.includes('vigie'))
    .map((server) => `${server.variant} ${server.receiver.lines}/${2 * server.served} lines in ${server.receiver.datagrams} datagrams (${(server.receiver.datagrams / server.served).toFixed(3)}/request)`)
  console.log(`StatsD request lines received / expected (2 per request served, sample rate 1): ${delivery.join('; ')}`)
}

function labelOf (variant) {
  const { kind, logged } = parseVariant(variant)
  const logger = !logged ? '' : kind.startsWith('express') ? ' + pino-http' : ', logger on'
  return (LABELS[kind] ?? kind) + logger + (variant.endsWith('-baseline') ? ', baseline build' : '')
}

/** Runs `requests` requests against one server; resolves with the load process's report. */
async function burst (loader, server, requests) {
  const run = await ask(loader, { port: server.port, requests }, (m) => m.done)
  if (run.failed > 0) throw new Error(`${server.variant}: ${run.failed} requests failed`)
  server.served += requests
  return run
}

/** A StatsD receiver on a free UDP port: counts datagrams and request metric lines (not the process gauges). */
async function startReceiver () {
  const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20 })
  const receiver = { port: 0, datagrams: 0, lines: 0, close: () => udp.close() }
  udp.on('message', (buf) => {
    receiver.datagrams++
    for (const line of buf.toString('utf8').split('\n')) if (line.startsWith('bench.http_request')) receiver.lines++
  })
  await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve))
  receiver.port = udp.address().port
  return receiver
}

function median (xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
