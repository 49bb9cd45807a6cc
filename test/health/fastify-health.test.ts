// The health endpoints on a real Fastify server over real sockets: live, ready (pass, a failing
// check, a hanging one), thresholds, draining (drain() and close()), and the rule that they are
// never counted nor captured.
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { observability } from '../../lib/index.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { assertReading, assertScrubbedOutput, blockEventLoop, getHealth, leakyError } from '../helpers/health.ts'

const LIVE = '/_vigie/health/live'
const READY = '/_vigie/health/ready'

function routes (app: import('fastify').FastifyInstance): void {
  app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }))
}

t.test('live: 200 {"status":"pass"} as application/health+json, no-store, and runs no check', async (t) => {
  let calls = 0
  const { url } = await startApp(t, { vigie: { health: { checks: { db: async () => { calls++ } } } }, routes })
  const live = await getHealth(url + LIVE)
  t.equal(live.status, 200)
  t.equal(live.type, 'application/health+json; charset=utf-8')
  t.equal(live.cacheControl, 'no-store')
  t.same(live.body, { status: 'pass' })
  const head = await fetch(url + LIVE, { method: 'HEAD' })
  t.equal(head.status, 200, 'HEAD is answered too')
  t.equal(await head.text(), '')
  t.equal((await fetch(url + LIVE, { method: 'POST' })).status, 404, 'other methods are not routed (GET routes, HEAD added by Fastify)')
  t.equal(calls, 0, 'live called no check')
  t.equal((await fetch(`${url}/_vigie/health`)).status, 404, 'the prefix alone is nothing')
})

