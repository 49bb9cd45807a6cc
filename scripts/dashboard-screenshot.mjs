// Makes docs/images/dashboard.png: starts the demo's shop app (examples/shop-app.mjs) with the
// dashboard on, on the demo's database (examples/support/postgres.mjs), drives the demo's steady
// traffic for a while, opens the page in headless Chromium and saves a screenshot of it.
//
//   npm run build && node scripts/dashboard-screenshot.mjs [--seconds 90] [--out docs/images/dashboard.png]
//
// Needs Debian's chromium (/usr/bin/chromium, as .ci/run installs it); nothing is downloaded.
// StatsD datagrams go to a local UDP socket that discards them: the page reads vigie's
// in-process aggregation.
import dgram from 'node:dgram'
import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium } from 'playwright-core'
import { buildShopApp, shopObjectives } from '../examples/shop-app.mjs'
import { startShopDatabase } from '../examples/support/postgres.mjs'
import { startSteadyTraffic } from '../examples/support/steady-traffic.mjs'

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']
const WIDTH = 1200
const MAX_BYTES = 300 * 1024

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '90' },
    out: { type: 'string', default: 'docs/images/dashboard.png' },
  },
})
const seconds = Number(values.seconds)
if (!Number.isFinite(seconds) || seconds < 5) throw new Error('--seconds must be a number ≥ 5')

const sink = dgram.createSocket('udp4')
await new Promise((resolve) => sink.bind(0, '127.0.0.1', resolve))
sink.unref()
const database = await startShopDatabase()
const app = await buildShopApp({
  statsd: { host: '127.0.0.1', port: sink.address().port },
  database: database.connection,
  logStream: { write () {} },
  dashboard: true,
  latency: true,
  vigie: shopObjectives({}, '10s'),
})
await app.listen({ port: 0, host: '127.0.0.1' })
const base = `http://127.0.0.1:${app.server.address().port}`
const traffic = startSteadyTraffic(base, { requestsPerSecond: 25 })
let browser
try {
  console.log(`traffic for ${seconds} s against ${base} …`)
  await sleep(seconds * 1000)
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 }, deviceScaleFactor: 1 })
  await page.goto(`${base}/_vigie`)
  await page.waitForFunction(() => Number(document.body.dataset.updates ?? 0) >= 2, undefined, { timeout: 15_000 })
  mkdirSync(dirname(values.out), { recursive: true })
  await page.screenshot({ path: values.out, fullPage: true })
  const bytes = statSync(values.out).size
  console.log(`wrote ${values.out} (${Math.round(bytes / 1024)} KB) after ${JSON.stringify(traffic.counts)}`)
  if (bytes > MAX_BYTES) {
    console.error(`${values.out} is larger than ${MAX_BYTES / 1024} KB: keep the committed image small`)
    process.exitCode = 1
  }
} finally {
  await browser?.close()
  await traffic.stop()
  await app.close()
  await database.stop()
  sink.close()
}
