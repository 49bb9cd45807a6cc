// The dashboard's routes on a real Fastify server: page, data, assets, token, headers, and the
// rule that the dashboard's own requests are never counted, aggregated nor captured.
import Fastify from 'fastify'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import type { DashboardData } from '../../lib/dashboard/dashboard-data.ts'
import { observability, patchAll } from '../../lib/index.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

const TOKEN = 'test-token-8f2c61d0a9'

async function traffic (url: string): Promise<void> {
  for (let i = 0; i < 6; i++) await (await fetch(`${url}/items/${i}`)).arrayBuffer()
  await (await fetch(`${url}/missing`)).arrayBuffer()
  await (await fetch(`${url}/fail`, { headers: { 'x-request-id': 'dash-fail-1' } })).arrayBuffer()
}

function routes (app: import('fastify').FastifyInstance): void {
  app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }))
  app.get('/fail', async () => {
    throw new TypeError('items table is <b>locked</b>')
  })
}

async function dataOf (url: string, init?: RequestInit): Promise<DashboardData> {
  const response = await fetch(`${url}/_vigie/data.json`, init)
  if (response.status !== 200) throw new Error(`data.json answered ${response.status}`)
  return await response.json() as DashboardData
}

t.test('page, data and assets, with their security headers', async (t) => {
  const { url } = await startApp(t, { vigie: { dashboard: true }, routes })
  await traffic(url)

  const page = await fetch(`${url}/_vigie`)
  t.equal(page.status, 200)
  t.equal(page.headers.get('content-type'), 'text/html; charset=utf-8')
  t.match(page.headers.get('content-security-policy'), /^default-src 'self'; script-src 'self'; style-src 'self';/)
  t.equal(page.headers.get('x-content-type-options'), 'nosniff')
  t.equal(page.headers.get('referrer-policy'), 'no-referrer')
  t.equal(page.headers.get('x-frame-options'), 'DENY')
  t.equal(page.headers.get('cache-control'), 'no-store')
  const html = await page.text()
  t.match(html, '<script src="_vigie/assets/dashboard.js" defer></script>', 'asset URLs are relative to the page')
  t.notMatch(html, /<script>|<script(?![^>]*\bsrc=)|\son[a-z]+=/i, 'no inline script or event handler attribute')

  const data = await dataOf(url)
  t.equal(data.version, 1)
  t.equal(data.aggregation, true)
  t.equal(data.statusClasses.total, 8)
  t.same(data.statusClasses.counts, { '2xx': 6, '3xx': 0, '4xx': 1, '5xx': 1, other: 0 })
  t.same(data.controllers.busiest.map((row) => row.controller), ['/items/:id', '/fail', 'not_found'])
  t.same(data.controllers.failing.map((row) => row.controller), ['/fail'])
  t.match(data.exceptions, [{ correlationId: 'dash-fail-1', method: 'GET', controller: '/fail', status: 500, name: 'TypeError', message: 'items table is <b>locked</b>' }])
  t.equal(data.timeline.time.length, 30)
  t.ok(data.timeline.requestsPerSecond.total.some((rate) => rate > 0))

  const json = await fetch(`${url}/_vigie/data.json`)
  t.equal(json.headers.get('content-type'), 'application/json; charset=utf-8')
  t.equal(json.headers.get('cache-control'), 'no-store')
  t.equal(json.headers.get('x-content-type-options'), 'nosniff')

  const uplot = await fetch(`${url}/_vigie/assets/uplot.iife.min.js`)
  t.equal(uplot.status, 200)
  t.equal(uplot.headers.get('content-type'), 'text/javascript; charset=utf-8')
  const source = await uplot.text()
  t.match(source, /^\/\*!\n \* uPlot v\d+\.\d+\.\d+, https:\/\/github\.com\/leeoniya\/uPlot\n/, 'uPlot\'s licence notice on top')
  t.match(source, 'Copyright (c) 2022 Leon Sorokin')
  t.match(source, 'Permission is hereby granted, free of charge')
  t.match(source, 'var uPlot=function()')
  const etag = uplot.headers.get('etag')
  t.match(etag, /^"[A-Za-z0-9_-]{27}"$/)
  const again = await fetch(`${url}/_vigie/assets/uplot.iife.min.js`, { headers: { 'if-none-match': etag! } })
  t.equal(again.status, 304, 'revalidated by ETag')
  t.equal((await again.text()), '')
  for (const [file, type] of [['uplot.min.css', 'text/css'], ['dashboard.js', 'text/javascript'], ['dashboard.css', 'text/css']]) {
    const asset = await fetch(`${url}/_vigie/assets/${file}`)
    t.equal(asset.status, 200, file)
    t.match(asset.headers.get('content-type'), type)
  }
  const head = await fetch(`${url}/_vigie/data.json`, { method: 'HEAD' })
  t.equal(head.status, 200, 'HEAD is answered too')
})

