/**
 * Pagila (DVD rental; ../shared/fixtures/pagila): every list counted, first pages, a nested
 * many-to-many selection in one statement, relation names, filters and orders, the materialized
 * view and the partitioned `payment`, all compared with SQL on the same database.
 */
import { describe, expect, it } from 'vitest'
import { introspectDatabase } from '../../src/introspect/introspect-database.js'
import { typeName } from '../../src/model/inflect.js'
import { as, datamodelMatchesGenerated, describeLists, stitch, useFixture } from './fixture.js'

const fx = useFixture('pagila', { schemas: ['public'] })

/** Every root list and the relation it reads, written by hand from the printed schema. */
const LISTS: Record<string, string> = {
  actorInfos: 'public.actor_info',
  actors: 'public.actor',
  addresses: 'public.address',
  categories: 'public.category',
  cities: 'public.city',
  countries: 'public.country',
  customerLists: 'public.customer_list',
  customers: 'public.customer',
  filmActors: 'public.film_actor',
  filmCategories: 'public.film_category',
  filmLists: 'public.film_list',
  films: 'public.film',
  inventories: 'public.inventory',
  languages: 'public.language',
  nicerButSlowerFilmLists: 'public.nicer_but_slower_film_list',
  payments: 'public.payment',
  rentalByCategories: 'public.rental_by_category',
  rentals: 'public.rental',
  salesByFilmCategories: 'public.sales_by_film_category',
  salesByStores: 'public.sales_by_store',
  // `staff` is its own plural, so the list of Staff is `staffList`; the staff_list view is `staffLists`.
  staffList: 'public.staff',
  staffLists: 'public.staff_list',
  stores: 'public.store',
}

describeLists(fx, LISTS)
datamodelMatchesGenerated(fx)

describe('first pages in key order', () => {
  const cases: [field: string, selection: string, sql: string][] = [
    [
      'films',
      'filmId title description releaseYear languageId originalLanguageId rentalDuration rentalRate length replacementCost rating lastUpdate specialFeatures',
      `SELECT film_id AS "filmId", title, description, release_year::int AS "releaseYear", language_id AS "languageId",
         original_language_id AS "originalLanguageId", rental_duration AS "rentalDuration", ${as.decimal('rental_rate')} AS "rentalRate",
         length, ${as.decimal('replacement_cost')} AS "replacementCost", replace(rating::text, '-', '_') AS rating,
         ${as.timestamptz('last_update')} AS "lastUpdate", special_features AS "specialFeatures"
       FROM film ORDER BY film_id LIMIT 10`,
    ],
    [
      'payments',
      'paymentDate paymentId customerId staffId rentalId amount',
      `SELECT ${as.timestamptz('payment_date')} AS "paymentDate", payment_id AS "paymentId", customer_id AS "customerId",
         staff_id AS "staffId", rental_id AS "rentalId", ${as.decimal('amount')} AS amount
       FROM payment ORDER BY payment_date, payment_id LIMIT 10`,
    ],
    [
      'customers',
      'customerId storeId firstName lastName email activebool createDate lastUpdate active',
      `SELECT customer_id AS "customerId", store_id AS "storeId", first_name AS "firstName", last_name AS "lastName", email,
         activebool, ${as.date('create_date')} AS "createDate", ${as.timestamptz('last_update')} AS "lastUpdate", active
       FROM customer ORDER BY customer_id LIMIT 10`,
    ],
    [
      'rentals',
      'rentalId rentalDate inventoryId customerId returnDate staffId',
      `SELECT rental_id AS "rentalId", ${as.timestamptz('rental_date')} AS "rentalDate", inventory_id AS "inventoryId",
         customer_id AS "customerId", ${as.timestamptz('return_date')} AS "returnDate", staff_id AS "staffId"
       FROM rental ORDER BY rental_id LIMIT 10`,
    ],
    [
      // char(20): the padding is part of the value.
      'languages',
      'languageId name lastUpdate',
      `SELECT language_id AS "languageId", name, ${as.timestamptz('last_update')} AS "lastUpdate" FROM language ORDER BY language_id LIMIT 10`,
    ],
    [
      // A keyless materialized view: ordered by every column.
      'rentalByCategories',
      'category totalSales',
      `SELECT category, ${as.decimal('total_sales')} AS "totalSales" FROM rental_by_category ORDER BY category, total_sales LIMIT 10`,
    ],
  ]

  it.each(cases)('%s', async (field, selection, sql) => {
    const data = await fx.api.data(`{ ${field}(first: 10) { nodes { ${selection} } } }`)
    const expected = await fx.rows(sql)
    expect(expected.length).toBeGreaterThan(5) // language has 6 rows, the others more than 10
    expect(data[field].nodes).toEqual(expected)
  })

  it('char(n) keeps its padding', async () => {
    const data = await fx.api.data('{ language(languageId: 1) { name } }')
    expect(data.language.name).toBe('English'.padEnd(20))
  })
})

