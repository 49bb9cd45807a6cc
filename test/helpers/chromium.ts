import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import tap, { type Test } from 'tap'
import { assertInstalled, CHROMIUM } from './system-packages.ts'

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]

let browser: Promise<Browser> | undefined

/**
 * A fresh browser context (its own cookies, storage and routes), closed with the test, in a real
 * headless Chromium: Debian's, driven by playwright-core, which never downloads a browser here.
 * It is launched once per test file and closed when the file's tests end.
 */
export async function chromiumContext (t: Test): Promise<BrowserContext> {
  if (browser === undefined) {
    assertInstalled(CHROMIUM)
    browser = chromium.launch({ executablePath: CHROMIUM.path, args: CHROMIUM_ARGS })
    const launched = browser
    tap.teardown(() => launched.then((opened) => opened.close(), () => {}))
  }
  const context = await (await browser).newContext()
  t.teardown(() => context.close())
  return context
}

/** Opens vigie's dashboard page, waits for its first render, and collects what the browser complains about: errors, CSP violations. */
export async function openDashboard (page: Page, url: string): Promise<{ problems: string[] }> {
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
