/**
 * iotawatt (../shared/fixtures/iotawatt): the reference table api.iotawatt, 103,680 rows and NO
 * primary key. With the key declared in config (device, sensor, timestamp) it gets lookups,
 * nodeIds and keyset pages; without it, it must still be listed with offset cursors. Compared
 * with SQL on the same database.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { introspectDatabase } from '../../src/introspect/introspect-database.js'
import type { TestGateway } from '../support/gateway.js'
import { as, datamodelMatchesGenerated, listRelations, rootLists, stitch, useFixture } from './fixture.js'

const KEY = { 'api.iotawatt': ['device', 'sensor', 'timestamp'] }
const fx = useFixture('iotawatt', { schemas: ['api'], primaryKeys: KEY })
datamodelMatchesGenerated(fx)

const COLUMNS = 'device sensor timestamp power pf current v'
const columnsSql = `device, sensor, ${as.timestamptz('"timestamp"')} AS "timestamp", power, pf, current, v`

describe('with the declared key (device, sensor, timestamp)', () => {
  it('has exactly one root list, iotawatts, reading api.iotawatt', () => {
    expect(rootLists(fx.api)).toEqual(['iotawatts'])
    expect(listRelations(fx.api)).toEqual({ iotawatts: 'api.iotawatt' })
  })

  it('iotawatts: totalCount is 103680, count(*) of api.iotawatt', async () => {
    const data = await fx.api.data('{ iotawatts { totalCount } }')
    const [{ count }] = await fx.rows('SELECT count(*)::int AS count FROM api.iotawatt')
    expect(count).toBe(103_680)
    expect(data.iotawatts.totalCount).toBe(count)
  })

  it('the first page is in key order', async () => {
    const data = await fx.api.data(`{ iotawatts(first: 10) { nodes { ${COLUMNS} } } }`)
    expect(data.iotawatts.nodes).toEqual(await fx.rows(`SELECT ${columnsSql} FROM api.iotawatt ORDER BY device, sensor, "timestamp" LIMIT 10`))
  })

  it('looks rows up by the declared key, and again by their nodeId', async () => {
    const samples = await fx.rows(`SELECT ${columnsSql} FROM api.iotawatt
      WHERE ("timestamp" = '2024-03-01T12:00:00Z' AND sensor = 'hvac') OR ("timestamp" = '2024-03-01T03:33:20Z' AND sensor = 'ev_charger')
         OR ("timestamp" = '2024-03-01T23:59:50Z' AND device = 'iotawatt-shop' AND sensor = 'ev_charger')
      ORDER BY device, sensor, "timestamp"`)
    expect(samples).toHaveLength(4)
    expect(samples.some((s) => s.pf === null)).toBe(true)
    for (const row of samples) {
      const data = await fx.api.data(
        `query($d: String!, $s: String!, $t: DateTime!) { iotawatt(device: $d, sensor: $s, timestamp: $t) { nodeId ${COLUMNS} } }`,
        { d: row.device, s: row.sensor, t: row.timestamp },
      )
      const { nodeId, ...found } = data.iotawatt
      expect(found).toEqual(row)
      const again = await fx.api.data('query($id: ID!) { node(nodeId: $id) { __typename ... on Iotawatt { device sensor timestamp power } } }', { id: nodeId })
      expect(again.node).toEqual({ __typename: 'Iotawatt', device: row.device, sensor: row.sensor, timestamp: row.timestamp, power: row.power })
    }
    const missing = await fx.api.data('{ iotawatt(device: "iotawatt-house", sensor: "hvac", timestamp: "2024-03-01T12:00:05Z") { power } }')
    expect(missing.iotawatt).toBeNull()
  })

  const filters: [name: string, where: string, sqlWhere: string][] = [
    ['house, power > 100', '{ device: { equals: "iotawatt-house" }, power: { gt: 100 } }', `device = 'iotawatt-house' AND power > 100`],
    ['pf is null', '{ pf: { isNull: true } }', 'pf IS NULL'],
    ['ev_charger, pf not null', '{ sensor: { equals: "ev_charger" }, pf: { isNull: false } }', `sensor = 'ev_charger' AND pf IS NOT NULL`],
    ['one hour', '{ timestamp: { gte: "2024-03-01T10:00:00Z", lt: "2024-03-01T11:00:00Z" } }', `"timestamp" >= '2024-03-01T10:00:00Z' AND "timestamp" < '2024-03-01T11:00:00Z'`],
    ['sensor in, pf < 0.85', '{ sensor: { in: ["mains", "mains_a", "fridge"] }, pf: { lt: 0.85 } }', `sensor IN ('mains', 'mains_a', 'fridge') AND pf < 0.85`],
    ['OR, NOT', '{ OR: [{ v: { gt: 233 } }, { v: { lt: 118.2 } }], NOT: { device: { startsWith: "iotawatt-s" } } }', `(v > 233 OR v < 118.2) AND NOT device LIKE 'iotawatt-s%'`],
  ]
  it.each(filters)('filter %s: totalCount and first page equal SQL', async (_name, where, sqlWhere) => {
    const data = await fx.api.data(`{ iotawatts(first: 25, where: ${where}) { totalCount nodes { ${COLUMNS} } } }`)
    const [{ count }] = await fx.rows(`SELECT count(*)::int AS count FROM api.iotawatt WHERE ${sqlWhere}`)
    expect(count).toBeGreaterThan(0)
    expect(data.iotawatts.totalCount).toBe(count)
    expect(data.iotawatts.nodes).toEqual(await fx.rows(`SELECT ${columnsSql} FROM api.iotawatt WHERE ${sqlWhere} ORDER BY device, sensor, "timestamp" LIMIT 25`))
  })

  it('orderBy [{ timestamp: DESC }, { sensor: ASC }]: the first 50 equal SQL (the key completes the order)', async () => {
    const data = await fx.api.data(`{ iotawatts(first: 50, orderBy: [{ timestamp: DESC }, { sensor: ASC }]) { nodes { ${COLUMNS} } } }`)
    const expected = await fx.rows(`SELECT ${columnsSql} FROM api.iotawatt t ORDER BY t."timestamp" DESC, t.sensor ASC, t.device ASC LIMIT 50`)
    expect(data.iotawatts.nodes).toEqual(expected)
  })

  describe('keyset pages over one device and sensor for one hour (360 rows, pages of 50)', () => {
    const where = 'where: { device: { equals: "iotawatt-house" }, sensor: { equals: "kitchen" }, timestamp: { gte: "2024-03-01T18:00:00Z", lt: "2024-03-01T19:00:00Z" } }'
    const subset = `device = 'iotawatt-house' AND sensor = 'kitchen' AND "timestamp" >= '2024-03-01T18:00:00Z' AND "timestamp" < '2024-03-01T19:00:00Z'`

    it('in key order, forwards and backwards, cover it exactly once and in order', async () => {
      const expected = await fx.rows(`SELECT ${as.timestamptz('"timestamp"')} AS "timestamp", power FROM api.iotawatt WHERE ${subset} ORDER BY device, sensor, "timestamp"`)
      expect(expected).toHaveLength(360)
      const forward = await stitch(fx.api, 'iotawatts', 'timestamp power', 'forward', 50, where)
      expect(forward.nodes).toEqual(expected)
      expect(forward.pages).toBe(8)
      const backward = await stitch(fx.api, 'iotawatts', 'timestamp power', 'backward', 50, where)
      expect(backward.nodes).toEqual(expected)
      expect(backward.pages).toBe(8)
    })

    it('ordered by power descending, forwards and backwards, cover it exactly once and in order', async () => {
      const expected = await fx.rows(`SELECT ${as.timestamptz('"timestamp"')} AS "timestamp", power FROM api.iotawatt t WHERE ${subset} ORDER BY t.power DESC, t.device, t.sensor, t."timestamp"`)
      const args = `${where}, orderBy: [{ power: DESC }]`
      expect((await stitch(fx.api, 'iotawatts', 'timestamp power', 'forward', 50, args)).nodes).toEqual(expected)
      expect((await stitch(fx.api, 'iotawatts', 'timestamp power', 'backward', 50, args)).nodes).toEqual(expected)
    })

    it('over the timestamp DESC, sensor ASC order of both devices\' ev_charger', async () => {
      const subset2 = `sensor = 'ev_charger' AND "timestamp" >= '2024-03-01T01:00:00Z' AND "timestamp" < '2024-03-01T01:30:00Z'`
      const where2 = 'where: { sensor: { equals: "ev_charger" }, timestamp: { gte: "2024-03-01T01:00:00Z", lt: "2024-03-01T01:30:00Z" } }, orderBy: [{ timestamp: DESC }, { sensor: ASC }]'
      const expected = await fx.rows(`SELECT device, ${as.timestamptz('"timestamp"')} AS "timestamp" FROM api.iotawatt t WHERE ${subset2} ORDER BY t."timestamp" DESC, t.sensor, t.device`)
      expect(expected).toHaveLength(360)
      expect((await stitch(fx.api, 'iotawatts', 'device timestamp', 'forward', 50, where2)).nodes).toEqual(expected)
      expect((await stitch(fx.api, 'iotawatts', 'device timestamp', 'backward', 50, where2)).nodes).toEqual(expected)
    })
  })
})

describe('without a declared key (a second gateway)', () => {
  // api.iotawatt has no primary key but one index (iotawatt_timestamp_idx): served as a read-only
  // Prisma view, it must lose that index, or `prisma generate` refuses the schema ("Views cannot
  // have indexes"; this failed until a179155).
  let keyless: TestGateway
  beforeAll(async () => {
    keyless = await fx.gateway({ schemas: ['api'] })
  })

  // A keyless list is ordered by every column, in column order.
  const where = '{ device: { equals: "iotawatt-shop" }, sensor: { equals: "heat_pump" }, power: { gt: 1000 } }'
  const sqlWhere = `device = 'iotawatt-shop' AND sensor = 'heat_pump' AND power > 1000`
  const order = 'ORDER BY t."timestamp", t.device, t.sensor, t.power, t.pf, t.current, t.v'

  it('still lists iotawatts, with offset cursors and no lookup', () => {
    expect(rootLists(keyless)).toEqual(['iotawatts'])
    const fields = keyless.gateway.schema.getQueryType()!.getFields()
    expect(fields.iotawatts!.description).toMatch(/no key: cursors are offsets/)
    expect(fields.iotawatt).toBeUndefined()
  })

  it('totalCount is exact', async () => {
    const data = await keyless.data('{ iotawatts { totalCount } }')
    const [{ count }] = await fx.rows('SELECT count(*)::int AS count FROM api.iotawatt')
    expect(data.iotawatts.totalCount).toBe(count)
    expect(count).toBe(103_680)
  })

  it('a filtered page, and the page after its endCursor, equal SQL', async () => {
    const first = await keyless.data(`{ iotawatts(first: 40, where: ${where}) { totalCount pageInfo { endCursor hasNextPage } nodes { ${COLUMNS} } } }`)
    const [{ count }] = await fx.rows(`SELECT count(*)::int AS count FROM api.iotawatt WHERE ${sqlWhere}`)
    expect(count).toBeGreaterThan(80)
    expect(first.iotawatts.totalCount).toBe(count)
    expect(first.iotawatts.pageInfo.hasNextPage).toBe(true)
    expect(first.iotawatts.nodes).toEqual(await fx.rows(`SELECT ${columnsSql} FROM api.iotawatt t WHERE ${sqlWhere} ${order} LIMIT 40`))
    const next = await keyless.data(`query($after: String) { iotawatts(first: 40, after: $after, where: ${where}) { nodes { ${COLUMNS} } } }`, { after: first.iotawatts.pageInfo.endCursor })
    expect(next.iotawatts.nodes).toEqual(await fx.rows(`SELECT ${columnsSql} FROM api.iotawatt t WHERE ${sqlWhere} ${order} OFFSET 40 LIMIT 40`))
  })

  it('offset pages stitched forwards cover the filtered rows exactly once and in order', async () => {
    const expected = await fx.rows(`SELECT ${as.timestamptz('"timestamp"')} AS "timestamp", power FROM api.iotawatt t WHERE ${sqlWhere} ${order}`)
    const pages = await stitch(keyless, 'iotawatts', 'timestamp power', 'forward', 50, `where: ${where}`)
    expect(pages.nodes).toEqual(expected)
  })
})

describe('introspection', () => {
  it.each([
    ['with the declared key', KEY],
    ['without a key', {}],
  ])('is idempotent %s: introspecting again with the first result as previous gives the identical text', async (_name, primaryKeys) => {
    const options = { schemas: ['api'], primaryKeys }
    const first = await introspectDatabase(fx.api.gateway.pool, options)
    if (primaryKeys === KEY) expect(first.prismaSchema).toBe(fx.api.gateway.prismaSchema)
    const second = await introspectDatabase(fx.api.gateway.pool, { ...options, previous: first.prismaSchema })
    expect(second.prismaSchema).toBe(first.prismaSchema)
  })
})
