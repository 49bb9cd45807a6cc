// The health endpoints on real Express 4 and 5 servers over real sockets: live, ready (pass, a
// failing check, a hanging one), thresholds, middleware.vigie.drain(), close(), and the rule
// that they are never counted nor captured.
import t from 'tap'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { assertReading, assertScrubbedOutput, getHealth, leakyError } from '../helpers/health.ts'

const LIVE = '/_vigie/health/live'
const READY = '/_vigie/health/ready'

function routes (app: import('express').Express): void {
  app.get('/items/:id', (req, res) => { res.json({ id: req.params.id }) })
}

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('live: 200 {"status":"pass"}, no check run; ready: 200 when every check passes', async (t) => {
      let calls = 0
      const { url } = await startExpressApp(t, express, {
        vigie: { health: { checks: { db: async () => { calls++ }, cache: () => 'PONG' } } },
        routes,
      })
      const live = await getHealth(url + LIVE)
      t.equal(live.status, 200)
      t.equal(live.type, 'application/health+json; charset=utf-8')
      t.equal(live.cacheControl, 'no-store')
      t.same(live.body, { status: 'pass' })
      t.equal(calls, 0, 'live called no check')

      const ready = await getHealth(url + READY)
      t.equal(ready.status, 200)
      t.equal(ready.type, 'application/health+json; charset=utf-8')
      t.equal(ready.body.status, 'pass')
      assertReading(t, ready.body.checks['db:responseTime'][0], 'pass', 'ms', 'db')
      assertReading(t, ready.body.checks['cache:responseTime'][0], 'pass', 'ms', 'cache')
      t.equal(calls, 1)

      const head = await fetch(url + READY, { method: 'HEAD' })
      t.equal(head.status, 200, 'HEAD is answered')
      t.equal(await head.text(), '')
      t.equal(calls, 2, 'HEAD runs the checks like GET')
      const post = await fetch(url + LIVE, { method: 'POST' })
      t.equal(post.status, 405, 'other methods: 405, as on the dashboard\'s paths')
      t.equal(post.headers.get('allow'), 'GET, HEAD')
      t.equal((await fetch(`${url}/items/1`)).status, 200, 'the app\'s routes go on')
    })

    t.test('a failing check → 503 with a scrubbed output and no stack; a hanging one within timeoutMs', async (t) => {
      let hangs = 0
      const { url, logs } = await startExpressApp(t, express, {
        vigie: {
          health: {
            timeoutMs: 150,
            checks: {
              db: async () => { throw leakyError() },
              queue: () => { throw leakyError() },
              hang: () => { hangs++; return new Promise(() => {}) },
              cache: async () => {},
            },
          },
        },
        routes,
      })
      for (let i = 0; i < 2; i++) {
        const ready = await getHealth(url + READY)
        t.equal(ready.status, 503)
        t.ok(ready.ms >= 140 && ready.ms < 150 + 500, `answered after ${Math.round(ready.ms)} ms (limit 150)`)
        t.equal(ready.body.status, 'fail')
        const checks = ready.body.checks
        assertScrubbedOutput(t, checks['db:responseTime'][0].output, 'db')
        assertScrubbedOutput(t, checks['queue:responseTime'][0].output, 'queue (a synchronous throw)')
        t.equal(checks['hang:responseTime'][0].output, 'timed out after 150 ms')
        assertReading(t, checks['hang:responseTime'][0], 'fail', 'ms', 'hang')
        assertReading(t, checks['cache:responseTime'][0], 'pass', 'ms', 'cache')
        t.notOk(JSON.stringify(ready.body).includes('hunter2'))
      }
      t.equal(hangs, 1, 'the hanging call is waited for again, not made again')
      t.notOk(logs.lines.some((line) => line.level >= 50), 'no exception line')
    })

    t.test('thresholds: warn keeps 200, fail gives 503', async (t) => {
      const warn = await startExpressApp(t, express, { vigie: { health: { thresholds: { heapUsedBytes: { warn: 1 } } } }, routes })
      const warned = await getHealth(warn.url + READY)
      t.equal(warned.status, 200)
      t.equal(warned.body.status, 'warn')
      assertReading(t, warned.body.checks['memory:heapUsed'][0], 'warn', 'bytes', 'heapUsed')
      const fail = await startExpressApp(t, express, { vigie: { health: { thresholds: { rssBytes: { fail: 1 } } } }, routes })
      const failed = await getHealth(fail.url + READY)
      t.equal(failed.status, 503)
      assertReading(t, failed.body.checks['memory:rss'][0], 'fail', 'bytes', 'rss')
    })

    t.test('middleware.vigie.drain(): ready answers 503 "draining"; after close() the paths go to the app', async (t) => {
      let calls = 0
      const { url, vigie } = await startExpressApp(t, express, { vigie: { health: { checks: { db: async () => { calls++ } } } }, routes })
      t.equal((await getHealth(url + READY)).status, 200)
      vigie.vigie.drain()
      const ready = await getHealth(url + READY)
      t.equal(ready.status, 503)
      t.same(ready.body, { status: 'fail', output: 'draining' })
      t.equal(calls, 1, 'no check ran while draining')
      t.same((await getHealth(url + LIVE)).body, { status: 'pass' }, 'live still passes')
      await vigie.close()
      t.equal((await fetch(url + READY)).status, 404, 'after close(), the middleware passes every request on: the app has no such route')
    })

    t.test('health requests are never counted, aggregated nor sent to StatsD', async (t) => {
      const { url, vigie, statsd } = await startExpressApp(t, express, { vigie: { health: { checks: { db: async () => { throw leakyError() } } } }, routes })
      await (await fetch(`${url}/items/1`)).arrayBuffer()
      await statsd.waitFor((lines) => lines.filter((line) => line.startsWith('http_request:')).length === 1)
      for (let i = 0; i < 4; i++) {
        t.equal((await getHealth(url + READY)).status, 503)
        t.equal((await getHealth(url + LIVE)).status, 200)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
      t.equal(statsd.lines.filter((line) => line.startsWith('http_request')).length, 2, 'only the app\'s request (counter and timing)')
      t.notOk(statsd.lines.some((line) => line.includes('503')))
      const requests = vigie.vigie.snapshot()!.series.filter((series) => series.name === 'http_request')
      t.same(requests.map((series) => series.tags.controller), ['/items/:id'])
    })

    t.test('nothing mounted when VIGIE_DISABLED is set', async (t) => {
      process.env.VIGIE_DISABLED = '1'
      t.teardown(() => { delete process.env.VIGIE_DISABLED })
      const { url, vigie } = await startExpressApp(t, express, { vigie: { health: true }, routes })
      t.equal((await fetch(url + LIVE)).status, 404)
      t.equal((await fetch(url + READY)).status, 404)
      vigie.vigie.drain()
      t.equal((await fetch(`${url}/items/1`)).status, 200)
    })
  })
}
