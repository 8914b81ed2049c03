#!/usr/bin/env node
// The README's screenshot: `npm run dashboard` in one terminal, then
// `node examples/power-dashboard/scripts/screenshot.mjs [URL]` (default http://localhost:5173).
// Debian's chromium through playwright-core, as in the browser tests.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const url = process.argv[2] ?? 'http://localhost:5173'
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'screenshot.png')
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 420 }, colorScheme: 'light' })
  await page.goto(url)
  await page.locator('[data-testid="status"][data-state="live"]').waitFor({ timeout: 60_000 })
  await page.locator('[data-sensor]').first().waitFor()
  // Let a few pushes arrive, so the page is caught moving rather than just loaded.
  await page.waitForTimeout(4_000)
  await page.screenshot({ path: out, fullPage: true })
  console.log(`wrote ${out}`)
} finally {
  await browser.close()
}
