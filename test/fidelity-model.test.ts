/**
 * Real schemas answered exactly (issue 11), on test/fixtures/portico-fidelity.sql: lookups by
 * every unique key, relations of keyless tables and of views with declared keys, domains, names
 * chosen with smart tags and hidden columns. Every answer is compared with the SQL that answers
 * the same question; reads stay one statement.
 */
import { printSchema } from 'graphql'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { printSubgraphSDL } from '../src/schema/build-schema.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'

let db: TestDatabase
let api: TestGateway
let sql: pg.Pool

beforeAll(async () => {
  db = await createTestDatabase('fidelity', readFixtureSql('portico-fidelity.sql'))
  api = await startTestGateway(db.url, { schemas: ['shop', 'ops'] })
  sql = new pg.Pool({ connectionString: db.url, max: 2 })
})
afterAll(async () => {
  await sql?.end()
  await api?.close()
  await db?.drop()
})

const rows = async (text: string, values: unknown[] = []) => (await sql.query(text, values)).rows
/** Each field of a type with its GraphQL type, as the SDL prints it. */
const typesOf = (type: string): Record<string, string> =>
  Object.fromEntries(Object.values((api.gateway.schema.getType(type) as any).getFields()).map((f: any) => [f.name, String(f.type)]))
/** The same operation executed field by field: introspection in it leaves the one-statement path. */
const fieldByField = (query: string) => query.replace(/^\{/, '{ __schema { queryType { name } } ')

describe('lookups by every unique key', () => {
  it('has a root lookup per unique constraint and index, none for expression or partial indexes', () => {
    const names = Object.keys(api.gateway.schema.getQueryType()!.getFields())
    expect(names.filter((n) => /By[A-Z]/.test(n)).sort()).toEqual([
      'customerByEmail',
      'customerByRegionAndCustomerNo',
      'customerByUsername',
      'latestOrderById',
      'productSaleBySku',
    ])
  })

  it('finds rows by a citext key case-insensitively, by a nullable unique and by a two-column key, in one statement', async () => {
    const query = `{ a: customerByEmail(email: "ADA@example.COM") { id email } b: customerByUsername(username: "ken") { id }
      c: customerByRegionAndCustomerNo(region: "eu", customerNo: 3) { id lastName } d: customerByEmail(email: "nobody@x.y") { id } }`
    const data = await api.data(query)
    expect(api.statements).toHaveLength(1)
    const [ada] = await rows(`SELECT id, email::text FROM shop.customer WHERE email = $1::citext`, ['ADA@example.COM'])
    const [ken] = await rows(`SELECT id FROM shop.customer WHERE username = 'ken'`)
    const [edsger] = await rows(`SELECT id, last_name AS "lastName" FROM shop.customer WHERE region = 'eu' AND customer_no = 3`)
    expect(data).toEqual({ a: ada, b: ken, c: edsger, d: null })
    expect(await api.data(fieldByField(query))).toMatchObject({ a: ada, b: ken, c: edsger, d: null })
  })

  it('batches many lookups by one unique key into one statement on either path', async () => {
    const emails = (await rows('SELECT email::text AS email, id FROM shop.customer ORDER BY id')) as { email: string; id: number }[]
    const query = `{ ${emails.map((e, i) => `c${i}: customerByEmail(email: ${JSON.stringify(e.email.toUpperCase())}) { id }`).join(' ')} }`
    const expected = Object.fromEntries(emails.map((e, i) => [`c${i}`, { id: e.id }]))
    expect(await api.data(query)).toEqual(expected)
    expect(api.statements).toHaveLength(1)
    expect(await api.data(fieldByField(query))).toMatchObject(expected)
    expect(api.statements).toHaveLength(1)
  })

  it('looks up a materialized view by its unique index and a view by its declared @unique', async () => {
    const data = await api.data(`{ productSaleBySku(sku: "AB-001") { sku events } latestOrderById(id: 6) { id customerId } }`)
    const [sale] = await rows(`SELECT sku::text, events FROM shop.product_sales WHERE sku = 'AB-001'`)
    const [order] = await rows(`SELECT id, customer_id AS "customerId" FROM ops.recent_orders WHERE id = 6`)
    expect(data).toEqual({ productSaleBySku: sale, latestOrderById: order })
    expect(api.statements).toHaveLength(1)
  })
})

describe('relations of keyless tables and views', () => {
  it('a keyless table has its to-one fields, and the referenced type a connection back, with offset pages', async () => {
    const query = `{ orderEvents(first: 3, where: { kind: { equals: "placed" } }, orderBy: [{ happenedAt: ASC }]) {
        nodes { kind order { id buyer { id } } productBySku { sku name } } }
      order(id: 1) { orderEvents(first: 2) { totalCount nodes { sku } pageInfo { hasNextPage endCursor } } } }`
    const data = await api.data(query)
    expect(api.statements).toHaveLength(1)
    const events = await rows(`SELECT e.kind, e.order_id, o.customer_id, e.sku::text, p.name FROM ops.order_event e JOIN shop.orders o ON o.id = e.order_id
      LEFT JOIN shop.product p ON p.sku = e.sku WHERE e.kind = 'placed' ORDER BY e.happened_at, e.order_id, e.sku, e.kind LIMIT 3`)
    expect(data.orderEvents.nodes).toEqual(
      events.map((e) => ({ kind: e.kind, order: { id: e.order_id, buyer: { id: e.customer_id } }, productBySku: e.sku ? { sku: e.sku, name: e.name } : null })),
    )
    const [{ count }] = await rows(`SELECT count(*)::int AS count FROM ops.order_event WHERE order_id = 1`)
    expect(data.order.orderEvents.totalCount).toBe(count)
    expect(data.order.orderEvents.nodes).toHaveLength(2)
    expect(data.order.orderEvents.pageInfo.hasNextPage).toBe(count > 2)
    const next = await api.data(`{ order(id: 1) { orderEvents(first: 5, after: "${data.order.orderEvents.pageInfo.endCursor}") { nodes { sku } } } }`)
    const all = await rows(`SELECT sku::text FROM ops.order_event WHERE order_id = 1`)
    expect([...data.order.orderEvents.nodes, ...next.order.orderEvents.nodes].map((n: { sku: string }) => n.sku).sort()).toEqual(all.map((r) => r.sku).sort())
  })

  it('filters through those relations both ways, like a keyed table', async () => {
    const data = await api.data(`{
      orders(where: { orderEvents: { some: { kind: { equals: "cancelled" } } } }) { nodes { id } }
      none: orders(where: { orderEvents: { none: {} } }) { nodes { id } }
      orderEvents(where: { order: { is: { customerId: { equals: 4 } } } }) { totalCount }
      noProduct: orderEvents(where: { productBySku: { isNull: true } }) { totalCount } }`)
    expect(api.statements).toHaveLength(1)
    expect(data.orders.nodes).toEqual(await rows(`SELECT id FROM shop.orders o WHERE EXISTS (SELECT 1 FROM ops.order_event e WHERE e.order_id = o.id AND e.kind = 'cancelled') ORDER BY id`))
    expect(data.none.nodes).toEqual(await rows(`SELECT id FROM shop.orders o WHERE NOT EXISTS (SELECT 1 FROM ops.order_event e WHERE e.order_id = o.id) ORDER BY id`))
    const [{ c4 }] = await rows(`SELECT count(*)::int AS c4 FROM ops.order_event e JOIN shop.orders o ON o.id = e.order_id WHERE o.customer_id = 4`)
    const [{ nulls }] = await rows(`SELECT count(*)::int AS nulls FROM ops.order_event WHERE sku IS NULL`)
    expect(data.orderEvents.totalCount).toBe(c4)
    expect(data.noProduct.totalCount).toBe(nulls)
  })

  it('a view with a declared key and foreign key navigates to its table and back (one-to-one), filters and looks up', async () => {
    const query = `{ customerStats(orderBy: [{ customerId: ASC }]) { nodes { customerId orderCount customer { lastName stats { orderCount } } } }
      customer(id: 4) { stats { orderCount } latestOrders { nodes { id } } }
      busy: customers(where: { stats: { is: { orderCount: { gt: 1 } } } }) { nodes { id } }
      customerStat(customerId: 2) { orderCount nodeId } }`
    const data = await api.data(query)
    expect(api.statements).toHaveLength(1)
    const stats = await rows(`SELECT s.customer_id, s.order_count, c.last_name FROM shop.customer_stats s JOIN shop.customer c ON c.id = s.customer_id ORDER BY 1`)
    expect(data.customerStats.nodes).toEqual(stats.map((s) => ({ customerId: s.customer_id, orderCount: s.order_count, customer: { lastName: s.last_name, stats: { orderCount: s.order_count } } })))
    const [four] = await rows(`SELECT order_count FROM shop.customer_stats WHERE customer_id = 4`)
    expect(data.customer.stats).toEqual({ orderCount: four.order_count })
    expect(data.customer.latestOrders.nodes).toEqual(await rows(`SELECT id FROM ops.recent_orders WHERE customer_id = 4 ORDER BY id`))
    expect(data.busy.nodes).toEqual(await rows(`SELECT customer_id AS id FROM shop.customer_stats WHERE order_count > 1 ORDER BY 1`))
    // A declared key makes a Node of the view: its nodeId finds it again.
    const again = await api.data(`{ node(nodeId: "${data.customerStat.nodeId}") { ... on CustomerStat { customerId } } }`)
    expect(again.node).toEqual({ customerId: 2 })
    expect(await api.data(fieldByField(query))).toMatchObject(data)
  })

  it('a declared key makes the view columns non-null in the API, and its to-one fields stay nullable (not enforced)', () => {
    expect(typesOf('CustomerStat')).toMatchObject({ customerId: 'Int!', orderCount: 'Int', customer: 'Customer' })
    expect(typesOf('Customer')).toMatchObject({ stats: 'CustomerStat' })
  })

  it('a materialized view with a declared foreign key reaches its table', async () => {
    const data = await api.data(`{ productSales(orderBy: [{ sku: ASC }]) { nodes { sku events productBySku { name } } } product(sku: "CD-200") { productSale { events } } }`)
    const sales = await rows(`SELECT s.sku::text, s.events, p.name FROM shop.product_sales s JOIN shop.product p ON p.sku = s.sku ORDER BY s.sku`)
    expect(data.productSales.nodes).toEqual(sales.map((s) => ({ sku: s.sku, events: s.events, productBySku: { name: s.name } })))
    const [drum] = await rows(`SELECT events FROM shop.product_sales WHERE sku = 'CD-200'`)
    expect(data.product.productSale).toEqual(drum)
  })
})

describe('domains', () => {
  it('serves domain-typed columns as their base type with the domain NOT NULL, in tables and materialized views', () => {
    const fieldsOf = typesOf
    expect(fieldsOf('Product')).toMatchObject({ sku: 'String!', price: 'Decimal!', labels: expect.stringMatching(/^\[String\]/) })
    expect(fieldsOf('ProductSale')).toMatchObject({ sku: 'String!', price: 'Decimal!', labels: expect.stringMatching(/^\[String\]/), events: 'Int' })
    expect(fieldsOf('Customer')).toMatchObject({ email: 'String!', since: 'Int' })
  })

  it('reads and filters them exactly (a filter value outside the domain CHECK is no error)', async () => {
    const data = await api.data(`{ products(orderBy: [{ sku: ASC }]) { nodes { sku price labels } }
      old: customers(where: { since: { lt: 1800 } }) { totalCount } recent: customers(where: { since: { gte: 2001 } }) { nodes { id } } }`)
    const products = await rows(`SELECT sku::text, price::text, labels::text[] FROM shop.product ORDER BY sku`)
    expect(data.products.nodes.map((p: any) => ({ ...p, labels: p.labels ?? [] }))).toEqual(products.map((p) => ({ ...p, labels: p.labels ?? [] })))
    expect(data.old.totalCount).toBe(0)
    expect(data.recent.nodes).toEqual(await rows(`SELECT id FROM shop.customer WHERE since >= 2001 ORDER BY id`))
  })

  it('leaves no column of the database out (hidden ones aside)', () => {
    expect(api.gateway.datamodel.leftOut).toEqual([])
  })
})

describe('names you choose', () => {
  it('renames both sides of a foreign key and a view', () => {
    const fields = (type: string) => Object.keys((api.gateway.schema.getType(type) as any).getFields())
    expect(fields('Order')).toContain('buyer')
    expect(fields('Customer')).toContain('purchases')
    expect(fields('Customer')).not.toContain('orders')
    expect(api.gateway.schema.getType('LatestOrder')).toBeDefined()
    expect(api.gateway.schema.getType('RecentOrder')).toBeUndefined()
  })

  it('a hidden column appears nowhere: not in types, inputs, filters, order, aggregates, groups or the federation SDL', () => {
    for (const sdl of [printSchema(api.gateway.schema), printSubgraphSDL(api.gateway.subgraph)]) {
      expect(sdl).not.toMatch(/passwordHash|password_hash/)
    }
  })

  it('cannot be read or written through the API', async () => {
    const read = await api.query('{ customer(id: 1) { passwordHash } }')
    expect(read.errors?.[0]?.message).toMatch(/Cannot query field "passwordHash"/)
  })
})

describe('@omit filter,order on a column', () => {
  it('serves the column but offers no filter or order on it', async () => {
    const fields = (type: string) => Object.keys((api.gateway.schema.getType(type) as any).getFields())
    expect(fields('Product')).toContain('cost')
    expect(fields('ProductFilter')).not.toContain('cost')
    expect(fields('ProductOrderBy')).not.toContain('cost')
    const refused = await api.query('{ products(where: { cost: { gt: 1 } }) { totalCount } }')
    expect(refused.errors?.[0]?.message).toMatch(/"cost" is not defined by type "ProductFilter"/)
    const data = await api.data('{ product(sku: "AB-001") { cost } }')
    expect(data.product.cost).toBe((await rows(`SELECT cost::text FROM shop.product WHERE sku = 'AB-001'`))[0].cost)
  })
})
