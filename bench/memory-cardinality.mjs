// Memory and tag cardinality under URL variety: 1,000,000 requests spread over 100,000 distinct
// URLs (four routes with parameters and query strings, plus 404s and 500s) against Fastify or
// Express + vigie, everything on. Reports the server's RSS (after forced GC) once the first
// 100,000 requests are served and again after all of them, and every distinct `controller` tag
// value the StatsD receiver saw. Imports the built package: run `npm run build` first, and
// `npm --prefix bench ci` for autocannon.
//
//   node bench/memory-cardinality.mjs                      both frameworks, 1,000,000 requests each
//   node bench/memory-cardinality.mjs --framework=express --requests=200000
//
// Targets (issue 4): RSS after ≤ 1.10 × RSS after the first 100,000; distinct controllers ≤ routes + 1.

import { fork } from 'node:child_process'
import dgram from 'node:dgram'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { ask } from './lib/ipc.mjs'

const SELF = fileURLToPath(import.meta.url)
const DISTINCT_URLS = 100_000
const CHECKPOINT = 100_000
const ROUTES = ['/users/:id', '/orders/:orderId/items/:itemId', '/search', '/fail/:id']

function option (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}

/** The n-th URL of the cycle: a mix of the four routes, query strings and unmatched paths. */
function urlFor (n) {
  const i = n % DISTINCT_URLS
  switch (i % 10) {
    case 0: return `/missing/${i}/page`
    case 1: return `/fail/${i}`
    case 2: case 3: return `/orders/${i}/items/${i % 97}?expand=${i}`
    case 4: return `/search?q=term${i}&page=${i % 13}`
    default: return `/users/${i}?ref=${i}`
  }
}

const role = process.argv[2]
if (role === 'server') await server(process.argv[3], Number(process.argv[4]))
else if (role === 'load') await load()
else await orchestrate()

async function server (framework, statsdPort) {
  const vigie = await import('../dist/esm/index.js')
  const statsd = { host: '127.0.0.1', port: statsdPort, prefix: 'bench.' }
  // Exception lines go to a discarding stream: their content is not what is measured here.
  const { default: pino } = await import('pino')
  const logger = pino({ ...vigie.loggerOptions(), level: 'warn' }, pino.destination('/dev/null'))
  const user = (id) => ({ id, name: 'Ada Lovelace', email: 'ada@example.com' })
  let close
  if (framework === 'fastify') {
    const { default: Fastify } = await import('fastify')
    const app = Fastify({ loggerInstance: logger })
    await app.register(vigie.observability, { statsd })
    app.get('/users/:id', async (request) => user(request.params.id))
    app.get('/orders/:orderId/items/:itemId', async (request) => ({ order: request.params.orderId, item: request.params.itemId }))
    app.get('/search', async (request) => ({ q: request.query.q, results: [] }))
    app.get('/fail/:id', async () => { throw new Error('planned failure') })
    await app.listen({ host: '127.0.0.1', port: 0 })
    process.send({ port: app.server.address().port })
    close = () => app.close()
  } else {
    const { default: express } = await import('express')
    const app = express()
    const observed = vigie.expressObservability({ statsd, logger })
    app.use(observed)
    app.get('/users/:id', (req, res) => { res.json(user(req.params.id)) })
    app.get('/orders/:orderId/items/:itemId', (req, res) => { res.json({ order: req.params.orderId, item: req.params.itemId }) })
    app.get('/search', (req, res) => { res.json({ q: req.query.q, results: [] }) })
    app.get('/fail/:id', () => { throw new Error('planned failure') })
    app.use(vigie.expressErrorHandler())
    const listener = app.listen(0, '127.0.0.1', () => process.send({ port: listener.address().port }))
    close = async () => { listener.closeAllConnections(); await new Promise((resolve) => listener.close(resolve)); await observed.close() }
  }
  process.on('message', async (msg) => {
    if (msg === 'memory') {
      for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 200)) }
      const { rss, heapUsed } = process.memoryUsage()
      process.send({ rss, heapUsed })
    } else if (msg === 'stop') {
      await close()
      process.send({ stopped: true }, () => process.exit(0))
    }
  })
}