t.test('ready: every check passes → 200, one reading per check, in the IETF format', async (t) => {
  let calls = 0
  const { url } = await startApp(t, {
    vigie: { health: { checks: { db: async () => { calls++; await new Promise((resolve) => setTimeout(resolve, 20)) }, cache: () => 'PONG' } } },
    routes,
  })
  const ready = await getHealth(url + READY)
  t.equal(ready.status, 200)
  t.equal(ready.type, 'application/health+json; charset=utf-8')
  t.equal(ready.cacheControl, 'no-store')
  t.equal(ready.body.status, 'pass')
  t.same(Object.keys(ready.body.checks).sort(), ['cache:responseTime', 'db:responseTime'])
  t.equal(ready.body.checks['db:responseTime'].length, 1)
  assertReading(t, ready.body.checks['db:responseTime'][0], 'pass', 'ms', 'db')
  assertReading(t, ready.body.checks['cache:responseTime'][0], 'pass', 'ms', 'cache')
  t.ok(ready.body.checks['db:responseTime'][0].observedValue >= 15, 'db took its 20 ms')
  t.equal(calls, 1)
  const head = await fetch(url + READY, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(calls, 2, 'HEAD runs the checks like GET')
  const none = await startApp(t, { vigie: { health: true }, routes })
  t.same((await getHealth(none.url + READY)).body, { status: 'pass', checks: {} }, 'no check: pass')
})

t.test('a failing check → 503, its output scrubbed and without a stack; the other checks still read', async (t) => {
  const { url, logs } = await startApp(t, {
    vigie: {
      health: {
        checks: {
          db: async () => { throw leakyError() },
          queue: () => { throw leakyError() },
          cache: async () => {},
          legacy: () => Promise.reject({ code: 'E_LEGACY' }), // eslint-disable-line prefer-promise-reject-errors
          long: async () => { throw new Error(`connect failed: password=hunter2 ${'x'.repeat(400)}`) },
        },
      },
    },
    routes,
  })
  const ready = await getHealth(url + READY)
  t.equal(ready.status, 503)
  t.equal(ready.body.status, 'fail')
  const checks = ready.body.checks
  assertReading(t, checks['cache:responseTime'][0], 'pass', 'ms', 'cache')
  for (const name of ['db', 'queue']) {
    assertReading(t, checks[`${name}:responseTime`][0], 'fail', 'ms', name)
    assertScrubbedOutput(t, checks[`${name}:responseTime`][0].output, name)
  }
  t.equal(checks['legacy:responseTime'][0].output, 'failed (rejected with object, not an Error)')
  t.equal(checks['long:responseTime'][0].output.length, 200, 'a long message is cut to 200 characters')
  t.match(checks['long:responseTime'][0].output, /^connect failed: password=\[REDACTED\] x+…$/)
  const body = JSON.stringify(ready.body)
  t.notOk(body.includes('hunter2'))
  t.notOk(/\n\s+at /.test(body) || body.includes('health.test'), 'no stack anywhere in the body')
  t.notOk(logs.lines.some((line) => line.level >= 50), 'a failing check is no exception line')
})

t.test('a hanging check is answered within timeoutMs, and is not called again while it hangs', async (t) => {
  let calls = 0
  const { url } = await startApp(t, {
    vigie: { health: { timeoutMs: 150, checks: { hang: () => { calls++; return new Promise(() => {}) }, quick: async () => {} } } },
    routes,
  })
  for (let i = 0; i < 3; i++) {
    const ready = await getHealth(url + READY)
    t.equal(ready.status, 503)
    t.ok(ready.ms >= 140 && ready.ms < 150 + 500, `answered after ${Math.round(ready.ms)} ms (limit 150)`)
    const reading = ready.body.checks['hang:responseTime'][0]
    assertReading(t, reading, 'fail', 'ms', 'hang')
    t.equal(reading.output, 'timed out after 150 ms')
    t.ok(reading.observedValue >= 140, 'observedValue: the time waited')
    t.equal(ready.body.checks['quick:responseTime'][0].status, 'pass')
  }
  t.equal(calls, 1, 'a call still running is waited for again, not made again')
})

t.test('thresholds: warn keeps 200, fail gives 503; each reading under its key', async (t) => {
  const warn = await startApp(t, { vigie: { health: { thresholds: { rssBytes: { warn: 1 }, heapUsedBytes: { warn: 1, fail: 1e15 } } } }, routes })
  const warned = await getHealth(warn.url + READY)
  t.equal(warned.status, 200)
  t.equal(warned.body.status, 'warn')
  assertReading(t, warned.body.checks['memory:rss'][0], 'warn', 'bytes', 'rss')
  t.equal(warned.body.checks['memory:rss'][0].output, 'over the warn threshold of 1 bytes')
  assertReading(t, warned.body.checks['memory:heapUsed'][0], 'warn', 'bytes', 'heapUsed')
  t.ok(warned.body.checks['memory:rss'][0].observedValue > 1e6, 'the real RSS')

  const fail = await startApp(t, { vigie: { health: { checks: { db: async () => {} }, thresholds: { rssBytes: { warn: 1, fail: 1 } } } }, routes })
  const failed = await getHealth(fail.url + READY)
  t.equal(failed.status, 503)
  t.equal(failed.body.status, 'fail')
  assertReading(t, failed.body.checks['memory:rss'][0], 'fail', 'bytes', 'rss')
  t.equal(failed.body.checks['memory:rss'][0].output, 'over the fail threshold of 1 bytes')
  t.equal(failed.body.checks['db:responseTime'][0].status, 'pass')
  t.notOk('memory:heapUsed' in failed.body.checks, 'only the readings with a threshold')

  const roomy = await startApp(t, { vigie: { health: { thresholds: { rssBytes: { fail: 1e15 } } } }, routes })
  t.equal((await getHealth(roomy.url + READY)).body.status, 'pass')
})

t.test('event-loop delay: a stall since the previous probe fails the next one', async (t) => {
  const { url } = await startApp(t, { vigie: { health: { thresholds: { eventLoopDelayMs: { fail: 200 } } } }, routes })
  await new Promise((resolve) => setTimeout(resolve, 60))
  const before = await getHealth(url + READY)
  assertReading(t, before.body.checks['eventLoop:delay'][0], 'pass', 'ms', 'delay before')
  // Node's histogram starts over at each read, and does not measure the interval of its timer
  // that was under way then: the stall starts after the next tick of it (20 ms).
  await new Promise((resolve) => setTimeout(resolve, 40))
  blockEventLoop(400)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const after = await getHealth(url + READY)
  t.equal(after.status, 503)
  assertReading(t, after.body.checks['eventLoop:delay'][0], 'fail', 'ms', 'delay after a 400 ms stall')
  t.ok(after.body.checks['eventLoop:delay'][0].observedValue > 300, `observed ${after.body.checks['eventLoop:delay'][0].observedValue} ms`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const next = (await getHealth(url + READY)).body.checks['eventLoop:delay'][0].observedValue
  t.ok(next < 300, `the stall is behind the next probe (observed ${next} ms)`)
})

t.test('drain(): ready answers 503 "draining" without running the checks; live still passes', async (t) => {
  let calls = 0
  const { app, url } = await startApp(t, { vigie: { health: { checks: { db: async () => { calls++ } } } }, routes })
  t.equal((await getHealth(url + READY)).status, 200)
  app.vigie.drain()
  const ready = await getHealth(url + READY)
  t.equal(ready.status, 503)
  t.equal(ready.type, 'application/health+json; charset=utf-8')
  t.same(ready.body, { status: 'fail', output: 'draining' })
  t.equal(calls, 1, 'no check ran while draining')
  t.same((await getHealth(url + LIVE)).body, { status: 'pass' })
  t.equal((await fetch(`${url}/items/1`)).status, 200, 'the app still answers')
})

async function closingApp (fastifyOptions: object): Promise<{ ready: Promise<Awaited<ReturnType<typeof getHealth>>> }> {
  const app = Fastify(fastifyOptions)
  await app.register(observability, { processMetrics: false, health: true, statsd: { host: '127.0.0.1', port: 9 } })
  let answer!: (value: Awaited<ReturnType<typeof getHealth>>) => void
  const ready = new Promise<Awaited<ReturnType<typeof getHealth>>>((resolve) => { answer = resolve })
  // An app's own preClose hook (the place to wait for a load balancer), after vigie's: the server
  // still accepts connections, and Fastify is closing.
  app.addHook('preClose', async () => {
    answer(await getHealth(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${READY}`))
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal((await getHealth(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}${READY}`)).status, 200, 'ready before close()')
  await app.close()
  return { ready }
}

t.test('close(): from its start, ready says draining; by default Fastify answers 503 itself', async (t) => {
  const routed = await (await closingApp({ return503OnClosing: false })).ready
  t.equal(routed.status, 503)
  t.same(routed.body, { status: 'fail', output: 'draining' }, 'return503OnClosing: false → vigie\'s answer')

  const fastifys = await (await closingApp({})).ready
  t.equal(fastifys.status, 503)
  t.same(fastifys.body, { error: 'Service Unavailable', message: 'Service Unavailable', statusCode: 503 }, 'the default: Fastify\'s own 503')
})

t.test('health requests are never counted, aggregated, sent to StatsD, logged nor captured', async (t) => {
  const { app, url, statsd, logs } = await startApp(t, {
    vigie: { health: { checks: { db: async () => { throw leakyError() } } } },
    routes,
  })
  await (await fetch(`${url}/items/1`)).arrayBuffer()
  await (await fetch(`${url}/items/2`)).arrayBuffer()
  await statsd.waitFor((lines) => lines.filter((line) => line.startsWith('http_request:')).length === 2)
  for (let i = 0; i < 4; i++) {
    t.equal((await getHealth(url + READY)).status, 503)
    t.equal((await getHealth(url + LIVE)).status, 200)
    await (await fetch(url + READY, { method: 'HEAD' })).arrayBuffer()
  }
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(statsd.lines.filter((line) => line.startsWith('http_request')).length, 4, 'only the app\'s 2 requests (counter and timing each)')
  t.notOk(statsd.lines.some((line) => line.includes('health') || line.includes('503')), 'no StatsD line about them')
  const requests = app.vigie.snapshot()!.series.filter((series) => series.name === 'http_request')
  t.same(requests.map((series) => series.tags.controller), ['/items/:id'])
  t.notOk(logs.lines.some((line) => JSON.stringify(line).includes('/_vigie/health')), 'no log line (route logLevel warn)')
  t.notOk(logs.text().includes('hunter2'))
})

t.test('a custom path; off by default; nothing mounted when VIGIE_DISABLED is set', async (t) => {
  const custom = await startApp(t, { vigie: { health: { path: '/ops/health' }, dashboard: true }, routes })
  t.equal((await getHealth(`${custom.url}/ops/health/live`)).status, 200)
  t.equal((await getHealth(`${custom.url}/ops/health/ready`)).status, 200)
  t.equal((await fetch(custom.url + LIVE)).status, 404, 'not at the default path')
  t.equal((await fetch(`${custom.url}/_vigie/data.json`)).status, 200, 'beside the dashboard')

  const plain = await startApp(t, { routes })
  t.equal((await fetch(plain.url + LIVE)).status, 404)
  plain.app.vigie.drain()

  process.env.VIGIE_DISABLED = '1'
  t.teardown(() => { delete process.env.VIGIE_DISABLED })
  const disabled = await startApp(t, { vigie: { health: true }, routes })
  t.equal((await fetch(disabled.url + LIVE)).status, 404)
  t.equal((await fetch(disabled.url + READY)).status, 404)
  disabled.app.vigie.drain()
  t.pass('drain() does nothing, and does not throw, without health')
})