describe('relations', () => {
  it('films with their actors (many-to-many, by actor_id) and language equal the SQL join, in ONE statement', async () => {
    const data = await fx.api.data('{ films(first: 20) { nodes { title actors { nodes { firstName } } language { name } } } }')
    expect(fx.api.statements).toHaveLength(1)
    const rows = await fx.rows(`
      SELECT f.title, l.name AS language,
             coalesce(json_agg(a.first_name ORDER BY a.actor_id) FILTER (WHERE a.actor_id IS NOT NULL), '[]') AS actors
      FROM (SELECT * FROM film ORDER BY film_id LIMIT 20) f
      JOIN language l ON l.language_id = f.language_id
      LEFT JOIN film_actor fa ON fa.film_id = f.film_id
      LEFT JOIN actor a ON a.actor_id = fa.actor_id
      GROUP BY f.film_id, f.title, l.name
      ORDER BY f.film_id`)
    // No film has more actors than a nested page holds by default (20).
    expect(Math.max(...rows.map((r) => r.actors.length))).toBeLessThanOrEqual(20)
    expect(data.films.nodes).toEqual(
      rows.map((r) => ({ title: r.title, actors: { nodes: r.actors.map((firstName: string) => ({ firstName })) }, language: { name: r.language } })),
    )
  })

  it('names the two relations between film and language after their columns', async () => {
    const film = (fx.api.gateway.schema.getType('Film') as any).getFields()
    const language = (fx.api.gateway.schema.getType('Language') as any).getFields()
    expect(film.language.type.toString()).toBe('Language!')
    expect(film.originalLanguage.type.toString()).toBe('Language')
    expect(language.filmsByLanguage.type.toString()).toBe('LanguageFilmsByLanguageConnection!')
    expect(language.filmsByOriginalLanguage.type.toString()).toBe('LanguageFilmsByOriginalLanguageConnection!')
    expect(language.films).toBeUndefined()

    const data = await fx.api.data(
      '{ languages { nodes { languageId filmsByLanguage { totalCount } filmsByOriginalLanguage { totalCount } } } films(first: 5) { nodes { filmId originalLanguage { languageId } } } }',
    )
    const expected = await fx.rows(`
      SELECT l.language_id AS "languageId",
             (SELECT count(*)::int FROM film f WHERE f.language_id = l.language_id) AS by_language,
             (SELECT count(*)::int FROM film f WHERE f.original_language_id = l.language_id) AS by_original
      FROM language l ORDER BY l.language_id`)
    expect(data.languages.nodes).toEqual(
      expected.map((r) => ({ languageId: r.languageId, filmsByLanguage: { totalCount: r.by_language }, filmsByOriginalLanguage: { totalCount: r.by_original } })),
    )
    const original = await fx.rows('SELECT film_id AS "filmId", original_language_id AS id FROM film ORDER BY film_id LIMIT 5')
    expect(data.films.nodes).toEqual(original.map((r) => ({ filmId: r.filmId, originalLanguage: r.id === null ? null : { languageId: r.id } })))
  })

  it('a language\'s films, nested and filtered, equal SQL', async () => {
    const data = await fx.api.data('{ language(languageId: 1) { filmsByLanguage(first: 15, where: { rating: { equals: PG_13 } }) { totalCount nodes { filmId title } } } }')
    const expected = await fx.rows(`SELECT film_id AS "filmId", title FROM film WHERE language_id = 1 AND rating = 'PG-13' ORDER BY film_id`)
    expect(data.language.filmsByLanguage).toEqual({ totalCount: expected.length, nodes: expected.slice(0, 15) })
  })
})