t.test('the dashboard\'s own requests are not counted, aggregated, sent to StatsD nor logged', async (t) => {
  const { app, url, statsd, logs } = await startApp(t, { vigie: { dashboard: true }, routes })
  await traffic(url)
  await statsd.waitFor((lines) => lines.filter((line) => line.startsWith('http_request:')).length === 8)
  for (let i = 0; i < 5; i++) {
    await dataOf(url)
    await (await fetch(`${url}/_vigie`)).arrayBuffer()
    await (await fetch(`${url}/_vigie/assets/dashboard.js`)).arrayBuffer()
    await (await fetch(`${url}/_vigie/data.json`, { method: 'HEAD' })).arrayBuffer()
  }
  const data = await dataOf(url)
  t.equal(data.statusClasses.total, 8, 'only the app\'s 8 requests, after 21 dashboard requests')

  const snapshot = app.vigie.snapshot()!
  const requests = snapshot.series.filter((series) => series.name === 'http_request')
  t.same(requests.map((series) => series.tags.controller).sort(), ['/fail', '/items/:id', 'not_found'])
  t.notOk(snapshot.series.some((series) => Object.values(series.tags).some((value) => value.includes('_vigie'))), 'no series mentions the dashboard')

  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(statsd.lines.filter((line) => line.startsWith('http_request:')).length, 8, 'nothing more reached StatsD')
  t.notOk(statsd.lines.some((line) => line.includes('_vigie')))
  t.notOk(logs.lines.some((line) => JSON.stringify(line).includes('/_vigie')), 'Fastify logs no line for the polling (route logLevel warn)')
  t.equal(data.exceptions.length, 1)
})

