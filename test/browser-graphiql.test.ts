/**
 * GraphiQL as a person uses it, in a real browser (Debian's chromium through playwright-core), on a
 * Portico serving a real PostgreSQL database. The browser may reach nothing but this machine, so
 * GraphiQL works with only the server reachable (no CDN). About behaviour, not markup: the query is
 * given in the address (`?query=`, GraphiQL's own way to share one), run with the editor's
 * Ctrl-Enter, and the answer is read as the text the page shows.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoReadingsAt } from '../src/db/demo-readings.js'
import { launchChromium, localOnlyContext, type LocalContext } from './support/browser.js'
import { startLiveDemo, type LiveDemo } from './support/live-demo.js'

let demo: LiveDemo
let browser: Browser

beforeAll(async () => {
  demo = await startLiveDemo('browser_graphiql')
  browser = await launchChromium()
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await demo?.close()
})

/** GraphiQL opened on `query`, in a context of its own (GraphiQL keeps tabs in local storage). */
async function openGraphiQL(query: string): Promise<{ page: Page; local: LocalContext }> {
  const local = await localOnlyContext(browser)
  const page = await local.context.newPage()
  // The page carries GraphiQL whole (megabytes of script): slow to start on a busy machine.
  await page.goto(`${demo.origin}/graphql?query=${encodeURIComponent(query)}`, { waitUntil: 'domcontentloaded', timeout: 120_000 })
  // The editor is ready when the query text is on the page (GraphiQL's editor renders it).
  await page.getByText('iotawatts', { exact: false }).first().waitFor({ timeout: 120_000 })
  return { page, local }
}

/** Runs the query in the editor as a person would: focus the editor, Ctrl-Enter. */
async function run(page: Page): Promise<void> {
  await page.getByText('iotawatts', { exact: false }).first().click()
  await page.keyboard.press('Control+Enter')
}

/** The page's visible text (the result pane's JSON included), with non-breaking spaces plain. */
const pageText = async (page: Page) => (await page.locator('body').innerText()).replace(/\u00a0/g, ' ')

describe('GraphiQL', () => {
  it('loads with only the server reachable, runs a query and shows its result', async () => {
    const [newest] = await demo.sql.query(`SELECT device, sensor, power FROM api.iotawatt ORDER BY "timestamp" DESC, device, sensor LIMIT 1`).then((r) => r.rows)
    const query = '{ iotawatts(first: 1, orderBy: [{ timestamp: DESC }, { device: ASC }, { sensor: ASC }]) { totalCount nodes { device sensor power } } }'
    const { page, local } = await openGraphiQL(query)
    const total = (await demo.sql.query('SELECT count(*)::int AS n FROM api.iotawatt')).rows[0].n as number
    const answered = page.waitForResponse((response) => new URL(response.url()).pathname === '/graphql' && response.request().method() === 'POST' && response.request().postData()?.includes('totalCount') === true)
    await run(page)
    expect((await answered).status()).toBe(200)
    await expect.poll(() => pageText(page), { timeout: 10_000 }).toContain(`"totalCount": ${total}`)
    const text = await pageText(page)
    expect(text).toContain(`"device": "${newest.device}"`)
    expect(text).toContain(`"sensor": "${newest.sensor}"`)
    expect(text).toContain(`"power": ${newest.power}`)
    expect(local.blocked).toEqual([])
    await local.context.close()
  }, 240_000)

  it('shows a @live query updating by itself after an SQL insert', async () => {
    const query = 'query Newest @live { iotawatts(first: 1, orderBy: [{ timestamp: DESC }, { device: ASC }, { sensor: ASC }]) { nodes { device sensor power } } }'
    const { page, local } = await openGraphiQL(query)
    await run(page)
    const [newest] = await demo.sql.query(`SELECT power FROM api.iotawatt ORDER BY "timestamp" DESC, device, sensor LIMIT 1`).then((r) => r.rows)
    await expect.poll(() => pageText(page), { timeout: 10_000 }).toContain(`"power": ${newest.power}`)
    // A new reading, written by another client of the database: the result changes by itself.
    const reading = { ...demoReadingsAt(Date.now()).find((r) => r.device === 'iotawatt-shop' && r.sensor === 'compressor')!, power: 8765.25 }
    await demo.insert([reading])
    const committed = Date.now()
    await expect.poll(() => pageText(page), { timeout: 5_000, interval: 100 }).toContain('"power": 8765.25')
    console.log(`GraphiQL: the @live result showed the inserted reading ${Date.now() - committed} ms after its commit`)
    const text = await pageText(page)
    expect(text).toContain('"device": "iotawatt-shop"')
    expect(text).toContain('"sensor": "compressor"')
    expect(local.blocked).toEqual([])
    await local.context.close()
  }, 240_000)
})