describe('filters', () => {
  const cases: [name: string, where: string, sqlWhere: string][] = [
    ['some rental not returned', '{ rentals: { some: { returnDate: { isNull: true } } } }', 'EXISTS (SELECT 1 FROM rental r WHERE r.customer_id = c.customer_id AND r.return_date IS NULL)'],
    [
      'some rental not returned, rented since August (both on the same rental)',
      '{ rentals: { some: { returnDate: { isNull: true }, rentalDate: { gte: "2022-08-01T00:00:00Z" } } } }',
      `EXISTS (SELECT 1 FROM rental r WHERE r.customer_id = c.customer_id AND r.return_date IS NULL AND r.rental_date >= '2022-08-01T00:00:00Z')`,
    ],
    ['no rental not returned', '{ rentals: { none: { returnDate: { isNull: true } } } }', 'NOT EXISTS (SELECT 1 FROM rental r WHERE r.customer_id = c.customer_id AND r.return_date IS NULL)'],
    ['every rental returned, and active', '{ rentals: { every: { returnDate: { isNull: false } } }, active: { equals: 1 } }', 'NOT EXISTS (SELECT 1 FROM rental r WHERE r.customer_id = c.customer_id AND r.return_date IS NULL) AND c.active = 1'],
  ]
  it.each(cases)('customers where %s', async (_name, where, sqlWhere) => {
    const data = await fx.api.data(`{ customers(first: 100, where: ${where}) { totalCount nodes { customerId } } }`)
    const expected = await fx.rows(`SELECT c.customer_id AS "customerId" FROM customer c WHERE ${sqlWhere} ORDER BY c.customer_id`)
    expect(expected.length).toBeGreaterThan(0)
    expect(data.customers.totalCount).toBe(expected.length)
    expect(data.customers.nodes).toEqual(expected.slice(0, 100))
  })
})

describe('ordering', () => {
  it('orders by two columns (an enum descending, then a number), the key last', async () => {
    const data = await fx.api.data('{ films(first: 50, orderBy: [{ rating: DESC }, { length: ASC }]) { nodes { filmId rating length } } }')
    const expected = await fx.rows(`SELECT film_id AS "filmId", replace(rating::text, '-', '_') AS rating, length FROM film f ORDER BY f.rating DESC, f.length ASC, f.film_id LIMIT 50`)
    expect(data.films.nodes).toEqual(expected)
  })

  it('orders by two text-ish columns', async () => {
    const data = await fx.api.data('{ customers(first: 50, orderBy: [{ storeId: DESC }, { lastName: ASC }]) { nodes { customerId storeId lastName } } }')
    const expected = await fx.rows('SELECT customer_id AS "customerId", store_id AS "storeId", last_name AS "lastName" FROM customer ORDER BY store_id DESC, last_name ASC, customer_id LIMIT 50')
    expect(data.customers.nodes).toEqual(expected)
  })

  it('keyset pages in that order cover all films exactly once, forwards and backwards', async () => {
    const expected = await fx.rows('SELECT film_id AS "filmId" FROM film ORDER BY rating DESC, length ASC, film_id')
    const args = 'orderBy: [{ rating: DESC }, { length: ASC }]'
    const forward = await stitch(fx.api, 'films', 'filmId', 'forward', 100, args)
    expect(forward.nodes).toEqual(expected)
    expect(forward.pages).toBe(10)
    const backward = await stitch(fx.api, 'films', 'filmId', 'backward', 100, args)
    expect(backward.nodes).toEqual(expected)
  })
})

