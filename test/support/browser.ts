/**
 * A real browser for the browser tests: Debian's `chromium` (installed by scripts/install-chromium.sh,
 * which `npm test`'s pretest and .ci/run run), driven by playwright-core (no browser download).
 * A missing chromium fails the test with the command that installs it; it is never a skip.
 *
 * Pages get a context in which every request to anything but this machine (localhost, 127.0.0.1,
 * ::1) is aborted and recorded: what they show, they show with only the local servers reachable.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no chromium at ${CHROMIUM_PATH}: install it with \`npm run browser:install\` (Debian's chromium package; root), or set CHROMIUM_PATH`)
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // As root in a container: no user namespaces for Chromium's sandbox, a small /dev/shm, no GPU.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
    timeout: 60_000,
  })
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

export interface LocalContext {
  context: BrowserContext
  /** Requests the page tried to send off this machine (aborted). */
  blocked: string[]
  /** Messages of uncaught page errors and console errors. */
  pageErrors: string[]
}

/** A fresh context (no storage from other tests) that can reach only this machine. */
export async function localOnlyContext(browser: Browser, options: { width?: number; height?: number } = {}): Promise<LocalContext> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 }, serviceWorkers: 'block' })
  const blocked: string[] = []
  const pageErrors: string[] = []
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url())
    if ((url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:') && LOCAL_HOSTS.has(url.hostname)) return route.continue()
    blocked.push(url.toString())
    return route.abort('blockedbyclient')
  })
  context.on('weberror', (error) => pageErrors.push(error.error().message))
  context.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text())
  })
  return { context, blocked, pageErrors }
}
