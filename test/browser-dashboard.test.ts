/**
 * examples/power-dashboard in a real browser (Debian's chromium through playwright-core), built as
 * `npm run dashboard:build` builds it (codegen from schema.graphql, type-check, Vite build) and
 * served by Vite's preview server, which proxies /graphql to a Portico on a real PostgreSQL
 * database. The page may reach nothing but this machine.
 *
 * - it shows the latest reading of every device and sensor, exactly as PostgreSQL has them;
 * - a reading inserted with SQL (by any client: no Portico mutation) is on the page within 2 s.
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import type { PreviewServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_DEVICES, demoReadingsAt } from '../src/db/demo-readings.js'
import { launchChromium, localOnlyContext, type LocalContext } from './support/browser.js'
import { startLiveDemo, type LiveDemo } from './support/live-demo.js'
import { repoRoot } from './support/test-database.js'

const EXAMPLE = path.join(repoRoot, 'examples', 'power-dashboard')
const SENSORS = DEMO_DEVICES.reduce((n, d) => n + 1 + d.branches.length, 0)
/** The dashboard's way of writing a power (examples/power-dashboard/src/view.ts). */
const watts = (power: number) => `${new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(power)} W`

let demo: LiveDemo
let preview: PreviewServer
let browser: Browser
let local: LocalContext
let page: Page
let dashboardUrl: string

beforeAll(async () => {
  // The build first: it fails on a type error anywhere in the example, schema.graphql included.
  await promisify(execFile)('npm', ['run', '--silent', 'dashboard:build'], { cwd: repoRoot, timeout: 180_000 })
  demo = await startLiveDemo('browser_dash')
  const { preview: startPreview } = await import('vite')
  preview = await startPreview({
    configFile: path.join(EXAMPLE, 'vite.config.ts'),
    logLevel: 'silent',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, proxy: { '/graphql': { target: demo.origin, ws: true } } },
  })
  dashboardUrl = preview.resolvedUrls!.local[0]!
  browser = await launchChromium()
  local = await localOnlyContext(browser)
  page = await local.context.newPage()
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await preview?.close()
  await demo?.close()
})

/** What the page shows for a sensor: the row's raw power and the text a person reads. */
async function shown(device: string, sensor: string) {
  const row = page.locator(`[data-device="${device}"] [data-sensor="${sensor}"]`)
  return { power: await row.getAttribute('data-power'), text: await row.locator('.power').innerText() }
}

describe('the power dashboard', () => {
  it('loads and shows the latest reading of every device and sensor', async () => {
    await page.goto(dashboardUrl)
    const status = page.locator('[data-testid="status"]')
    await page.locator('[data-testid="status"]:not([data-state="connecting"])').waitFor({ timeout: 30_000 })
    expect(`${await status.getAttribute('data-state')}: ${await status.innerText()}`).toBe('live: live')
    await page.locator('[data-sensor]').nth(SENSORS - 1).waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-device]').count()).toBe(DEMO_DEVICES.length)
    expect(await page.locator('[data-sensor]').count()).toBe(SENSORS)
    const latest = await demo.latest()
    expect(latest).toHaveLength(SENSORS)
    for (const r of latest) {
      expect(await shown(r.device, r.sensor)).toEqual({ power: String(r.power), text: watts(r.power) })
    }
    // Each device's headline is its mains power.
    for (const device of DEMO_DEVICES) {
      const mains = latest.find((r) => r.device === device.device && r.sensor === 'mains')!
      expect(await page.locator(`[data-device="${device.device}"] .total`).innerText()).toBe(watts(mains.power))
    }
    expect(local.blocked).toEqual([])
    expect(local.pageErrors).toEqual([])
  }, 120_000)

  it('shows a reading inserted with SQL within 2 s', async () => {
    // The next tick of the model, with a power no other reading has, for the house's HVAC.
    const reading = { ...demoReadingsAt(Date.now()).find((r) => r.device === 'iotawatt-house' && r.sensor === 'hvac')!, power: 4321.5 }
    expect(await shown(reading.device, reading.sensor)).not.toEqual({ power: '4321.5', text: watts(4321.5) })
    const row = page.locator(`[data-device="iotawatt-house"] [data-sensor="hvac"][data-power="4321.5"]`)
    await demo.insert([reading])
    const committed = Date.now()
    await row.waitFor({ timeout: 2_000 })
    const elapsed = Date.now() - committed
    expect(elapsed).toBeLessThan(2_000)
    expect(await row.locator('.power').innerText()).toBe('4,321.5 W')
    expect(Date.parse((await row.getAttribute('data-timestamp'))!)).toBe(reading.time)
    console.log(`dashboard: a reading inserted with SQL was on the page ${elapsed} ms after its commit`)
    expect(local.blocked).toEqual([])
    expect(local.pageErrors).toEqual([])
  }, 120_000)
})
