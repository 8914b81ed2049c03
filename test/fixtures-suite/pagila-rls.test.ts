/**
 * Authorization on a copy of Pagila: a row-level security policy lets the staff of each store see
 * and change only their store's customers (the store id is a claim of their token). Every path
 * Portico reads by is checked against SQL run as the same role and claims, and writes against the
 * table afterwards.
 */
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestGateway } from '../support/gateway.js'
import { useFixture } from './fixture.js'

const SECRET = 'pagila-rls-test-secret-long-enough-for-hs256'
const prefix = `portico_pagila_${Math.random().toString(36).slice(2, 8)}`
const staff = `${prefix}_staff`
const nogrant = `${prefix}_nogrant`

const fx = useFixture('pagila', { schemas: ['public'] })
let api: TestGateway

beforeAll(async () => {
  await fx.sql.query(`
    CREATE ROLE ${staff} NOLOGIN; CREATE ROLE ${nogrant} NOLOGIN; GRANT ${staff}, ${nogrant} TO CURRENT_USER;
    GRANT USAGE ON SCHEMA public TO ${staff}, ${nogrant};
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${staff};
    GRANT INSERT, UPDATE ON customer TO ${staff};
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${staff};
    ALTER TABLE customer ENABLE ROW LEVEL SECURITY;
    CREATE POLICY same_store ON customer TO ${staff}
      USING (store_id = (current_setting('request.jwt.claims', true)::json ->> 'store_id')::int);`)
  api = await fx.gateway({ schemas: ['public'], auth: { jwtSecret: SECRET, roles: [staff, nogrant] } })
})

afterAll(async () => {
  await api?.close()
  // The database (dropped by useFixture) holds the grants; the roles are cluster-wide.
  await fx.sql.query(`DROP OWNED BY ${staff}, ${nogrant}; DROP ROLE ${staff}; DROP ROLE ${nogrant}`).catch(() => {})
})

async function tokenFor(storeId: number, role = staff): Promise<string> {
  return new SignJWT({ sub: `manager-${storeId}`, role, store_id: storeId }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))
}

async function as(storeId: number, query: string, variables?: Record<string, unknown>, role = staff) {
  const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${await tokenFor(storeId, role)}` },
    body: JSON.stringify({ query, variables }),
  })
  return (await response.json()) as { data?: any; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] }
}

async function dataAs(storeId: number, query: string, variables?: Record<string, unknown>) {
  const result = await as(storeId, query, variables)
  expect(result.errors).toBeUndefined()
  return result.data
}

const idsOfStore = async (storeId: number) => (await fx.rows('SELECT customer_id FROM customer WHERE store_id = $1 ORDER BY customer_id', [storeId])).map((r) => r.customer_id as number)

describe.each([1, 2])('the staff of store %i', (storeId) => {
  const other = 3 - storeId

  it('list their customers only, with totalCount, aggregates and groupBy', async () => {
    const own = await idsOfStore(storeId)
    const data = await dataAs(storeId, '{ customers(first: 100, orderBy: [{ customerId: ASC }]) { totalCount nodes { customerId } aggregates { count } } customersGroupBy(by: [storeId]) { key { storeId } aggregates { count } } }')
    expect(data.customers.nodes.map((c: { customerId: number }) => c.customerId)).toEqual(own.slice(0, 100))
    expect(data.customers.totalCount).toBe(own.length)
    expect(data.customers.aggregates).toEqual({ count: own.length })
    expect(data.customersGroupBy).toEqual([{ key: { storeId }, aggregates: { count: own.length } }])
  })

  it('find their customers by key, by node id and through _entities, and not the other store\'s', async () => {
    const [mine] = await idsOfStore(storeId)
    const [theirs] = await idsOfStore(other)
    // Node ids from the gateway without auth (the fixture's own).
    const ids = await fx.api.data(`{ a: customer(customerId: ${mine}) { nodeId } b: customer(customerId: ${theirs}) { nodeId } }`)
    const data = await dataAs(
      storeId,
      `query ($r: [_Any!]!) { mine: customer(customerId: ${mine}) { customerId } theirs: customer(customerId: ${theirs}) { customerId }
         n1: node(nodeId: "${ids.a.nodeId}") { ... on Customer { customerId } } n2: node(nodeId: "${ids.b.nodeId}") { ... on Customer { customerId } }
         _entities(representations: $r) { ... on Customer { customerId } } }`,
      { r: [{ __typename: 'Customer', customerId: theirs }, { __typename: 'Customer', customerId: mine }] },
    )
    expect(data).toEqual({ mine: { customerId: mine }, theirs: null, n1: { customerId: mine }, n2: null, _entities: [null, { customerId: mine }] })
  })

  it('see only their customers nested under a table everyone may read (stores, addresses)', async () => {
    const own = await idsOfStore(storeId)
    const data = await dataAs(storeId, '{ stores(where: { storeId: { in: [1, 2] } }, orderBy: [{ storeId: ASC }]) { nodes { storeId customers { totalCount } } } }')
    expect(data.stores.nodes).toEqual([
      { storeId: 1, customers: { totalCount: storeId === 1 ? own.length : 0 } },
      { storeId: 2, customers: { totalCount: storeId === 2 ? own.length : 0 } },
    ])
  })

  it('change their customers only; a customer moved to the other store is refused by the policy', async () => {
    const [mine] = await idsOfStore(storeId)
    const [theirs] = await idsOfStore(other)
    expect(await dataAs(storeId, `mutation { updateCustomer(where: { customerId: ${mine} }, data: { email: "rls-${storeId}@example.com" }) { email } }`)).toEqual({
      updateCustomer: { email: `rls-${storeId}@example.com` },
    })
    const refused = await as(storeId, `mutation { updateCustomer(where: { customerId: ${theirs} }, data: { email: "hijacked@example.com" }) { email } }`)
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
    const moved = await as(storeId, `mutation { updateCustomer(where: { customerId: ${mine} }, data: { storeId: ${other} }) { storeId } }`)
    expect(moved.errors?.[0]).toMatchObject({ message: 'permission denied: new row violates row-level security policy for table "customer"', extensions: { code: 'FORBIDDEN' } })
    expect(await fx.rows('SELECT customer_id, store_id, email FROM customer WHERE customer_id IN ($1, $2) ORDER BY customer_id = $1 DESC', [mine, theirs])).toEqual([
      { customer_id: mine, store_id: storeId, email: `rls-${storeId}@example.com` },
      expect.objectContaining({ customer_id: theirs, store_id: other, email: expect.not.stringMatching(/hijacked/) }),
    ])
  })
})

it('a role without a GRANT gets a clear permission error', async () => {
  const result = await as(1, '{ customers(first: 1) { nodes { customerId } } }', undefined, nogrant)
  expect(result.errors).toEqual([expect.objectContaining({ message: 'Permission denied: permission denied for table customer', extensions: { code: 'FORBIDDEN' } })])
})
