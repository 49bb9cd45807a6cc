// The plugin against the real Etsy StatsD daemon: what an operator's backend really aggregates.
import Fastify from 'fastify'
import t from 'tap'
import { startStatsdDaemon } from '../../examples/support/statsd-daemon.mjs'
import { observability } from '../../lib/index.ts'

t.test('the counts the daemon aggregates equal the requests made, tags included', async (t) => {
  const daemon = await startStatsdDaemon({ flushInterval: 300 })
  t.teardown(() => daemon.stop())
  const app = Fastify({ logger: { level: 'silent' } })
  await app.register(observability, { statsd: { host: daemon.host, port: daemon.port, prefix: 'it.', globalTags: { env: 'test' } } })
  app.get('/users/:id', async () => ({ ok: true }))
  app.post('/orders', async () => { throw new Error('out of stock') })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  const made = { ok: 0, missing: 0, failed: 0 }
  for (let i = 0; i < 60; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/users/${i}`)
    await res.text()
    if (res.status === 200) made.ok++
  }
  for (let i = 0; i < 7; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/nowhere/${i}`)
    await res.text()
    if (res.status === 404) made.missing++
  }
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/orders`, { method: 'POST' })
    await res.text()
    if (res.status === 500) made.failed++
  }
  t.same(made, { ok: 60, missing: 7, failed: 3 })
  await app.close() // flushes the buffered metrics

  const okKey = 'it.http_request;env=test;http_status=200;http_status_class=2xx;method=GET;controller=-users-id'
  const missingKey = 'it.http_request;env=test;http_status=404;http_status_class=4xx;method=GET;controller=not_found'
  const failedKey = 'it.http_request;env=test;http_status=500;http_status_class=5xx;method=POST;controller=-orders'
  const exceptionKey = 'it.http_request.exception;env=test;controller=-orders;exception=Error'
  await daemon.waitForFlush(() => {
    const c = daemon.counters()
    return c[okKey] === 60 && c[missingKey] === 7 && c[failedKey] === 3 && c[exceptionKey] === 3
  }, 10_000)
  const counters = daemon.counters()
  t.equal(counters[okKey], made.ok)
  t.equal(counters[missingKey], made.missing)
  t.equal(counters[failedKey], made.failed)
  t.equal(counters[exceptionKey], made.failed)
  t.equal(counters['statsd.bad_lines_seen'], 0, 'the daemon parsed every line vigie sent')
  t.notOk(Object.keys(counters).some((key) => /\d{2}/.test(key.replace(/^statsd\./, '').replace(/http_status=\d+/, ''))),
    'no raw ID from a URL reached a metric name')

  const timing = daemon.timers()['it.http_request.response_time;env=test;http_status=200;http_status_class=2xx;method=GET;controller=-users-id']
  t.ok(timing !== undefined && timing.count > 0 && timing.upper_90 >= timing.lower, 'the daemon computed timing statistics')
})