async function load () {
  const { default: autocannon } = await import('autocannon')
  process.on('message', async ({ port, amount, offset }) => {
    let n = offset
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 32,
      amount,
      requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: urlFor(n++) }) }],
    })
    process.send({ done: true, total: result.requests.total, errors: result.errors, timeouts: result.timeouts, seconds: result.duration })
  })
}

async function measure (framework, requests, receiver) {
  receiver.controllers.clear()
  const srv = fork(SELF, ['server', framework, String(receiver.port)], { stdio: 'inherit', execArgv: ['--expose-gc'] })
  const loader = fork(SELF, ['load'], { stdio: 'inherit' })
  const { port } = await ask(srv, undefined, (m) => m.port !== undefined)
  const first = await ask(loader, { port, amount: CHECKPOINT, offset: 0 }, (m) => m.done)
  const atCheckpoint = await ask(srv, 'memory', (m) => m.rss !== undefined)
  const rest = await ask(loader, { port, amount: requests - CHECKPOINT, offset: CHECKPOINT }, (m) => m.done)
  const atEnd = await ask(srv, 'memory', (m) => m.rss !== undefined)
  await ask(srv, 'stop', (m) => m.stopped)
  loader.kill()
  await new Promise((resolve) => setTimeout(resolve, 300)) // the last flush, sent on close
  return {
    framework,
    served: first.total + rest.total,
    errors: first.errors + rest.errors + first.timeouts + rest.timeouts,
    seconds: first.seconds + rest.seconds,
    atCheckpoint,
    atEnd,
    controllers: [...receiver.controllers].sort(),
  }
}

async function orchestrate () {
  const requests = Number(option('requests', 1_000_000))
  const frameworks = option('framework', 'fastify,express').split(',')
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 })
  const receiver = { port: 0, controllers: new Set(), lines: 0 }
  const CONTROLLER = 'controller:'
  socket.on('message', (buf) => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (line === '') continue
      receiver.lines++
      const at = line.indexOf(CONTROLLER)
      if (at === -1) continue
      const end = line.indexOf(',', at)
      receiver.controllers.add(line.slice(at + CONTROLLER.length, end === -1 ? undefined : end))
    }
  })
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve))
  receiver.port = socket.address().port

  const cpu = os.cpus()
  console.log(`vigie memory & cardinality — ${cpu[0].model}, ${cpu.length} cpus, Node ${process.version}`)
  console.log(`${requests.toLocaleString('en')} requests over ${DISTINCT_URLS.toLocaleString('en')} distinct URLs, ${ROUTES.length} routes (${ROUTES.join(', ')}) + 404s; RSS after forced GC`)
  console.log('')
  const mb = (bytes) => (bytes / 1048576).toFixed(1)
  for (const framework of frameworks) {
    const r = await measure(framework, requests, receiver)
    const growth = r.atEnd.rss / r.atCheckpoint.rss
    console.log(`${framework}: ${r.served.toLocaleString('en')} served in ${r.seconds.toFixed(0)} s (${r.errors} socket errors)`)
    console.log(`  RSS after ${CHECKPOINT.toLocaleString('en')}: ${mb(r.atCheckpoint.rss)} MB (heap ${mb(r.atCheckpoint.heapUsed)} MB); after ${r.served.toLocaleString('en')}: ${mb(r.atEnd.rss)} MB (heap ${mb(r.atEnd.heapUsed)} MB) → ${growth.toFixed(3)}× (target ≤ 1.10)`)
    console.log(`  distinct controller tag values: ${r.controllers.length} (target ≤ ${ROUTES.length + 1}): ${r.controllers.join(' ')}`)
  }
  socket.close()
}
