// A real Prometheus (Debian's, on a private port and data dir, scraping every second) scrapes a
// Fastify app's /metrics (with a token) and an Express app's metrics on their own port: its HTTP
// API then answers the requests sent, exactly. Prometheus asks for OpenMetrics first, so this is
// the OpenMetrics output read by the reference parser.
import express from 'express'
import t from 'tap'
import { startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { PROMETHEUS, startPrometheus } from '../helpers/prometheus.ts'
import { needs } from '../helpers/system-packages.ts'
import { until } from '../helpers/until.ts'

const TOKEN = 'prometheus-scrape-4c2a'

t.test('a real Prometheus scrapes a Fastify and an Express app: sum(http_requests_total) is what was sent', needs(PROMETHEUS), async (t) => {
  const fastify = await startApp(t, {
    vigie: { prometheus: { token: TOKEN } },
    routes: (app) => {
      app.get('/ping', async () => 'pong')
      app.get('/broken', async () => { throw new Error('broken') })
    },
  })
  const expressApp = await startExpressApp(t, express, {
    vigie: { prometheus: { port: 0 } },
    routes: (app) => { app.get('/hello', (_req, res) => { res.send('hi') }) },
  })
  await until(() => expressApp.logs.lines.some((line) => line.prometheus !== undefined))
  const expressTarget = new URL(expressApp.logs.lines.find((line) => line.prometheus !== undefined)!.prometheus.url as string).host

  for (let i = 0; i < 8; i++) await (await fetch(`${fastify.url}/ping`)).arrayBuffer()
  for (let i = 0; i < 2; i++) await (await fetch(`${fastify.url}/broken`)).arrayBuffer()
  for (let i = 0; i < 5; i++) await (await fetch(`${expressApp.url}/hello`)).arrayBuffer()

  // Both apps' token: the Express app has none and ignores it.
  const prometheus = await startPrometheus(t, [new URL(fastify.url).host, expressTarget], { bearer: TOKEN })
  let total = NaN
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const result = await prometheus.query('sum(http_requests_total)')
    total = result.length === 1 ? Number(result[0]!.value[1]) : NaN
    const up = await prometheus.query('sum(up)')
    if (total === 15 && up.length === 1 && up[0]!.value[1] === '2') break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  t.equal(total, 15, 'sum(http_requests_total) is the 15 requests sent to both apps')
  const byStatus = await prometheus.query('sum by (status_class) (http_requests_total)')
  t.same(Object.fromEntries(byStatus.map((r) => [r.metric.status_class, Number(r.value[1])])), { '2xx': 13, '5xx': 2 })
  const count = await prometheus.query('sum(http_request_duration_seconds_count)')
  t.equal(Number(count[0]!.value[1]), 15, 'the histogram counts them all')
  // Over the counts since start (rate() would need two scrapes that saw traffic).
  const p99 = await prometheus.query('histogram_quantile(0.99, sum by (le) (http_request_duration_seconds_bucket))')
  const seconds = Number(p99[0]?.value[1])
  t.ok(seconds > 0 && seconds <= 10, `histogram_quantile() reads the buckets (p99 ${seconds} s)`)
  // Prometheus' own view of each scrape: both targets up, and no sample it refused.
  const up = await prometheus.query('up')
  t.same(up.map((r) => r.value[1]).sort(), ['1', '1'], 'both targets up')
  const errors = await (await fetch(`${prometheus.url}/api/v1/targets`)).json() as { data: { activeTargets: Array<{ lastError: string, health: string }> } }
  t.same(errors.data.activeTargets.map((target) => [target.health, target.lastError]), [['up', ''], ['up', '']], 'no scrape error')
  const scrapes = await prometheus.query('sum(http_requests_total)')
  t.equal(Number(scrapes[0]!.value[1]), 15, 'its scrapes are not counted')
})
