// The dashboard page in real headless Chromium (Debian's, driven by playwright-core): after real
// traffic it draws non-empty charts and lists the latest exception, renders a hostile exception
// message as text, works with its token in the URL, and its polling is never counted.
import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'
import t from 'tap'
import { chromiumContext } from '../helpers/chromium.js'
import { startApp } from '../helpers/fastify-app.js'
import { CHROMIUM, needs } from '../helpers/system-packages.js'

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

/** Opens the page and collects what the browser complains about: errors, CSP violations. */
async function openDashboard (page: Page, url: string): Promise<{ problems: string[] }> {
  const problems: string[] = []
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`) })
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __csp: string[] }).__csp ??= []
      ;(window as unknown as { __csp: string[] }).__csp.push(`${event.violatedDirective} ${event.blockedURI}`)
    })
  })
  const response = await page.goto(url)
  if (response?.status() !== 200) throw new Error(`the page answered ${response?.status()}`)
  await page.waitForFunction(() => Number(document.body.dataset.updates ?? 0) >= 1, undefined, { timeout: 10_000 })
  return { problems }
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
