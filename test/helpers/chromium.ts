import { chromium, type Browser, type BrowserContext } from 'playwright-core'
import tap, { type Test } from 'tap'
import { assertInstalled, CHROMIUM } from './system-packages.js'

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
