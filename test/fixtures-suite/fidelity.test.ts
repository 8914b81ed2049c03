/**
 * Real schemas answered exactly (issue 11) on the reference databases: no column left out, a
 * lookup per unique key, Pagila's views navigating to their tables through keys declared in the
 * config's smartTags, and a hidden column (staff.password) appearing nowhere. Compared with SQL.
 */
import { printSchema } from 'graphql'
import { describe, expect, it } from 'vitest'
import { printSubgraphSDL } from '../../src/schema/build-schema.js'
import { useFixture } from './fixture.js'

describe('Pagila', () => {
  const fx = useFixture('pagila', {
    schemas: ['public'],
    smartTags: {
      tables: {
        // Renamed: CustomerList's relation filter would be named like Customer's list relation filter.
        'public.customer_list': {
          name: 'CustomerListing',
          primaryKey: 'id',
          foreignKey: ['(id) references public.customer (customer_id)|@fieldName customer|@foreignFieldName listing', '(sid) references store'],
        },
        'public.actor_info': { primaryKey: 'actor_id', foreignKey: '(actor_id) references actor' },
      },
      columns: { 'public.staff.password': { omit: true } },
    },
  })

  it('serves every column (none left out)', () => {
    expect(fx.api.gateway.datamodel.leftOut).toEqual([])
  })

  it('a collision the database itself holds is named, not silently merged', async () => {
    // Declaring the view's foreign key without renaming it gives CustomerList a relation filter
    // named like Customer's list relation filter: start-up says so.
    const clash = await fx
      .gateway({ schemas: ['public'], smartTags: { tables: { 'public.customer_list': { primaryKey: 'id', foreignKey: '(id) references customer (customer_id)' } } } })
      .then(() => undefined, (e: Error) => e.message)
    expect(clash).toMatch(/relation filter input of table public\.customer_list and the list relation filter input of table public\.customer .*"CustomerListRelationFilter"/)
  })

  it('has a lookup for each unique key besides the primary key, including a materialized view index', async () => {
    const data = await fx.api.data(`{ storeByManagerStaffId(managerStaffId: 2) { storeId }
      rentalByRentalDateAndInventoryIdAndCustomerId(rentalDate: "2022-05-24T21:53:30Z", inventoryId: 367, customerId: 130) { rentalId }
      rentalByCategoryByCategory(category: "Sports") { totalSales } }`)
    expect(fx.api.statements).toHaveLength(1)
    const [store] = await fx.rows('SELECT store_id AS "storeId" FROM store WHERE manager_staff_id = 2')
    const [rental] = await fx.rows(`SELECT rental_id AS "rentalId" FROM rental WHERE rental_date = '2022-05-24 21:53:30+00' AND inventory_id = 367 AND customer_id = 130`)
    const [sports] = await fx.rows(`SELECT total_sales::text AS "totalSales" FROM rental_by_category WHERE category = 'Sports'`)
    expect(rental).toBeDefined()
    expect(data).toEqual({ storeByManagerStaffId: store, rentalByRentalDateAndInventoryIdAndCustomerId: rental, rentalByCategoryByCategory: sports })
  })

  it('a view with declared keys navigates to its tables and back, with relation filters, in one statement', async () => {
    const data = await fx.api.data(`{
      customerListings(first: 5, orderBy: [{ id: ASC }], where: { customer: { is: { active: { equals: 1 } } } }) {
        totalCount nodes { id name customer { email } storeBySid { managerStaffId } } }
      customer(customerId: 7) { listing { name city } }
      actorInfo(actorId: 3) { firstName actor { lastName } } }`)
    expect(fx.api.statements).toHaveLength(1)
    const lists = await fx.rows(`SELECT l.id, l.name, c.email, s.manager_staff_id FROM customer_list l JOIN customer c ON c.customer_id = l.id
      JOIN store s ON s.store_id = l.sid WHERE c.active = 1 ORDER BY l.id LIMIT 5`)
    const [{ count }] = await fx.rows(`SELECT count(*)::int AS count FROM customer_list l JOIN customer c ON c.customer_id = l.id WHERE c.active = 1`)
    expect(data.customerListings).toEqual({
      totalCount: count,
      nodes: lists.map((l) => ({ id: l.id, name: l.name, customer: { email: l.email }, storeBySid: { managerStaffId: l.manager_staff_id } })),
    })
    const [seven] = await fx.rows('SELECT name, city FROM customer_list WHERE id = 7')
    expect(data.customer.listing).toEqual(seven)
    const [three] = await fx.rows('SELECT i.first_name AS "firstName", a.last_name FROM actor_info i JOIN actor a USING (actor_id) WHERE actor_id = 3')
    expect(data.actorInfo).toEqual({ firstName: three.firstName, actor: { lastName: three.last_name } })
  })

  it('a page larger than maxPageSize is a clear error naming the limit, not a quiet 100 rows', async () => {
    const result = await fx.api.query('{ films(first: 1000) { nodes { filmId } } }')
    expect(result.errors?.[0]?.message).toMatch(/first must be at most 100 \(maxPageSize\)/)
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })

  it('a column hidden in the config (staff.password) appears nowhere in the API', () => {
    for (const sdl of [printSchema(fx.api.gateway.schema), printSubgraphSDL(fx.api.gateway.subgraph)]) expect(sdl).not.toMatch(/\bpassword\b/)
  })
})

describe('Chinook', () => {
  const fx = useFixture('chinook', { schemas: ['public'] })
  it('serves every column (none left out)', () => {
    expect(fx.api.gateway.datamodel.leftOut).toEqual([])
  })
})

describe('iotawatt', () => {
  const fx = useFixture('iotawatt', { schemas: ['api'] })
  it('serves every column (none left out)', () => {
    expect(fx.api.gateway.datamodel.leftOut).toEqual([])
  })
})
