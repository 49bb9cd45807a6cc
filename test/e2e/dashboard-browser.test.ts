// The dashboard page in real headless Chromium (Debian's, driven by playwright-core): after real
// traffic it draws non-empty charts and lists the latest exception, renders a hostile exception
// message as text, works with its token in the URL, and its polling is never counted. Its SLO and
// alert sections render what the providers given to dashboard() return, hostile names as text.
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { EndpointRouter } from '../../lib/core/endpoint-router.ts'
import { FailureReporter } from '../../lib/core/failure-reporter.ts'
import { dashboard } from '../../lib/dashboard/dashboard-feature.ts'
import { emptyTopQueries } from '../../lib/database/fingerprint-table.ts'
import type { StatusProviders } from '../../lib/dashboard/dashboard-data.ts'
import type { AlertStatus, SloStatus } from '../../lib/types.ts'
import { chromiumContext, openDashboard } from '../helpers/chromium.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { CHROMIUM, needs } from '../helpers/system-packages.ts'

const PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
const FAILING_ID = 'browser-xss-0001'
const TOKEN = 'browser-token-2b7e151628aed2a6'
const ARTIFACTS = new URL('../.artifacts/', import.meta.url)
// The page's colours (dashboard.css): 2xx green draws in the requests chart, p50 blue in the
// response-time chart.
const GREEN = [0x2e, 0x9e, 0x5b] as const
const BLUE = [0x3a, 0x78, 0xc9] as const

function routes (app: import('fastify').FastifyInstance): void {
  app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }))
  app.get('/explode', async () => {
    throw new Error(PAYLOAD)
  })
}

async function traffic (url: string): Promise<number> {
  let sent = 0
  const hit = async (path: string, headers: Record<string, string> = {}): Promise<void> => {
    await (await fetch(url + path, { headers })).arrayBuffer()
    sent++
  }
  for (let i = 0; i < 30; i++) await hit(`/items/${i % 5}`)
  for (let i = 0; i < 6; i++) await hit(`/no/such/page/${i}`)
  await hit('/explode', { 'x-request-id': FAILING_ID })
  return sent
}

/** Pixels of the chart's canvas close to `rgb`, and over how many distinct rows they spread. */
async function pixelsOf (page: Page, chartId: string, rgb: readonly [number, number, number]): Promise<{ count: number, rows: number }> {
  return await page.evaluate(({ chartId, rgb }) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`#${chartId} canvas`)
    if (canvas === null) return { count: 0, rows: 0 }
    const { data, width } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
    let count = 0
    const rows = new Set<number>()
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - rgb[0]) < 24 && Math.abs(data[i + 1]! - rgb[1]) < 24 && Math.abs(data[i + 2]! - rgb[2]) < 24 && data[i + 3]! > 200) {
        count++
        rows.add(Math.floor(i / 4 / width))
      }
    }
    return { count, rows: rows.size }
  }, { chartId, rgb: [...rgb] })
}

