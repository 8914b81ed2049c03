/**
 * The reference table has no primary key. Without a declared key it is still fully readable:
 * filtered, ordered, counted and paged by offset, duplicate rows included; with one (see
 * drift.test.ts and the fixture suite) it gets lookups, Node and keyset cursors.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEMO_SCHEMA_SQL } from '../src/db/demo-database.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'

const ROWS = `INSERT INTO api.iotawatt VALUES
  ('2024-03-01 00:00:00+00', 'house', 'mains', 100, 0.9, 0.9, 120),
  ('2024-03-01 00:00:00+00', 'house', 'mains', 100, 0.9, 0.9, 120),
  ('2024-03-01 00:00:00+00', 'house', 'fridge', 0, NULL, 0, 120),
  ('2024-03-01 00:01:00+00', 'shop', 'mains', 250.5, 0.95, 1.1, 230),
  ('2024-03-01 00:01:00+00', 'house', 'mains', 90, 0.91, 0.8, 121)`

let db: TestDatabase
let api: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('keyless', [DEMO_SCHEMA_SQL, ROWS])
  api = await startTestGateway(db.url, { schemas: ['api'] })
})
afterAll(async () => {
  await api?.close()
  await db?.drop()
})

it('has a list (and its groups) but no lookup and no Node without a key', () => {
  const fields = api.gateway.schema.getQueryType()!.getFields()
  // deviceEnergyKwh: the demo's function (src/db/demo-database.ts), not a lookup.
  expect(Object.keys(fields).sort()).toEqual(['deviceEnergyKwh', 'iotawatts', 'iotawattsGroupBy'])
  expect(api.gateway.schema.getType('Node')).toBeUndefined()
})

it('lists duplicates, filters, orders and counts exactly', async () => {
  const data = await api.data(`{ iotawatts(where: { device: { equals: "house" } }, orderBy: [{ timestamp: DESC }, { sensor: ASC }]) {
    totalCount nodes { timestamp sensor power pf } } }`)
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const { rows } = await client.query(`SELECT replace(("timestamp" AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z' AS timestamp, sensor, power, pf
    FROM api.iotawatt WHERE device = 'house' ORDER BY "timestamp" DESC, sensor, device, power, pf, current, v`)
  await client.end()
  expect(data.iotawatts).toEqual({ totalCount: 4, nodes: rows })
})

it('pages by offset cursors over duplicates, covering every row once', async () => {
  const first = await api.data('{ iotawatts(first: 2) { pageInfo { hasNextPage endCursor } nodes { sensor power } } }')
  const second = await api.data(`{ iotawatts(first: 10, after: "${first.iotawatts.pageInfo.endCursor}") { pageInfo { hasNextPage } nodes { sensor power } } }`)
  expect(first.iotawatts.pageInfo.hasNextPage).toBe(true)
  expect(second.iotawatts.pageInfo.hasNextPage).toBe(false)
  expect([...first.iotawatts.nodes, ...second.iotawatts.nodes]).toHaveLength(5)
  expect(first.iotawatts.nodes).toEqual([{ sensor: 'fridge', power: 0 }, { sensor: 'mains', power: 100 }])
})