t.test('token: 401 without or with a wrong one; header or query parameter; assets stay public', async (t) => {
  const { url } = await startApp(t, { vigie: { dashboard: { token: TOKEN } }, routes })
  for (const path of ['/_vigie', '/_vigie/data.json']) {
    const none = await fetch(url + path)
    t.equal(none.status, 401, `${path} without a token`)
    t.equal(none.headers.get('www-authenticate'), 'Bearer realm="vigie"')
    t.equal(none.headers.get('cache-control'), 'no-store')
    t.equal(await none.text(), 'vigie dashboard: missing or wrong token')
    t.equal((await fetch(`${url}${path}?token=wrong`)).status, 401, `${path} with a wrong token`)
    t.equal((await fetch(url + path, { headers: { authorization: 'Bearer wrong' } })).status, 401)
    t.equal((await fetch(`${url}${path}?token=${TOKEN}`)).status, 200, `${path} with ?token=`)
    t.equal((await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, `${path} with the header`)
  }
  t.equal((await fetch(`${url}/_vigie/assets/dashboard.js`)).status, 200, 'static files need no token')
})

t.test('a custom path; the page refers to its files relative to its own last segment', async (t) => {
  const { url } = await startApp(t, { vigie: { dashboard: { path: '/ops/health-board' } }, routes })
  const html = await (await fetch(`${url}/ops/health-board`)).text()
  t.match(html, 'href="health-board/assets/dashboard.css"')
  t.equal((await fetch(`${url}/ops/health-board/assets/dashboard.css`)).status, 200)
  t.equal((await fetch(`${url}/ops/health-board/data.json`)).status, 200)
  t.equal((await fetch(`${url}/_vigie`)).status, 404, 'not at the default path')
})

t.test('off by default, and off when VIGIE_DISABLED is set', async (t) => {
  const plain = await startApp(t, { routes })
  t.equal((await fetch(`${plain.url}/_vigie`)).status, 404)
  process.env.VIGIE_DISABLED = '1'
  t.teardown(() => { delete process.env.VIGIE_DISABLED })
  const disabled = await startApp(t, { vigie: { dashboard: true }, routes })
  t.equal((await fetch(`${disabled.url}/_vigie`)).status, 404)
})

t.test('production with no token: one warning, the dashboard stays on', async (t) => {
  const previous = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  t.teardown(() => {
    if (previous === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = previous
  })
  const open = await startApp(t, { vigie: { dashboard: true }, routes })
  const warnings = open.logs.lines.filter((line) => /dashboard is on in production with no token/.test(line.msg))
  t.equal(warnings.length, 1)
  t.equal(warnings[0]!.level, 40)
  t.match(warnings[0]!.msg, 'anyone who can reach /_vigie')
  t.equal((await fetch(`${open.url}/_vigie`)).status, 200)

  const guarded = await startApp(t, { vigie: { dashboard: { token: TOKEN } }, routes })
  t.notOk(guarded.logs.lines.some((line) => /dashboard is on in production/.test(line.msg)), 'no warning with a token')
})

t.test('aggregation off: a warning, and data with the latest exceptions only', async (t) => {
  const { url, logs } = await startApp(t, { vigie: { dashboard: true, aggregation: false }, routes })
  t.ok(logs.lines.some((line) => /dashboard is on but aggregation is off/.test(line.msg)))
  await traffic(url)
  const data = await dataOf(url)
  t.equal(data.aggregation, false)
  t.equal(data.exceptions[0]?.correlationId, 'dash-fail-1')
  t.same(data.timeline.time, [])
})

t.test('patchAll(): the automatic registration serves it; an explicit one takes over with its own path and token', async (t) => {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const unpatch = patchAll({ dashboard: { path: '/auto' }, statsd: { host: '127.0.0.1', port: statsd.port } })
  t.teardown(() => unpatch())

  const automatic = Fastify()
  routes(automatic)
  await automatic.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => automatic.close())
  const automaticUrl = `http://127.0.0.1:${(automatic.server.address() as AddressInfo).port}`
  t.equal((await fetch(`${automaticUrl}/auto/data.json`)).status, 200, 'served by the automatic registration')

  const explicit = Fastify()
  await explicit.register(observability, { dashboard: { path: '/manual', token: TOKEN }, statsd: { host: '127.0.0.1', port: statsd.port } })
  routes(explicit)
  await explicit.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => explicit.close())
  const url = `http://127.0.0.1:${(explicit.server.address() as AddressInfo).port}`
  t.equal((await fetch(`${url}/manual/data.json`)).status, 401, 'the explicit token applies')
  t.equal((await fetch(`${url}/manual/data.json?token=${TOKEN}`)).status, 200)
  t.equal((await fetch(`${url}/auto/data.json`)).status, 404, 'the automatic path answers no more')
  await (await fetch(`${url}/items/1`)).arrayBuffer()
  const data = await (await fetch(`${url}/manual/data.json?token=${TOKEN}`)).json() as DashboardData
  t.equal(data.statusClasses.total, 1, 'neither dashboard path was counted')
})