t.test('after traffic: charts, latest exception, a hostile message rendered as text', needs(CHROMIUM), async (t) => {
  const { app, url } = await startApp(t, { vigie: { dashboard: true, processMetrics: { intervalMs: 1000 } }, routes })
  const sent = await traffic(url)
  const page = await (await chromiumContext(t)).newPage()
  await page.setViewportSize({ width: 1200, height: 900 })
  // Let the first process gauges arrive (first sample after 1 s).
  await new Promise((resolve) => setTimeout(resolve, 1300))
  const { problems } = await openDashboard(page, `${url}/_vigie`)

  t.match(await page.textContent('#status'), /^live · updated \d\d:\d\d:\d\d$/)
  t.equal(await page.textContent('#total-requests'), `${sent} requests`)

  const requests = await pixelsOf(page, 'chart-requests', GREEN)
  t.ok(requests.count > 50 && requests.rows > 10, `the 2xx line rises in the requests chart (${requests.count} pixels over ${requests.rows} rows)`)
  const latency = await pixelsOf(page, 'chart-latency', BLUE)
  // The traffic usually falls in one 10-s bucket: p50 is then one point (7 to 15 pixels), not a line.
  t.ok(latency.count > 4, `p50 is drawn in the response-time chart (${latency.count} pixels)`)
  const memory = await pixelsOf(page, 'chart-memory', BLUE)
  t.ok(memory.count > 5, `heap is drawn in the memory chart (${memory.count} pixels)`)
  t.match(await page.textContent('#gauges'), /Heap used\s*[\d.]+ MB/)

  t.same(await page.$$eval('#busiest-rows tr', (rows) => rows.map((row) => row.firstElementChild!.textContent)), ['/items/:id', 'not_found', '/explode'])
  t.same(await page.$$eval('#failing-rows tr td:first-child', (cells) => cells.map((cell) => cell.textContent)), ['/explode'])

  const cells = await page.$$eval('#exception-rows tr:first-child td', (tds) => tds.map((td) => td.textContent))
  t.equal(cells.length, 7)
  t.match(cells[0], /^\d\d:\d\d:\d\d$/, 'time')
  t.same(cells.slice(1), [FAILING_ID, 'GET', '/explode', '500', 'Error', PAYLOAD], 'correlation ID, method, controller, status, name, message')

  const safety = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    images: document.querySelectorAll('img').length,
    messageChildren: document.querySelector('#exception-rows td.message')!.childElementCount,
    csp: (window as unknown as { __csp?: string[] }).__csp ?? [],
  }))
  t.equal(safety.pwned, undefined, 'the message never ran')
  t.same(safety.scripts, ['_vigie/assets/uplot.iife.min.js', '_vigie/assets/dashboard.js'], 'no script element was added')
  t.equal(safety.images, 0, 'no img element was added')
  t.equal(safety.messageChildren, 0, 'the message cell holds text only')
  t.same(safety.csp, [], 'no Content-Security-Policy violation: the page needs no inline script or style')
  t.same(problems, [], 'no page error, console error or failed request')
  t.equal(await page.isVisible('#slos-empty'), true, 'no SLO declared: said so')
  t.equal(await page.textContent('#slos-empty'), 'No SLOs declared')
  t.equal(await page.isVisible('#alerts-empty'), true)
  t.equal(await page.textContent('#alerts-empty'), 'No alert rules')
  t.equal(await page.isVisible('#alerts-table'), false, 'and no empty table')

  // The page keeps polling; none of it is counted.
  await page.waitForFunction(() => Number(document.body.dataset.updates) >= 2, undefined, { timeout: 10_000 })
  const counted = app.vigie.snapshot()!.series
    .filter((series) => series.name === 'http_request')
    .reduce((sum, series) => sum + (series.windows['5m'] as { count: number } | null)!.count, 0)
  t.equal(counted, sent, `only the ${sent} app requests are counted, after the page and its polls`)

  mkdirSync(ARTIFACTS, { recursive: true })
  const path = new URL('dashboard-browser.png', ARTIFACTS)
  await page.screenshot({ path: path.pathname, fullPage: true })
  t.pass(`screenshot saved to ${path.pathname}`)
})

t.test('with a token: the page works from ?token=, and refuses without it', needs(CHROMIUM), async (t) => {
  const { url } = await startApp(t, { vigie: { dashboard: { token: TOKEN } }, routes })
  await traffic(url)
  const refused = await (await chromiumContext(t)).newPage()
  const denied = await refused.goto(`${url}/_vigie`)
  t.equal(denied?.status(), 401)
  t.equal(await refused.textContent('body'), 'vigie dashboard: missing or wrong token')

  const page = await (await chromiumContext(t)).newPage()
  const { problems } = await openDashboard(page, `${url}/_vigie?token=${TOKEN}`)
  t.match(await page.textContent('#status'), /^live/)
  t.equal(await page.textContent('#exception-rows tr:first-child td:nth-child(2)'), FAILING_ID)
  t.same(problems, [])
})

t.test('the page says so when the token is wrong', needs(CHROMIUM), async (t) => {
  const { url } = await startApp(t, { vigie: { dashboard: { token: TOKEN } }, routes })
  const page = await (await chromiumContext(t)).newPage()
  // The page itself is refused too; this checks what its script shows on a 401 from data.json,
  // with the page loaded through the header and the wrong token in the URL.
  await page.setExtraHTTPHeaders({ authorization: `Bearer ${TOKEN}` })
  await page.route('**/data.json', (route) => route.continue({ headers: { ...route.request().headers(), authorization: 'Bearer wrong' } }))
  await page.goto(`${url}/_vigie?token=wrong`)
  await page.waitForFunction(() => document.querySelector('#status')!.classList.contains('error'), undefined, { timeout: 10_000 })
  t.match(await page.textContent('#status'), /^401: this dashboard needs its token/)
})

const HOSTILE_SLO = '<img src=x onerror=alert(1)>'
const HOSTILE_ALERT = '<img src=x onerror="window.__pwned=4"><b>bold</b>'
const MINUTE = 60_000

