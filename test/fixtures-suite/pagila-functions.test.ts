/**
 * Pagila's own functions in the API (issue 12), each answer equal to the SQL call's, on this
 * file's own copy of Pagila. Pagila declares `last_day` and `_group_concat` IMMUTABLE (root
 * queries) and leaves the others VOLATILE, PostgreSQL's default, so those are mutations:
 * `get_customer_balance` (whose body fails in PostgreSQL: it calls MySQL's IF()), `inventory_in_stock`, `inventory_held_by_customer`, `film_in_stock` and
 * `film_not_in_stock` (one OUT parameter, SETOF integer: a list of Int), `rewards_report` (SETOF
 * customer, SECURITY DEFINER: a list of Customer). `group_concat` is an aggregate, `last_updated`
 * a trigger function: neither is callable on its own, neither is in the API nor logged.
 * A computed field made with SQL (`film_rental_count(film)`) appears as `Film.rentalCount` after
 * a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestGateway } from '../support/gateway.js'
import { useFixture } from './fixture.js'

const fx = useFixture('pagila', { schemas: ['public'] })

const FIELD_BY_FIELD = '__schema { queryType { name } }'

async function bothPaths(api: TestGateway, query: string): Promise<any> {
  const compiled = await api.data(`{ ${query} }`)
  expect(api.statements).toHaveLength(1)
  const executed = await api.data(`{ ${query} ${FIELD_BY_FIELD} }`)
  delete executed.__schema
  expect(executed).toEqual(compiled)
  return compiled
}

/** Field signatures as the SDL prints them, for the fields of `type` named. */
function signatures(api: TestGateway, type: 'Query' | 'Mutation', names: string[]): string[] {
  const fields = (type === 'Query' ? api.gateway.schema.getQueryType() : api.gateway.schema.getMutationType())!.getFields()
  return names.map((name) => {
    const field = fields[name]!
    return `${name}(${field.args.map((a) => `${a.name}: ${String(a.type)}`).join(', ')}): ${String(field.type)}`
  })
}

