// Per-request server CPU of the Fastify plugin, in µs: `GET /users/:id` served by each variant
// in its own process, loaded over keep-alive sockets by a separate load process, the server's
// CPU read with process.cpuUsage() around the measured requests only. Imports the built package
// (run `npm run build` first). Writes nothing but the table on stdout.
//
//   node bench/plugin-cpu.mjs            5 interleaved rounds (about a minute)
//   node bench/plugin-cpu.mjs --quick    2 short rounds, for a smoke test
//   node bench/plugin-cpu.mjs --rounds=9 --requests=40000
//   node bench/plugin-cpu.mjs --quick --cpu-prof-dir=/tmp/prof    also writes each server's --cpu-prof profile there
//
// Why one process per variant and round: on Node 20 the first AsyncLocalStorage.run() enables
// async hooks for the whole process, for good; a bare Fastify measured after it would pay them.
// Process layout: this orchestrator also hosts the StatsD UDP receiver (so receiving datagrams
// costs the measured server nothing); `load` drives requests; `server <variant>` serves them.

import { fork } from 'node:child_process'
import { AsyncLocalStorage } from 'node:async_hooks'
import dgram from 'node:dgram'
import http from 'node:http'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { ask } from './lib/ipc.mjs'

const SELF = fileURLToPath(import.meta.url)
const VARIANTS = ['bare', 'als', 'vigie', 'vigie-noprop', 'vigie-noagg']
const LABELS = {
  bare: 'bare Fastify',
  als: 'Fastify + 1 ALS run/request (floor)',
  vigie: 'Fastify + vigie, everything on',
  'vigie-noprop': 'Fastify + vigie, propagation: false',
  'vigie-noagg': 'Fastify + vigie, aggregation: false',
}
const CONCURRENCY = 32 // requests in flight, over as many keep-alive sockets

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
  const { default: Fastify } = await import('fastify')
  const app = Fastify({ logger: false })
  if (variant === 'als') {
    const als = new AsyncLocalStorage()
    app.addHook('onRequest', function alsOnRequest (request, _reply, done) {
      als.run({ id: request.id }, done)
    })
  } else if (variant.startsWith('vigie')) {
    const { observability } = await import('../dist/esm/index.js')
    // statsd defaults kept: maxBufferSize 1400 (buffered), flush every second; capture armed.
    await app.register(observability, {
      statsd: { host: '127.0.0.1', port: statsdPort, prefix: 'bench.' },
      ...(variant === 'vigie-noprop' ? { propagation: false } : {}),
      ...(variant === 'vigie-noagg' ? { aggregation: false } : {}),
    })
  }
  app.get('/users/:id', async (request) => ({ id: Number(request.params.id), name: 'Ana Lima', email: 'ana@example.com', roles: ['user'] }))
  await app.listen({ host: '127.0.0.1', port: 0 })

  let start = null
  process.on('message', async (msg) => {
    if (msg === 'start') {
      start = process.cpuUsage()
      process.send({ started: true })
    } else if (msg === 'stop') {
      const used = process.cpuUsage(start)
      await app.close() // flushes vigie's StatsD buffer
      process.send({ cpuUs: used.user + used.system, userUs: used.user, systemUs: used.system }, () => process.exit(0))
    }
  })
  process.send({ port: app.server.address().port })
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
  const rounds = arg('rounds', quick ? 2 : 5)
  const requests = arg('requests', quick ? 5000 : 20000)
  const warmup = arg('warmup', quick ? 1000 : 3000)
  const profileDir = process.argv.find((a) => a.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length)

  // StatsD receiver: counts datagrams and metric lines (one line per metric, `\n`-separated).
  const udp = dgram.createSocket('udp4')
  const received = { datagrams: 0, lines: 0 }
  udp.on('message', (buf) => {
    received.datagrams++
    for (let i = 0; i < buf.length; i++) if (buf[i] === 10) received.lines++
    if (buf.length > 0 && buf[buf.length - 1] !== 10) received.lines++
  })
  await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve))
  const statsdPort = udp.address().port

  const loader = fork(SELF, ['load'], { stdio: 'inherit' })
  const results = Object.fromEntries(VARIANTS.map((v) => [v, []]))
  const rates = Object.fromEntries(VARIANTS.map((v) => [v, []]))
  const lines = { vigie: [], 'vigie-noprop': [], 'vigie-noagg': [] }
  const datagrams = { vigie: [], 'vigie-noprop': [], 'vigie-noagg': [] }

  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const variant = VARIANTS[(k + round) % VARIANTS.length] // rotated, so no variant always runs first
      const srv = fork(SELF, ['server', variant, String(statsdPort)], { stdio: 'inherit', execArgv: profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${variant}-${round}.cpuprofile`] })
      const { port } = await ask(srv, undefined, (m) => m.port !== undefined)
      await ask(loader, { port, requests: warmup }, (m) => m.done)
      await new Promise((resolve) => setTimeout(resolve, 1100)) // let the warm-up's StatsD flush go by
      const linesBefore = received.lines
      const datagramsBefore = received.datagrams
      await ask(srv, 'start', (m) => m.started)
      const run = await ask(loader, { port, requests }, (m) => m.done)
      const { cpuUs } = await ask(srv, 'stop', (m) => m.cpuUs !== undefined)
      await ask(loader, { port, close: true }, (m) => m.closed)
      if (run.failed > 0) throw new Error(`${variant}: ${run.failed} requests failed`)
      results[variant].push(cpuUs / requests)
      rates[variant].push(requests / run.seconds)
      if (variant in lines) {
        await new Promise((resolve) => setTimeout(resolve, 100)) // datagrams flushed on close
        lines[variant].push(received.lines - linesBefore)
        datagrams[variant].push(received.datagrams - datagramsBefore)
      }
    }
  }
  loader.kill()
  udp.close()

  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 }
  const bare = median(results.bare)
  const floor = median(results.als)
  const cpu = os.cpus()
  console.log(`vigie plugin CPU bench — ${cpu[0].model}, ${cpu.length} cpus, Node ${process.version}, Fastify ${(await import('fastify/package.json', { with: { type: 'json' } })).default.version}`)
  console.log(`GET /users/:id, ${rounds} interleaved rounds × ${requests} requests (after ${warmup} warm-up), ${CONCURRENCY} keep-alive connections; medians`)
  console.log('')
  console.log(`${'variant'.padEnd(38)}${'µs/req'.padStart(8)}${'vs bare'.padStart(9)}${'vs ALS'.padStart(8)}${'req/s'.padStart(8)}   per-round µs/req`)
  for (const v of VARIANTS) {
    const m = median(results[v])
    const sign = (x) => (x >= 0 ? '+' : '') + x.toFixed(1)
    console.log(`${LABELS[v].padEnd(38)}${m.toFixed(1).padStart(8)}${sign(m - bare).padStart(9)}${(v === 'bare' ? '' : sign(m - floor)).padStart(8)}${Math.round(median(rates[v])).toString().padStart(8)}   ${results[v].map((x) => x.toFixed(1)).join(' ')}`)
  }
  console.log('')
  console.log('µs/req = server process CPU (user+system) ÷ requests; req/s is bounded by the load process here, not the server')
  const perRequest = (xs) => xs.map((x) => (x / requests).toFixed(3)).join('/')
  console.log(`StatsD received per request, each round (2 lines expected at sample rate 1): ${Object.keys(lines).map((v) => `${v} ${perRequest(lines[v])} lines in ${perRequest(datagrams[v])} datagrams`).join('; ')}`)
}
