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

it('with a declared key: deleteManyIotawatt(where: {}) is refused and nothing is lost; maxBulkRows caps all: true', async () => {
  const keyed = await startTestGateway(db.url, { schemas: ['api'], primaryKeys: { 'api.iotawatt': ['device', 'sensor', 'timestamp'] }, limits: { maxBulkRows: 4 } })
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const all = async () => (await client.query('SELECT device, sensor, power::float8 AS power FROM api.iotawatt ORDER BY 1, 2, 3')).rows
  try {
    const before = await all()
    expect(before).toHaveLength(5)
    const refused = await keyed.query('mutation { deleteManyIotawatt(where: {}) { count } }')
    expect(refused).toEqual({
      data: { deleteManyIotawatt: null },
      errors: [expect.objectContaining({ message: 'deleteManyIotawatt has no filter and would delete every Iotawatt row: give a where that selects rows, or all: true to delete them all', extensions: { code: 'UNFILTERED_BULK_WRITE', type: 'Iotawatt' } })],
    })
    const capped = await keyed.query('mutation { deleteManyIotawatt(all: true) { count } }')
    expect(capped.errors?.map((e) => e.extensions)).toEqual([{ code: 'BULK_LIMIT_EXCEEDED', type: 'Iotawatt', count: 5, maxBulkRows: 4 }])
    expect(await all()).toEqual(before)
    // Four rows is within the cap: the filter picks them (duplicates included), the shop's stays.
    expect(await keyed.data('mutation { updateManyIotawatt(where: { device: { equals: "house" } }, data: { v: 1 }) { count } }')).toEqual({ updateManyIotawatt: { count: 4 } })
    expect((await client.query('SELECT device, v::float8 AS v FROM api.iotawatt ORDER BY 1, 2')).rows).toEqual([...Array(4).fill({ device: 'house', v: 1 }), { device: 'shop', v: 230 }])
    expect(await keyed.data('mutation { deleteManyIotawatt(where: { device: { equals: "shop" } }) { count } }')).toEqual({ deleteManyIotawatt: { count: 1 } })
    expect(await all()).toEqual(before.filter((r) => r.device !== 'shop'))
  } finally {
    await client.end()
    await keyed.close()
  }
})