describe("Pagila's functions", () => {
  it('are served with these signatures; the aggregate and the trigger function are not, and nothing is left out', () => {
    expect(signatures(fx.api, 'Query', ['lastDay', 'groupConcat'])).toEqual(['lastDay(arg0: DateTime!): Date', 'groupConcat(arg0: String, arg1: String): String'])
    expect(signatures(fx.api, 'Mutation', ['getCustomerBalance', 'inventoryInStock', 'inventoryHeldByCustomer', 'filmInStock', 'filmNotInStock', 'rewardsReport'])).toEqual([
      'getCustomerBalance(pCustomerId: Int, pEffectiveDate: DateTime): Decimal',
      'inventoryInStock(pInventoryId: Int): Boolean',
      'inventoryHeldByCustomer(pInventoryId: Int): Int',
      'filmInStock(pFilmId: Int, pStoreId: Int): [Int]',
      'filmNotInStock(pFilmId: Int, pStoreId: Int): [Int]',
      'rewardsReport(minMonthlyPurchases: Int, minDollarAmountPurchased: Decimal): [Customer!]',
    ])
    const all = [...Object.keys(fx.api.gateway.schema.getQueryType()!.getFields()), ...Object.keys(fx.api.gateway.schema.getMutationType()!.getFields())]
    expect(all).not.toContain('lastUpdated')
    expect(all.filter((name) => /groupConcat/i.test(name))).toEqual(['groupConcat'])
    expect(fx.api.gateway.datamodel.leftOutFunctions).toEqual([])
  })

  it('lastDay (IMMUTABLE, STRICT, an unnamed argument) answers as last_day() does, in one statement', async () => {
    const data = await bothPaths(
      fx.api,
      `feb: lastDay(arg0: "2024-02-10T00:00:00Z") dec: lastDay(arg0: "2023-12-31T23:59:59Z") leap: lastDay(arg0: "2100-02-01T12:00:00+02:00") groupConcat(arg0: "a", arg1: "b") first: groupConcat(arg0: null, arg1: "b")`,
    )
    const [sql] = await fx.rows(`SELECT to_char(last_day('2024-02-10T00:00:00Z'), 'YYYY-MM-DD') AS feb, to_char(last_day('2023-12-31T23:59:59Z'), 'YYYY-MM-DD') AS dec,
      to_char(last_day('2100-02-01T12:00:00+02:00'), 'YYYY-MM-DD') AS leap, _group_concat('a', 'b') AS "groupConcat", _group_concat(NULL, 'b') AS first`)
    expect(data).toEqual(sql)
    expect(data.feb).toBe('2024-02-29')
  })

  it('inventoryInStock and inventoryHeldByCustomer answer as the SQL calls do', async () => {
    const inventories = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 367]
    const data = await fx.api.data(`mutation { ${inventories.map((id) => `s${id}: inventoryInStock(pInventoryId: ${id}) h${id}: inventoryHeldByCustomer(pInventoryId: ${id})`).join(' ')} }`)
    const expected: Record<string, unknown> = {}
    for (const id of inventories) {
      expected[`s${id}`] = (await fx.rows('SELECT inventory_in_stock($1) AS v', [id]))[0].v
      expected[`h${id}`] = (await fx.rows('SELECT inventory_held_by_customer($1) AS v', [id]))[0].v
    }
    expect(data).toEqual(expected)
    // Both answers occur: some copies are out, held by a customer.
    expect(Object.entries(data).filter(([k, v]) => k.startsWith('s') && v === false).length).toBeGreaterThan(0)
    expect(Object.entries(data).filter(([k, v]) => k.startsWith('h') && v !== null).length).toBeGreaterThan(0)
  })

  it("getCustomerBalance fails as the SQL call does: Pagila's body calls MySQL's IF(), which PostgreSQL does not have", async () => {
    const sql = await fx.rows(`SELECT get_customer_balance(1, '2022-08-01T00:00:00Z')`).catch((error: { code?: string; message?: string }) => error)
    expect(sql).toMatchObject({ code: '42883', message: 'function if(boolean, interval, integer) does not exist' })
    const result = await fx.api.query('mutation { getCustomerBalance(pCustomerId: 1, pEffectiveDate: "2022-08-01T00:00:00Z") }')
    expect(result.data).toEqual({ getCustomerBalance: null })
    // Typed as any write the database refuses, without its SQL.
    expect(result.errors?.[0]).toMatchObject({ message: 'the database refused the write (SQLSTATE 42883): nothing was written', extensions: { code: 'DATABASE_ERROR', sqlState: '42883' } })
  })

  it('filmInStock and filmNotInStock (an OUT parameter, SETOF) list the inventory ids the SQL calls list', async () => {
    const data = await fx.api.data('mutation { a: filmInStock(pFilmId: 1, pStoreId: 1) b: filmNotInStock(pFilmId: 1, pStoreId: 1) c: filmInStock(pFilmId: 2, pStoreId: 2) d: filmInStock(pFilmId: 999999, pStoreId: 1) }')
    const ids = async (sql: string) => (await fx.rows(sql)).map((r) => r.p_film_count)
    const expected = {
      a: await ids('SELECT * FROM film_in_stock(1, 1)'),
      b: await ids('SELECT * FROM film_not_in_stock(1, 1)'),
      c: await ids('SELECT * FROM film_in_stock(2, 2)'),
      d: [],
    }
    expect(data).toEqual(expected)
    expect(expected.a.length).toBeGreaterThan(0)
  })

  describe('rewardsReport (SETOF customer, SECURITY DEFINER)', () => {
    // Its window is "three months ago", and Pagila's payments are from 2022: this copy gets a
    // partition and payments for that month, so the report has customers to return.
    beforeAll(async () => {
      await fx.sql.query(`DO $$ DECLARE start date := date_trunc('month', current_date - interval '3 month')::date; BEGIN
        EXECUTE format('CREATE TABLE payment_rewards PARTITION OF payment FOR VALUES FROM (%L) TO (%L)', start, start + interval '1 month');
        INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date)
        SELECT c, 1, c, 9.99, start + (k || ' days')::interval FROM unnest(ARRAY[3, 7, 7, 7, 12, 12, 12]) WITH ORDINALITY AS x(c, k);
        END $$`)
    })
    afterAll(async () => {
      await fx.sql.query('DROP TABLE payment_rewards')
    })

    it('returns the customers the SQL call returns, in its order, with their relations', async () => {
      const data = await fx.api.data('mutation { rewardsReport(minMonthlyPurchases: 2, minDollarAmountPurchased: "10.00") { customerId email address { addressId } } }')
      expect(fx.api.statements).toHaveLength(1)
      const expected = await fx.rows(`SELECT r.customer_id AS "customerId", r.email, json_build_object('addressId', r.address_id) AS address FROM rewards_report(2, 10.00) r`)
      expect(data.rewardsReport).toEqual(expected)
      expect(expected.map((c) => c.customerId).sort((a, b) => a - b)).toEqual([7, 12])
    })

    it("shows the function's own message when it refuses its arguments", async () => {
      const result = await fx.api.query('mutation { rewardsReport(minMonthlyPurchases: 0, minDollarAmountPurchased: "1") { customerId } }')
      expect(result.data).toEqual({ rewardsReport: null })
      expect(result.errors?.[0]).toMatchObject({ message: 'Minimum monthly purchases parameter must be > 0', extensions: { code: 'RAISED_EXCEPTION' } })
    })
  })

  it('a computed column created with SQL is a field after a restart, filterable and sortable as its comment says, one statement for a page', async () => {
    await fx.sql.query(`CREATE FUNCTION film_rental_count(f film) RETURNS bigint LANGUAGE sql STABLE AS $$
      SELECT count(*) FROM rental r JOIN inventory i ON i.inventory_id = r.inventory_id WHERE i.film_id = f.film_id $$;
      COMMENT ON FUNCTION film_rental_count(film) IS E'@filterable\\n@sortable\\nHow many times the film was rented'`)
    const api = await fx.gateway({ schemas: ['public'] })
    const data = await bothPaths(api, 'films(first: 100, where: { rentalCount: { gt: 20 } }, orderBy: [{ rentalCount: DESC }]) { totalCount nodes { filmId title rentalCount } }')
    const rows = await fx.rows(`SELECT film_id AS "filmId", title, film_rental_count(f)::text AS "rentalCount" FROM film f WHERE film_rental_count(f) > 20 ORDER BY film_rental_count(f) DESC, film_id`)
    expect(data.films).toEqual({ totalCount: rows.length, nodes: rows.slice(0, 100) })
    expect(rows.length).toBeGreaterThan(20)
  })
})