describe('views and partitions', () => {
  it('lists the materialized view rental_by_category as rentalByCategories, rows equal to SQL', async () => {
    expect(fx.api.gateway.schema.getType('RentalByCategory')).toBeDefined()
    const data = await fx.api.data('{ rentalByCategories(first: 100) { totalCount nodes { category totalSales } } }')
    const expected = await fx.rows(`SELECT category, ${as.decimal('total_sales')} AS "totalSales" FROM rental_by_category ORDER BY category, total_sales`)
    expect(data.rentalByCategories).toEqual({ totalCount: 16, nodes: expected })
  })

  it('the partitions of payment are not types: only Payment', async () => {
    const partitions = await fx.rows(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'public.payment'::regclass ORDER BY 1`)
    expect(partitions).toHaveLength(7)
    const types = fx.api.gateway.schema.getTypeMap()
    for (const { relname } of partitions) {
      const name = typeName(relname, 'public', false)
      expect(types[name], `${relname} as ${name}`).toBeUndefined()
      expect(fx.api.gateway.datamodel.models.has(name), `${relname} as a model`).toBe(false)
    }
    // Payment's own companion types (Connection, Edge, Filter, OrderBy, aggregates, groups, mutation inputs, the row-event Change) aside.
    const companion = /^Payment(Connection|Edge|Filter|OrderBy|Aggregates|(Sum|Avg|Min|Max|Count)Aggregates|Count(Having|Order)|(RelationAggregate|SumAvg|MinMax)OrderBy|Change|Group.*|TemporalField|TimeBucket|AggregateHaving|AggregateOrder|(Create|CreateMany|Update|UpdateMany|WhereUnique)Input|(Create|Update)\w*Without\w+Input)$/
    expect(Object.keys(types).filter((t) => t.startsWith('Payment') && !companion.test(t))).toEqual(['Payment'])
    expect([...fx.api.gateway.datamodel.models.keys()].filter((m) => m.startsWith('Payment'))).toEqual(['Payment'])
  })

})

describe('payment: partitioned, keyed by (payment_date, payment_id), dates with microseconds', () => {
  const customer = 1
  const paymentsSql = `SELECT payment_id AS "paymentId" FROM payment WHERE customer_id = ${customer} ORDER BY payment_date, payment_id`

  it('a payment whose payment_date has whole milliseconds is found by key and by nodeId', async () => {
    const [row] = await fx.rows(`SELECT ${as.timestamptz('payment_date')} AS "paymentDate", payment_id AS "paymentId", ${as.decimal('amount')} AS amount
      FROM payment WHERE extract(microseconds FROM payment_date)::int % 1000 = 0 ORDER BY payment_id LIMIT 1`)
    const data = await fx.api.data('query($d: DateTime!, $id: Int!) { payment(paymentDate: $d, paymentId: $id) { nodeId paymentDate paymentId amount } }', { d: row.paymentDate, id: row.paymentId })
    expect(data.payment).toMatchObject(row)
    const again = await fx.api.data('query($id: ID!) { node(nodeId: $id) { ... on Payment { paymentId } } }', { id: data.payment.nodeId })
    expect(again.node).toEqual({ paymentId: row.paymentId })
  })

  it('offset pages of one customer\'s payments equal SQL', async () => {
    const expected = await fx.rows(paymentsSql)
    const pages: unknown[] = []
    for (let offset = 0; offset < expected.length; offset += 10) {
      const data = await fx.api.data(`{ payments(first: 10, offset: ${offset}, where: { customerId: { equals: ${customer} } }) { nodes { paymentId } } }`)
      pages.push(...data.payments.nodes)
    }
    expect(pages).toEqual(expected)
  })

  // payment_date has microseconds (16,019 of 16,049 rows): cursors must carry them exactly.
  it('a timestamptz key with microseconds: keyset pages over payments cover them exactly once', async () => {
    const expected = await fx.rows(paymentsSql)
    expect(expected.length).toBeGreaterThan(10)
    const where = `where: { customerId: { equals: ${customer} } }`
    expect((await stitch(fx.api, 'payments', 'paymentId', 'forward', 5, where)).nodes).toEqual(expected)
    expect((await stitch(fx.api, 'payments', 'paymentId', 'backward', 5, where)).nodes).toEqual(expected)
  })

  it('a timestamptz key with microseconds: payment(paymentDate:, paymentId:) and node(nodeId) find the row', async () => {
    const [row] = await fx.rows(`SELECT ${as.timestamptz('payment_date')} AS "paymentDate", payment_id AS "paymentId", ${as.decimal('amount')} AS amount
      FROM payment WHERE extract(microseconds FROM payment_date)::int % 1000 <> 0 ORDER BY payment_date, payment_id LIMIT 1`)
    const list = await fx.api.data('{ payments(first: 1) { nodes { nodeId paymentDate paymentId amount } } }')
    expect(list.payments.nodes[0]).toMatchObject(row)
    const data = await fx.api.data('query($d: DateTime!, $id: Int!) { payment(paymentDate: $d, paymentId: $id) { paymentId } }', { d: row.paymentDate, id: row.paymentId })
    expect(data.payment).toEqual({ paymentId: row.paymentId })
    const again = await fx.api.data('query($id: ID!) { node(nodeId: $id) { ... on Payment { paymentId } } }', { id: list.payments.nodes[0].nodeId })
    expect(again.node).toEqual({ paymentId: row.paymentId })
  })
})

describe('introspection', () => {
  it('introspection is idempotent: introspecting again with the first result as previous changes nothing', async () => {
    const options = { schemas: ['public'], primaryKeys: {} }
    const first = await introspectDatabase(fx.api.gateway.pool, options)
    expect(first.prismaSchema).toBe(fx.api.gateway.prismaSchema)
    // Prisma's warnings (tsvector, the partitioned payment) are about things Portico handles.
    expect(first.warnings).toEqual([])
    expect(first.notes).toEqual(['public.rental_by_category: materialized view, served read-only', 'film.fulltext: tsvector read as text'])
    const second = await introspectDatabase(fx.api.gateway.pool, { ...options, previous: first.prismaSchema })
    expect(second.prismaSchema).toBe(first.prismaSchema)
  })
})
