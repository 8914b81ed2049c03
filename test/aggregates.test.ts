/**
 * Aggregates on the project's own test database: on root lists and relations (merged into the
 * parent's one statement, whatever the number of parents), over every type they apply to, and
 * group-by with its keys, having and order. Compared with SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let api: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('aggregates', readFixtureSql('portico-test.sql'))
  api = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'] })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await db?.drop()
})

const rows = async (sql: string) => (await api.gateway.pool.query(sql)).rows

describe('aggregates on a list', () => {
  it('sum and avg of int, bigint, numeric and floats; min and max of numbers, text, dates, timestamps and enums', async () => {
    const data = await api.data(`{ allTypes { aggregates {
      count sum { cSmallint cInteger cBigint cNumeric cReal } avg { cInteger cNumeric cDouble }
      min { cInteger cText cDate cTimestamptz cMood } max { cBigint cNumeric cVarchar cTimestamp } } } }`)
    const [r] = await rows(`SELECT count(*)::int AS count, sum(c_smallint)::text AS s1, sum(c_integer)::text AS s2, sum(c_bigint)::text AS s3,
        sum(c_numeric)::text AS s4, sum(c_real::numeric)::float8 AS s5, avg(c_integer)::text AS a1, avg(c_numeric)::text AS a2,
        avg(c_double::numeric)::float8 AS a3, min(c_integer) AS n1, min(c_text) AS n2, min(c_date)::text AS n3,
        replace((min(c_timestamptz) AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z' AS n4, min(c_mood)::text AS n5,
        max(c_bigint)::text AS x1, max(c_numeric)::text AS x2, max(c_varchar) AS x3, replace(max(c_timestamp)::text, ' ', 'T') AS x4
      FROM public.all_types`)
    expect(data.allTypes.aggregates).toEqual({
      count: r.count,
      sum: { cSmallint: r.s1, cInteger: r.s2, cBigint: r.s3, cNumeric: r.s4, cReal: r.s5 },
      avg: { cInteger: r.a1, cNumeric: r.a2, cDouble: r.a3 },
      min: { cInteger: r.n1, cText: r.n2, cDate: r.n3, cTimestamptz: r.n4, cMood: r.n5 },
      max: { cBigint: r.x1, cNumeric: r.x2, cVarchar: r.x3, cTimestamp: r.x4 },
    })
    expect(api.statements).toHaveLength(1)
  })

  it('with a where, over all matching rows, not the page', async () => {
    const data = await api.data('{ orderLines(first: 1, where: { quantity: { gt: 3 } }) { totalCount aggregates { count sum { quantity } max { itemSku } } } }')
    const [r] = await rows(`SELECT count(*)::int AS count, sum(quantity)::text AS sum, max(item_sku) AS max FROM app.order_line WHERE quantity > 3`)
    expect(data.orderLines).toEqual({ totalCount: r.count, aggregates: { count: r.count, sum: { quantity: r.sum }, max: { itemSku: r.max } } })
  })
})

describe('relation aggregates are part of the parent statement', () => {
  it.each([2, 6])('each order with the count and total quantity of its lines (%i orders): one statement', async (n) => {
    const data = await api.data(`{ orders(first: ${n}) { nodes { id orderLines { aggregates { count sum { quantity } avg { quantity } } } } } }`)
    expect(api.statements).toHaveLength(1)
    const expected = await rows(`SELECT o.id, count(l.*)::int AS count, sum(l.quantity)::text AS sum, avg(l.quantity)::text AS avg
      FROM app."order" o LEFT JOIN app.order_line l ON l.order_id = o.id GROUP BY o.id ORDER BY o.id LIMIT ${n}`)
    expect(data.orders.nodes).toEqual(expected.map((r: any) => ({ id: r.id, orderLines: { aggregates: { count: r.count, sum: { quantity: r.sum }, avg: { quantity: r.avg } } } })))
  })
})

describe('group by', () => {
  it('by columns, with having and ordered by an aggregate; keys not grouped by are null', async () => {
    const data = await api.data(`{ orderLinesGroupBy(by: [itemSku], having: { count: { gte: 2 } }, orderBy: [{ sum: { quantity: DESC } }]) {
      key { itemSku orderId } aggregates { count sum { quantity } } } }`)
    const expected = await rows(`SELECT item_sku, count(*)::int AS count, sum(quantity)::text AS sum FROM app.order_line
      GROUP BY item_sku HAVING count(*) >= 2 ORDER BY sum(quantity) DESC, item_sku`)
    expect(data.orderLinesGroupBy).toEqual(expected.map((r: any) => ({ key: { itemSku: r.item_sku, orderId: null }, aggregates: { count: r.count, sum: { quantity: r.sum } } })))
    expect(api.statements).toHaveLength(1)
  })

  it('by an enum (in its declared order, as PostgreSQL sorts enums), paged with first and offset', async () => {
    const data = await api.data('{ ordersGroupBy(by: [status], first: 2, offset: 1) { key { status } aggregates { count min { from } } } }')
    const expected = await rows(`SELECT o.status::text AS status, count(*)::int AS count, min(o."from")::text AS min FROM app."order" o GROUP BY o.status ORDER BY o.status LIMIT 2 OFFSET 1`)
    expect(data.ordersGroupBy).toEqual(expected.map((r: any) => ({ key: { status: r.status }, aggregates: { count: r.count, min: { from: r.min } } })))
  })

  it('ordering by a key that is not grouped by is a clear error', async () => {
    const result = await api.query('{ orderLinesGroupBy(by: [itemSku], orderBy: [{ key: { quantity: ASC } }]) { aggregates { count } } }')
    expect(result.errors?.[0]?.message).toBe("orderBy key.quantity: quantity is not one of the groups' columns (by)")
  })
})