function sloFixture (name: string, remaining: number | null, burnRates: Partial<SloStatus['burnRates']> = {}): SloStatus {
  return {
    name,
    objective: 99.9,
    window: '30d',
    good: 99_958,
    total: 100_000,
    sli: 0.99958,
    errorBudget: { remaining },
    burnRates: { '5m': 0.2, '30m': 0.4, '1h': 0.5, '2h': 0.6, '6h': 0.5, '1d': 0.4, '3d': 0.42, ...burnRates },
    coverage: 0.25,
  }
}

/**
 * The dashboard from its factory, as compose builds it, served by a bare node:http server on
 * 127.0.0.1:0 through the EndpointRouter Express uses, with `providers` for its SLOs and alerts
 * (and no query fingerprints unless given).
 */
async function startDashboard (t: Test, providers: Omit<StatusProviders, 'queries'> & Partial<StatusProviders>): Promise<{ url: string, warnings: unknown[] }> {
  const warnings: unknown[] = []
  const reporter = new FailureReporter({ warn: (obj, msg) => warnings.push({ obj, msg }) })
  const page = dashboard({ path: '/_vigie', token: undefined }, new Aggregator({ maxSeries: 100 }), () => null, reporter, { queries: emptyTopQueries, ...providers })
  const router = new EndpointRouter([page.endpoint])
  const server = createServer((req, res) => {
    const answer = router.answer(req.method ?? 'GET', req.url ?? '/', req.headers, req.socket.localAddress)
    if (answer === null) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(answer.status, answer.headers).end(req.method === 'HEAD' ? undefined : answer.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, warnings }
}

t.test('SLOs and alerts from the providers: names, budget, burn rates, a firing alert; hostile names as text', needs(CHROMIUM), async (t) => {
  let remaining = 0.42
  const alertsNow = (): AlertStatus[] => {
    const now = Date.now()
    return [
      { name: 'queue-depth', state: 'ok', since: now - 3 * 60 * MINUTE, value: 3, severity: 'ticket' },
      { name: HOSTILE_ALERT, state: 'pending', since: now - 30_000, value: null, severity: 'info' },
      { name: 'checkout-5xx-ratio', state: 'firing', since: now - 2 * MINUTE - 5000, value: 0.125, severity: 'page' },
    ]
  }
  const { url, warnings } = await startDashboard(t, {
    slos: () => [
      sloFixture('checkout-availability', remaining, { '5m': 20, '1h': 15.2, '30m': 3, '2h': 1.5 }),
      // A 7-day SLO: its page thresholds are 14.4 and 6 × 7/30 (3.36 and 1.4).
      { ...sloFixture(HOSTILE_SLO, -0.35, { '5m': 4, '30m': 1.2 }), window: '7d' },
      { ...sloFixture('search-latency', null), sli: null, good: 0, total: 0, burnRates: { '5m': null, '30m': null, '1h': null, '2h': null, '6h': null, '1d': null, '3d': null }, coverage: 1 },
    ],
    alerts: alertsNow,
  })
  const page = await (await chromiumContext(t)).newPage()
  await page.setViewportSize({ width: 1200, height: 1100 })
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  const { problems } = await openDashboard(page, `${url}/_vigie`)

  t.same(await page.$$eval('#slo-list .slo h3', (titles) => titles.map((h) => h.textContent)), ['checkout-availability', HOSTILE_SLO, 'search-latency'], 'the SLOs, in declared order')
  t.equal(await page.isVisible('#slos-empty'), false)
  const budgets = await page.$$eval('#slo-list .budget-text', (texts) => texts.map((p) => [p.textContent, p.className]))
  t.same(budgets, [
    ['Error budget left: 42 %', 'budget-text ok'],
    ['Error budget overspent: -35 % (135 % of it used)', 'budget-text spent'],
    ['Error budget: no events yet', 'budget-text none'],
  ])
  t.same(await page.$$eval('#slo-list .budget-fill', (bars) => bars.map((bar) => [bar.className, (bar as HTMLElement).style.width])), [
    ['budget-fill ok', '42%'],
    ['budget-fill spent', '100%'],
    ['budget-fill none', '0%'],
  ], 'the bar: 42 % full, or whole and red when overspent')
  t.match(await page.textContent('#slo-list .slo:first-child .slo-sli'), /^SLI 99\.958 % vs objective 99\.9 % · 30d window · 99,958 good of 100,000$/)
  t.equal(await page.textContent('#slo-list .slo:first-child .coverage'), 'Coverage: the counts cover 25 % of the 30d window')

  const burn = await page.$$eval('#slo-list .slo:first-child table.burn td', (cells) => cells.map((td) => [td.firstChild!.textContent, td.className]))
  t.same(burn, [
    ['20', 'num burn-page'], // 5m: above 14.4
    ['3', 'num burn-over'], // 30m: above 1, under 6
    ['15.2', 'num burn-page'], // 1h: above 14.4
    ['1.5', 'num burn-over'],
    ['0.5', 'num'],
    ['0.4', 'num'],
    ['0.42', 'num'],
  ], 'over 1 highlighted; over the page thresholds (14.4 over 5m and 1h, 6 over 30m and 6h) more so')
  t.equal(await page.textContent('#slo-list .slo:first-child table.burn td.burn-page'), '20 (above the page threshold)', 'said in words too, for screen readers')
  const scaled = await page.$$eval('#slo-list .slo:nth-child(2) table.burn td', (cells) => cells.slice(0, 2).map((td) => [td.firstChild!.textContent, td.className]))
  t.same(scaled, [['4', 'num burn-page'], ['1.2', 'num burn-over']], 'a 7-day SLO: the page thresholds scaled by 7/30 (4 > 3.36; 1.2 > 1 but < 1.4)')

  const rows = await page.$$eval('#alert-rows tr', (trs) => trs.map((tr) => [
    tr.className,
    tr.querySelector('.state')?.className ?? '',
    ...[...tr.children].map((cell) => cell.textContent ?? ''),
  ]))
  t.same(rows, [
    ['alert-firing', 'state state-firing', 'checkout-5xx-ratio', 'firing', 'page', '0.125', '2 min ago'],
    ['alert-pending', 'state state-pending', HOSTILE_ALERT, 'pending', 'info', '–', '30 s ago'],
    ['alert-ok', 'state state-ok', 'queue-depth', 'ok', 'ticket', '3', '3 h ago'],
  ], 'firing first, then pending, then ok; the state styled by class; since relative to the data')
  t.equal(await page.isVisible('#alerts-empty'), false)

  // The budget chart is kept from the polls: a few polls later, it has drawn a line.
  remaining = 0.3
  await page.waitForFunction(() => Number(document.body.dataset.updates) >= 3, undefined, { timeout: 15_000 })
  t.equal(await page.textContent('#slo-list .slo:first-child .budget-text'), 'Error budget left: 30 %', 'updated in place')
  const chart = await page.$$eval('#slo-list .slo:first-child .chart canvas', (canvases) => canvases.length)
  t.equal(chart, 1, 'one chart per SLO, kept across polls')
  const budgetLine = await pixelsOf(page, 'slo-list .slo:first-child .chart', BLUE)
  t.ok(budgetLine.count > 10, `the budget line is drawn (${budgetLine.count} pixels)`)

  const safety = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned,
    images: document.querySelectorAll('img').length,
    bold: document.querySelectorAll('#alert-rows b').length,
    titleChildren: [...document.querySelectorAll('#slo-list .slo h3')].map((h) => h.childElementCount),
    nameChildren: [...document.querySelectorAll('#alert-rows td.name')].map((cell) => cell.childElementCount),
    csp: (window as unknown as { __csp?: string[] }).__csp ?? [],
  }))
  t.equal(safety.pwned, undefined, 'the hostile names never ran')
  t.same(dialogs, [], 'no alert() dialog')
  t.equal(safety.images, 0, 'no img element was added')
  t.equal(safety.bold, 0, 'no markup from a name')
  t.same(safety.titleChildren, [0, 0, 0], 'SLO titles hold text only')
  t.same(safety.nameChildren, [0, 0, 0], 'rule names hold text only')
  t.same(safety.csp, [])
  t.same(problems, [])
  t.same(warnings, [], 'no provider failed')

  mkdirSync(ARTIFACTS, { recursive: true })
  const path = new URL('dashboard-slos.png', ARTIFACTS)
  await page.screenshot({ path: path.pathname, fullPage: true })
  t.pass(`screenshot saved to ${path.pathname}`)
})

t.test('a provider that throws: the page still draws, the section says nothing is declared', needs(CHROMIUM), async (t) => {
  const { url, warnings } = await startDashboard(t, {
    slos: () => { throw new Error('tracker down') },
    alerts: () => [{ name: 'disk-full', state: 'firing', since: Date.now() - 5000, value: 97, severity: 'page' }],
  })
  const page = await (await chromiumContext(t)).newPage()
  const { problems } = await openDashboard(page, `${url}/_vigie`)
  t.match(await page.textContent('#status'), /^live/)
  t.equal(await page.textContent('#slos-empty'), 'No SLOs declared')
  t.equal(await page.isVisible('#slos-empty'), true)
  t.equal(await page.textContent('#alert-rows tr td.name'), 'disk-full')
  t.same(problems, [])
  t.match(warnings, [{ msg: /could not read the SLOs/ }])
})
