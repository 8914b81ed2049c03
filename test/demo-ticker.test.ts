/**
 * The live demo's ticker (src/db/demo-ticker.ts) on a real database with the reference structure:
 * every tick inserts exactly the readings demoReadingsAt gives for that instant, and the readings it
 * draws follow the generated days' model.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_SCHEMA_SQL } from '../src/db/demo-database.js'
import { DEMO_DEVICES, DEMO_START, demoReadings, demoReadingsAt } from '../src/db/demo-readings.js'
import { startDemoTicker } from '../src/db/demo-ticker.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'

const SENSORS = DEMO_DEVICES.reduce((n, d) => n + 1 + d.branches.length, 0)

describe('demoReadingsAt', () => {
  it('gives the generated readings at a generated minute, and plausible ones at any instant', () => {
    // The same model: at a minute of the generated days, the same sensors draw (the same cycles and
    // hours), with the same loads give or take the noise (keyed by the second here, by the minute there).
    const branchOf = new Map(DEMO_DEVICES.flatMap((d) => d.branches.map((b) => [`${d.device}/${b.sensor}`, b] as const)))
    for (const minute of [9 * 60 + 17, 26 * 60 + 3, 47 * 60 + 59]) {
      const time = DEMO_START + minute * 60_000
      const generated = [...demoReadings()].filter((r) => r.time === time)
      const now = demoReadingsAt(time)
      expect(now.map((r) => `${r.device}/${r.sensor}/${r.pf === null}`)).toEqual(generated.map((r) => `${r.device}/${r.sensor}/${r.pf === null}`))
      for (const [i, r] of now.entries()) {
        const branch = branchOf.get(`${r.device}/${r.sensor}`)
        if (branch) expect(Math.abs(r.power - generated[i]!.power)).toBeLessThanOrEqual(2 * branch.noiseW + 0.01)
        expect(Math.abs(r.v - generated[i]!.v)).toBeLessThanOrEqual(0.9)
      }
    }
    // Seconds apart, in another year: one per sensor, stamped then, plausible, and not all the same.
    const base = Date.UTC(2026, 5, 3, 14, 0, 0) // a Wednesday
    const samples = Array.from({ length: 30 }, (_, i) => demoReadingsAt(base + i * 2_000 + 7))
    for (const [i, readings] of samples.entries()) {
      expect(readings).toHaveLength(SENSORS)
      expect(new Set(readings.map((r) => `${r.device}/${r.sensor}`)).size).toBe(SENSORS)
      for (const r of readings) {
        expect(r.time).toBe(base + i * 2_000 + 7)
        expect(r.power).toBeGreaterThanOrEqual(0)
        expect(r.v).toBeGreaterThan(100)
        if (r.pf === null) expect(r.power).toBe(0)
        else {
          expect(r.pf).toBeGreaterThanOrEqual(0.8)
          expect(r.pf).toBeLessThanOrEqual(1)
          expect(Math.abs(r.current - r.power / (r.v * r.pf))).toBeLessThan(0.001)
        }
      }
      // Mains carries at least its branches.
      for (const device of DEMO_DEVICES) {
        const mine = readings.filter((r) => r.device === device.device)
        const branches = mine.filter((r) => r.sensor !== 'mains').reduce((w, r) => w + r.power, 0)
        expect(mine.find((r) => r.sensor === 'mains')!.power).toBeGreaterThan(branches)
      }
    }
    const serverRack = samples.map((s) => s.find((r) => r.sensor === 'server_rack')!.power)
    expect(new Set(serverRack).size).toBeGreaterThan(20)
    expect(Math.min(...serverRack)).toBeGreaterThan(580)
    expect(Math.max(...serverRack)).toBeLessThan(660)
  })
})

describe('startDemoTicker', () => {
  let db: TestDatabase
  let sql: pg.Client
  beforeAll(async () => {
    db = await createTestDatabase('demo_ticker', DEMO_SCHEMA_SQL)
    sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
  })
  afterAll(async () => {
    await sql?.end()
    await db?.drop()
  })

  it('inserts one reading per sensor per tick, exactly the model`s, until stopped', async () => {
    let clock = Date.UTC(2026, 0, 10, 8, 30, 0, 250)
    const times: number[] = []
    const ticker = startDemoTicker({
      url: db.url,
      intervalMs: 100,
      now: () => {
        times.push((clock += 1_000))
        return clock
      },
    })
    for (const deadline = Date.now() + 10_000; ticker.inserted < 3 * SENSORS && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50))
    await ticker.stop()
    const count = ticker.inserted
    expect(count).toBeGreaterThanOrEqual(3 * SENSORS)
    expect(count).toBe(times.length * SENSORS)
    const { rows } = await sql.query(
      `SELECT (extract(epoch FROM "timestamp") * 1000)::bigint::float8 AS time, device, sensor, power, pf, current, v
         FROM api.iotawatt ORDER BY "timestamp", device COLLATE "C", sensor COLLATE "C"`,
    )
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
    const expected = times.flatMap((t) => demoReadingsAt(t)).sort((a, b) => a.time - b.time || cmp(a.device, b.device) || cmp(a.sensor, b.sensor))
    expect(rows).toEqual(expected)
    // Stopped: nothing more arrives.
    await new Promise((r) => setTimeout(r, 300))
    expect((await sql.query('SELECT count(*)::int AS n FROM api.iotawatt')).rows[0].n).toBe(count)
  })

  it('keeps trying when the database refuses, and says so once', async () => {
    const lines: string[] = []
    const ticker = startDemoTicker({ url: db.url.replace(/\/[^/]+$/, '/portico_no_such_db'), intervalMs: 100, log: (line) => lines.push(line) })
    await new Promise((r) => setTimeout(r, 600))
    await ticker.stop()
    expect(ticker.inserted).toBe(0)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^demo readings: cannot insert \(.*portico_no_such_db.*\); retrying every tick$/)
  })
})
