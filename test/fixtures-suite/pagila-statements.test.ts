/**
 * How many SQL statements an operation costs on Pagila (issue 3): a number that depends on the
 * operation's shape, never on how many rows it returns. Every operation runs at two sizes (two page
 * sizes, or 10 and 100 lookups); the count must be the same both times and equal to the expected
 * one:
 *   - one data statement per root field for lists, nesting, aliases, fragments, filters and
 *     connections, totalCount included;
 *   - N lookups by key of one type in one document: one statement;
 *   - `node(nodeId:)` lookups of mixed types: one statement per distinct type.
 * Each answer is compared with the database (read with `pg`), and no statement may mention a
 * column the operation did not ask for. See test/statement-counts.test.ts for the same on
 * Portico's own test database, at two data sizes as well.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { stitch, useFixture } from './fixture.js'
import { dataStatements, describeStatements, executedByGraphQL, run as runOn, type CatalogueOperation } from '../support/statement-catalogue.js'

const fx = useFixture('pagila', { schemas: ['public'] })

// ---- Counting ------------------------------------------------------------------------------

/** Runs a document on this file's gateway: its data and data statements. */
const run = (document: string) => runOn(fx.api, document)

// ---- Pagila, as PostgreSQL says it is --------------------------------------------------------

interface Model {
  films: { filmId: number; title: string; languageId: number; originalLanguageId: number | null; length: number | null; rating: string | null }[]
  actors: { actorId: number; firstName: string; lastName: string }[]
  filmActors: { actorId: number; filmId: number }[]
  languages: { languageId: number; name: string }[]
  categories: { categoryId: number; name: string }[]
  filmCategories: { filmId: number; categoryId: number }[]
  inventories: { inventoryId: number; filmId: number }[]
  customers: { customerId: number; firstName: string }[]
  rentals: { rentalId: number; customerId: number; inventoryId: number; returned: boolean }[]
  /** The first ten payments in key order (payment_date, payment_id). */
  payments: { paymentId: number; amount: string }[]
}

let model: Model

async function loadModel(): Promise<Model> {
  return {
    // The GraphQL enum spells PG-13 as PG_13.
    films: await fx.rows(`SELECT film_id AS "filmId", title, language_id AS "languageId", original_language_id AS "originalLanguageId", length,
      replace(rating::text, '-', '_') AS rating FROM film ORDER BY film_id`),
    actors: await fx.rows('SELECT actor_id AS "actorId", first_name AS "firstName", last_name AS "lastName" FROM actor ORDER BY actor_id'),
    filmActors: await fx.rows('SELECT actor_id AS "actorId", film_id AS "filmId" FROM film_actor ORDER BY actor_id, film_id'),
    languages: await fx.rows('SELECT language_id AS "languageId", name FROM language ORDER BY language_id'),
    categories: await fx.rows('SELECT category_id AS "categoryId", name FROM category ORDER BY category_id'),
    filmCategories: await fx.rows('SELECT film_id AS "filmId", category_id AS "categoryId" FROM film_category ORDER BY film_id, category_id'),
    inventories: await fx.rows('SELECT inventory_id AS "inventoryId", film_id AS "filmId" FROM inventory ORDER BY inventory_id'),
    customers: await fx.rows('SELECT customer_id AS "customerId", first_name AS "firstName" FROM customer ORDER BY customer_id'),
    rentals: await fx.rows(`SELECT rental_id AS "rentalId", customer_id AS "customerId", inventory_id AS "inventoryId", return_date IS NOT NULL AS returned
      FROM rental ORDER BY rental_id`),
    payments: await fx.rows('SELECT payment_id AS "paymentId", amount::text AS amount FROM payment ORDER BY payment_date, payment_id LIMIT 10'),
  }
}

/** A nested connection without `first` holds the default page size (20). */
const page = <T>(rows: T[], first = 20) => rows.slice(0, first)
const lastPage = <T>(rows: T[], last: number) => rows.slice(Math.max(0, rows.length - last))
const one = <T>(rows: T[], found: (row: T) => boolean): T => {
  const row = rows.find(found)
  if (!row) throw new Error('the model has no such row')
  return row
}
const film = (m: Model, filmId: number) => one(m.films, (f) => f.filmId === filmId)
const actor = (m: Model, actorId: number) => one(m.actors, (a) => a.actorId === actorId)
const language = (m: Model, languageId: number) => one(m.languages, (l) => l.languageId === languageId)
/** film.actors and actor.films are in the far side's key order. */
const actorsOf = (m: Model, filmId: number) => m.filmActors.filter((fa) => fa.filmId === filmId).map((fa) => actor(m, fa.actorId)).sort((a, b) => a.actorId - b.actorId)
const filmsOf = (m: Model, actorId: number) => m.filmActors.filter((fa) => fa.actorId === actorId).map((fa) => film(m, fa.filmId)).sort((a, b) => a.filmId - b.filmId)
const filmsInCategory = (m: Model, categoryId: number) => m.filmCategories.filter((fc) => fc.categoryId === categoryId).map((fc) => film(m, fc.filmId)).sort((a, b) => a.filmId - b.filmId)
const categoriesOf = (m: Model, filmId: number) =>
  m.filmCategories.filter((fc) => fc.filmId === filmId).map((fc) => one(m.categories, (c) => c.categoryId === fc.categoryId)).sort((a, b) => a.categoryId - b.categoryId)
const rentalsOf = (m: Model, customerId: number) => m.rentals.filter((r) => r.customerId === customerId)
const filmOfInventory = (m: Model, inventoryId: number) => one(m.inventories, (i) => i.inventoryId === inventoryId).filmId

// ---- What the operations need from the API before they run (not counted) ------------------

interface Context {
  /** The cursors of rental 8000 and film 500, as the API hands them out. */
  rental8000: string
  film500: string
  /** nodeIds of existing rows, by `Type:key` (`FilmActor:1,23`, `Payment:<paymentId>`). */
  nodeIds: Map<string, string>
  /** nodeIds of rows that no longer exist, one per type. */
  ghostNodeIds: Map<string, string>
}

let ctx: Context

async function loadContext(): Promise<Context> {
  const cursor = await fx.api.data(`{ rentals(first: 1, where: { rentalId: { equals: 8000 } }) { edges { cursor } }
    films(first: 1, where: { filmId: { equals: 500 } }) { edges { cursor } } }`)
  const nodeIds = new Map<string, string>()
  const all = async (field: string, selection: string) => (await stitch(fx.api, field, selection, 'forward', 100)).nodes as Record<string, any>[]
  for (const f of await all('films', 'filmId nodeId')) nodeIds.set(`Film:${f.filmId}`, f.nodeId)
  for (const a of await all('actors', 'actorId nodeId')) nodeIds.set(`Actor:${a.actorId}`, a.nodeId)
  const data = await fx.api.data(`{
    languages { nodes { languageId nodeId } }
    categories { nodes { categoryId nodeId } }
    filmActors(first: 100) { nodes { actorId filmId nodeId } }
    payments(first: 10) { nodes { paymentId nodeId } }
  }`)
  for (const l of data.languages.nodes) nodeIds.set(`Language:${l.languageId}`, l.nodeId)
  for (const c of data.categories.nodes) nodeIds.set(`Category:${c.categoryId}`, c.nodeId)
  for (const fa of data.filmActors.nodes) nodeIds.set(`FilmActor:${fa.actorId},${fa.filmId}`, fa.nodeId)
  for (const p of data.payments.nodes) nodeIds.set(`Payment:${p.paymentId}`, p.nodeId)

  // nodeIds of missing rows, without knowing how nodeIds are encoded: create the rows, ask for
  // their nodeIds, delete them.
  await fx.sql.query(`
    INSERT INTO language (language_id, name) VALUES (901, 'Ghost');
    INSERT INTO category (category_id, name) VALUES (901, 'Ghost');
    INSERT INTO actor (actor_id, first_name, last_name) VALUES (9001, 'GHOST', 'GHOST');
    INSERT INTO film (film_id, title, language_id) VALUES (9001, 'GHOST FILM', 1);
    INSERT INTO film_actor (actor_id, film_id) VALUES (9001, 9001);
    INSERT INTO payment (payment_id, customer_id, staff_id, rental_id, amount, payment_date) VALUES (900001, 1, 1, 1, 1.00, '2022-02-01 00:00:00+00')`)
  const ghosts = await fx.api.data(`{
    film(filmId: 9001) { nodeId } actor(actorId: 9001) { nodeId } language(languageId: 901) { nodeId } category(categoryId: 901) { nodeId }
    filmActor(actorId: 9001, filmId: 9001) { nodeId } payments(where: { paymentId: { equals: 900001 } }) { nodes { nodeId } }
  }`)
  await fx.sql.query(`
    DELETE FROM payment WHERE payment_id = 900001; DELETE FROM film_actor WHERE film_id = 9001; DELETE FROM film WHERE film_id = 9001;
    DELETE FROM actor WHERE actor_id = 9001; DELETE FROM category WHERE category_id = 901; DELETE FROM language WHERE language_id = 901`)
  const ghostNodeIds = new Map<string, string>([
    ['Film', ghosts.film.nodeId],
    ['Actor', ghosts.actor.nodeId],
    ['Language', ghosts.language.nodeId],
    ['Category', ghosts.category.nodeId],
    ['FilmActor', ghosts.filmActor.nodeId],
    ['Payment', ghosts.payments.nodes[0].nodeId],
  ])
  return { rental8000: cursor.rentals.edges[0].cursor, film500: cursor.films.edges[0].cursor, nodeIds, ghostNodeIds }
}

beforeAll(async () => {
  model = await loadModel()
  ctx = await loadContext()
})

const nodeIdOf = (key: string) => {
  const id = ctx.nodeIds.get(key)
  if (!id) throw new Error(`no nodeId known for ${key}`)
  return id
}

// ---- Documents made of many lookups ----------------------------------------------------------

/** `n` aliased fields k0..k(n-1), one per index. */
const aliases = (n: number, field: (i: number) => string) => Array.from({ length: n }, (_, i) => `k${i}: ${field(i)}`).join('\n  ')
const expectAliases = <T>(n: number, value: (i: number) => T) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value(i)]))

/** Film ids in a scrambled order; every ninth does not exist. */
const filmIdAt = (i: number) => (i % 9 === 8 ? 5_000 + i : ((i * 37) % 1000) + 1)
/** (actor, film) pairs: existing ones in a scrambled order; every sixth is an actor with a film they are not in. */
function filmActorAt(m: Model, i: number): { actorId: number; filmId: number } {
  const pair = m.filmActors[(i * 53) % m.filmActors.length]!
  return i % 6 === 5 ? { actorId: pair.actorId, filmId: filmsOf(m, pair.actorId).some((f) => f.filmId === 1) ? 2 : 1 } : pair
}

/**
 * `node` lookups cycling through six types (Film, Actor, Language, Category, FilmActor with a
 * composite key, Payment: partitioned, keyed by (payment_date, payment_id)); every seventh is a
 * row that does not exist.
 */
const NODE_TYPES = ['Film', 'Actor', 'Language', 'Category', 'FilmActor', 'Payment'] as const
type NodeType = (typeof NODE_TYPES)[number]
function nodeTargetAt(m: Model, i: number): { type: NodeType; key: string | null } {
  const type = NODE_TYPES[i % NODE_TYPES.length]!
  if (i % 7 === 6) return { type, key: null }
  const k = i * 13
  switch (type) {
    case 'Film': return { type, key: String(m.films[k % m.films.length]!.filmId) }
    case 'Actor': return { type, key: String(m.actors[k % m.actors.length]!.actorId) }
    case 'Language': return { type, key: String(m.languages[k % m.languages.length]!.languageId) }
    case 'Category': return { type, key: String(m.categories[k % m.categories.length]!.categoryId) }
    case 'FilmActor': {
      // The first 100 join rows, whose nodeIds the context holds.
      const fa = m.filmActors[k % 100]!
      return { type, key: `${fa.actorId},${fa.filmId}` }
    }
    case 'Payment': return { type, key: String(m.payments[k % m.payments.length]!.paymentId) }
  }
}
const NODE_SELECTION = `{ nodeId ... on Film { title } ... on Actor { lastName } ... on Language { name } ... on Category { name }
  ... on FilmActor { actorId filmId } ... on Payment { paymentId amount } }`
function expectedNode(m: Model, type: NodeType, key: string) {
  const nodeId = nodeIdOf(`${type}:${key}`)
  switch (type) {
    case 'Film': return { nodeId, title: film(m, Number(key)).title }
    case 'Actor': return { nodeId, lastName: actor(m, Number(key)).lastName }
    case 'Language': return { nodeId, name: language(m, Number(key)).name }
    case 'Category': return { nodeId, name: one(m.categories, (c) => c.categoryId === Number(key)).name }
    case 'FilmActor': {
      const [actorId, filmId] = key.split(',').map(Number) as [number, number]
      return { nodeId, actorId, filmId }
    }
    case 'Payment': return { nodeId, paymentId: Number(key), amount: one(m.payments, (p) => p.paymentId === Number(key)).amount }
  }
}

// ---- The catalogue -------------------------------------------------------------------------

type Operation = CatalogueOperation<Model>

/** Film columns no operation below asks for. */
const FILM_UNASKED = 'description|fulltext|special_features|replacement_cost|rental_rate|rental_duration|release_year'

const OPERATIONS: Operation[] = [
  {
    name: 'two root lists: one statement for the whole operation',
    sizes: [2, 50],
    document: (n) => `{ films(first: ${n}) { nodes { filmId title } } actors(first: ${n}) { nodes { actorId } } }`,
    statements: 1,
    expected: (m, n) => ({
      films: { nodes: m.films.slice(0, n).map(({ filmId, title }) => ({ filmId, title })) },
      actors: { nodes: m.actors.slice(0, n).map(({ actorId }) => ({ actorId })) },
    }),
    unasked: new RegExp(`\\b(${FILM_UNASKED}|first_name|last_name)\\b`),
  },
  {
    name: 'deep nesting: films -> actors -> films -> language',
    sizes: [2, 20],
    document: (n) => `{ films(first: ${n}) { nodes { filmId title actors(first: 3) { nodes { actorId firstName
        films(first: 3) { nodes { filmId title language { name } } } } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      films: {
        nodes: m.films.slice(0, n).map((f) => ({
          filmId: f.filmId,
          title: f.title,
          actors: {
            nodes: page(actorsOf(m, f.filmId), 3).map((a) => ({
              actorId: a.actorId,
              firstName: a.firstName,
              films: { nodes: page(filmsOf(m, a.actorId), 3).map((g) => ({ filmId: g.filmId, title: g.title, language: { name: language(m, g.languageId).name } })) },
            })),
          },
        })),
      },
    }),
    unasked: new RegExp(`\\b(${FILM_UNASKED}|last_name|last_update)\\b`),
  },
  {
    name: 'many-to-many both ways, with totalCounts',
    sizes: [2, 16],
    document: (n) => `{ categories(first: ${n}) { totalCount nodes { name films(first: 5) { totalCount nodes { title categories { nodes { name } } } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      categories: {
        totalCount: m.categories.length,
        nodes: m.categories.slice(0, n).map((c) => ({
          name: c.name,
          films: {
            totalCount: filmsInCategory(m, c.categoryId).length,
            nodes: page(filmsInCategory(m, c.categoryId), 5).map((f) => ({ title: f.title, categories: { nodes: page(categoriesOf(m, f.filmId)).map(({ name }) => ({ name })) } })),
          },
        })),
      },
    }),
    unasked: new RegExp(`\\b(${FILM_UNASKED}|last_update)\\b`),
  },
  {
    name: 'aliases of one relation with different arguments',
    sizes: [2, 20],
    document: (n) => `{ actors(first: ${n}) { nodes { actorId
        longest: films(first: 2, orderBy: [{ length: DESC }]) { nodes { filmId length } }
        rated: films(first: 1, where: { rating: { equals: R } }) { totalCount nodes { filmId } }
        family: films(first: 3, where: { rating: { in: [G, PG] } }) { totalCount nodes { filmId rating } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      actors: {
        nodes: m.actors.slice(0, n).map((a) => {
          const films = filmsOf(m, a.actorId)
          const longest = [...films].sort((x, y) => (y.length ?? 0) - (x.length ?? 0) || x.filmId - y.filmId)
          const family = films.filter((f) => f.rating === 'G' || f.rating === 'PG')
          return {
            actorId: a.actorId,
            longest: { nodes: page(longest, 2).map(({ filmId, length }) => ({ filmId, length })) },
            rated: { totalCount: films.filter((f) => f.rating === 'R').length, nodes: page(films.filter((f) => f.rating === 'R'), 1).map(({ filmId }) => ({ filmId })) },
            family: { totalCount: family.length, nodes: page(family, 3).map(({ filmId, rating }) => ({ filmId, rating })) },
          }
        }),
      },
    }),
    unasked: new RegExp(`\\b(${FILM_UNASKED}|title|first_name|last_name)\\b`),
  },
  {
    name: 'fragments: named, inline, and on the Node interface',
    sizes: [2, 20],
    document: (n) => `query { films(first: ${n}) { nodes { ...FilmCard ... on Node { nodeId } } } }
      fragment FilmCard on Film { filmId title language { ...LanguageName } actors(first: 2) { nodes { ... on Actor { firstName } ... on Node { nodeId } } } }
      fragment LanguageName on Language { name }`,
    statements: 1,
    expected: (m, n) => ({
      films: {
        nodes: m.films.slice(0, n).map((f) => ({
          filmId: f.filmId,
          title: f.title,
          language: { name: language(m, f.languageId).name },
          actors: { nodes: page(actorsOf(m, f.filmId), 2).map((a) => ({ firstName: a.firstName, nodeId: nodeIdOf(`Actor:${a.actorId}`) })) },
          nodeId: nodeIdOf(`Film:${f.filmId}`),
        })),
      },
    }),
    unasked: new RegExp(`\\b(${FILM_UNASKED}|last_name)\\b`),
  },
  {
    // Keyset cursors: `after` rental 8000 means the rentals with a greater key, under every customer.
    name: 'a nested connection paged forward (first/after)',
    sizes: [2, 20],
    document: (n) => `{ customers(first: ${n}) { nodes { customerId rentals(first: 3, after: "${ctx.rental8000}") { pageInfo { hasNextPage } nodes { rentalId } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      customers: {
        nodes: m.customers.slice(0, n).map((c) => {
          const after = rentalsOf(m, c.customerId).filter((r) => r.rentalId > 8000)
          return { customerId: c.customerId, rentals: { pageInfo: { hasNextPage: after.length > 3 }, nodes: page(after, 3).map(({ rentalId }) => ({ rentalId })) } }
        }),
      },
    }),
    unasked: /\b(first_name|email|rental_date|return_date|staff_id)\b/,
  },
  {
    // Film 500's cursor, on the list it came from: the page is the same whatever a cursor from
    // another parent's list would mean.
    name: 'a nested connection under a lookup, paged forward with a cursor from that list',
    sizes: [3, 50],
    document: (n) => `{ language(languageId: ${film(model, 500).languageId}) { name
        filmsByLanguage(first: ${n}, after: "${ctx.film500}") { pageInfo { hasNextPage } nodes { filmId } } } }`,
    statements: 1,
    expected: (m, n) => {
      const { languageId } = film(m, 500)
      const after = m.films.filter((f) => f.languageId === languageId && f.filmId > 500)
      return { language: { name: language(m, languageId).name, filmsByLanguage: { pageInfo: { hasNextPage: after.length > n }, nodes: page(after, n).map(({ filmId }) => ({ filmId })) } } }
    },
    unasked: new RegExp(`\\b(${FILM_UNASKED}|title|last_update)\\b`),
  },
  {
    name: 'a nested connection paged backward (last/before)',
    sizes: [2, 20],
    document: (n) => `{ customers(first: ${n}) { nodes { customerId rentals(last: 2, before: "${ctx.rental8000}") { pageInfo { hasPreviousPage } nodes { rentalId } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      customers: {
        nodes: m.customers.slice(0, n).map((c) => {
          const before = rentalsOf(m, c.customerId).filter((r) => r.rentalId < 8000)
          return { customerId: c.customerId, rentals: { pageInfo: { hasPreviousPage: before.length > 2 }, nodes: lastPage(before, 2).map(({ rentalId }) => ({ rentalId })) } }
        }),
      },
    }),
    unasked: /\b(first_name|email|rental_date|return_date|staff_id)\b/,
  },
  {
    name: 'filters on relations: to-many `some` at the root, to-one `is` nested, with totalCounts',
    sizes: [2, 50],
    document: (n) => `{ customers(first: ${n}, where: { rentals: { some: { returnDate: { isNull: true } } } }) { totalCount nodes { customerId
        rentals(where: { inventory: { is: { filmId: { lt: 100 } } } }) { totalCount nodes { rentalId } } } } }`,
    statements: 1,
    expected: (m, n) => {
      const matching = m.customers.filter((c) => rentalsOf(m, c.customerId).some((r) => !r.returned))
      return {
        customers: {
          totalCount: matching.length,
          nodes: matching.slice(0, n).map((c) => {
            const rentals = rentalsOf(m, c.customerId).filter((r) => filmOfInventory(m, r.inventoryId) < 100)
            return { customerId: c.customerId, rentals: { totalCount: rentals.length, nodes: page(rentals).map(({ rentalId }) => ({ rentalId })) } }
          }),
        },
      }
    },
    unasked: /\b(first_name|email|rental_date|staff_id|store_id)\b/,
  },
  {
    name: 'filters through a join table, at the root and on a many-to-many connection',
    sizes: [2, 20],
    document: (n) => `{ films(first: ${n}, where: { filmActors: { some: { actor: { is: { lastName: { equals: "GUINESS" } } } } } }) { totalCount nodes { filmId
        actors(where: { lastName: { startsWith: "G" } }) { totalCount nodes { lastName } } } } }`,
    statements: 1,
    expected: (m, n) => {
      const matching = m.films.filter((f) => actorsOf(m, f.filmId).some((a) => a.lastName === 'GUINESS'))
      return {
        films: {
          totalCount: matching.length,
          nodes: matching.slice(0, n).map((f) => {
            const actors = actorsOf(m, f.filmId).filter((a) => a.lastName.startsWith('G'))
            return { filmId: f.filmId, actors: { totalCount: actors.length, nodes: page(actors).map(({ lastName }) => ({ lastName })) } }
          }),
        },
      }
    },
    unasked: new RegExp(`\\b(${FILM_UNASKED}|title|first_name)\\b`),
  },
  {
    name: 'totalCount and nested totalCounts',
    sizes: [5, 50],
    document: (n) => `{ films(first: ${n}, where: { rating: { equals: PG_13 } }) { totalCount nodes { filmId
        actors { totalCount } inventories { totalCount } categories { totalCount } } }
      languages { totalCount nodes { name filmsByLanguage { totalCount } filmsByOriginalLanguage { totalCount } } } }`,
    statements: 1,
    expected: (m, n) => {
      const pg13 = m.films.filter((f) => f.rating === 'PG_13')
      return {
        films: {
          totalCount: pg13.length,
          nodes: pg13.slice(0, n).map((f) => ({
            filmId: f.filmId,
            actors: { totalCount: actorsOf(m, f.filmId).length },
            inventories: { totalCount: m.inventories.filter((i) => i.filmId === f.filmId).length },
            categories: { totalCount: categoriesOf(m, f.filmId).length },
          })),
        },
        languages: {
          totalCount: m.languages.length,
          nodes: m.languages.map((l) => ({
            name: l.name,
            filmsByLanguage: { totalCount: m.films.filter((f) => f.languageId === l.languageId).length },
            filmsByOriginalLanguage: { totalCount: m.films.filter((f) => f.originalLanguageId === l.languageId).length },
          })),
        },
      }
    },
    unasked: new RegExp(`\\b(${FILM_UNASKED}|title|first_name|store_id)\\b`),
  },
  {
    name: '100 lookups by key (film(filmId:) aliased): one statement, in order, null where missing',
    sizes: [10, 100],
    document: (n) => `{ ${aliases(n, (i) => `film(filmId: ${filmIdAt(i)}) { filmId title }`)} }`,
    statements: 1,
    expected: (m, n) =>
      expectAliases(n, (i) => {
        const f = m.films.find((row) => row.filmId === filmIdAt(i))
        return f ? { filmId: f.filmId, title: f.title } : null
      }),
    unasked: new RegExp(`\\b(${FILM_UNASKED}|length|rating)\\b`),
  },
  {
    name: '100 lookups by key with nested relations: one statement',
    sizes: [10, 100],
    document: (n) => `{ ${aliases(n, (i) => `film(filmId: ${filmIdAt(i)}) { title language { name } actors(first: 2) { nodes { firstName } } }`)} }`,
    statements: 1,
    expected: (m, n) =>
      expectAliases(n, (i) => {
        const f = m.films.find((row) => row.filmId === filmIdAt(i))
        if (!f) return null
        return { title: f.title, language: { name: language(m, f.languageId).name }, actors: { nodes: page(actorsOf(m, f.filmId), 2).map(({ firstName }) => ({ firstName })) } }
      }),
    unasked: new RegExp(`\\b(${FILM_UNASKED}|last_name)\\b`),
  },
  {
    name: '100 lookups by a composite key (filmActor(actorId:, filmId:)): one statement',
    sizes: [10, 100],
    document: (n) =>
      `{ ${aliases(n, (i) => {
        const { actorId, filmId } = filmActorAt(model, i)
        return `filmActor(actorId: ${actorId}, filmId: ${filmId}) { actorId filmId actor { firstName } }`
      })} }`,
    statements: 1,
    expected: (m, n) =>
      expectAliases(n, (i) => {
        const { actorId, filmId } = filmActorAt(m, i)
        const exists = m.filmActors.some((fa) => fa.actorId === actorId && fa.filmId === filmId)
        return exists ? { actorId, filmId, actor: { firstName: actor(m, actorId).firstName } } : null
      }),
    unasked: /\b(last_name|last_update|title)\b/,
  },
  {
    name: 'node(nodeId:) lookups of six types, composite keys and missing rows included: one statement',
    sizes: [6, 50],
    document: (n) =>
      `{ ${aliases(n, (i) => {
        const { type, key } = nodeTargetAt(model, i)
        return `node(nodeId: "${key === null ? ctx.ghostNodeIds.get(type) : nodeIdOf(`${type}:${key}`)}") ${NODE_SELECTION}`
      })} }`,
    statements: 1,
    expected: (m, n) =>
      expectAliases(n, (i) => {
        const { type, key } = nodeTargetAt(m, i)
        return key === null ? null : expectedNode(m, type, key)
      }),
    unasked: new RegExp(`\\b(${FILM_UNASKED}|first_name|customer_id|staff_id|rental_id)\\b`),
  },
]
OPERATIONS.push(executedByGraphQL(OPERATIONS.find((op) => op.name.startsWith('node(nodeId:) lookups of six types'))!, NODE_TYPES.length))

// ---- The tests ---------------------------------------------------------------------------------

async function check(op: Operation, n: number): Promise<number> {
  const { data, statements } = await run(op.document(n))
  const where = `${op.name} (size ${n}); statements:\n${describeStatements(statements)}`
  expect.soft(data, `data of ${op.name} (size ${n})`).toEqual(op.expected(model, n))
  if (op.unasked) for (const statement of statements) expect.soft(statement, `a column not asked for: ${where}`).not.toMatch(op.unasked)
  expect.soft(statements.length, `statement count of ${where}`).toBe(op.statements)
  return statements.length
}

describe('statements per operation, at two sizes', () => {
  it.each(OPERATIONS)('$name', async (op) => {
    const counts = [await check(op, op.sizes[0]), await check(op, op.sizes[1])]
    expect(counts, `${op.name}: the count must not depend on the size`).toEqual([op.statements, op.statements])
  })
})

describe('loaders live and die with their request', () => {
  const lookups = '{ a: film(filmId: 3) { title } b: film(filmId: 1) { title } c: film(filmId: 99999) { title } d: film(filmId: 2) { title } }'

  it('the same lookups, run twice, cost one statement each time and see a change made in between', async () => {
    const first = await run(lookups)
    expect(first.statements).toHaveLength(1)
    expect(first.data).toEqual({ a: { title: 'ADAPTATION HOLES' }, b: { title: 'ACADEMY DINOSAUR' }, c: null, d: { title: 'ACE GOLDFINGER' } })

    await fx.sql.query(`UPDATE film SET title = 'ACADEMY DINOSAUR II' WHERE film_id = 1`)
    try {
      const second = await run(lookups)
      expect(second.statements).toHaveLength(1)
      expect(second.data).toEqual({ a: { title: 'ADAPTATION HOLES' }, b: { title: 'ACADEMY DINOSAUR II' }, c: null, d: { title: 'ACE GOLDFINGER' } })
    } finally {
      await fx.sql.query(`UPDATE film SET title = 'ACADEMY DINOSAUR' WHERE film_id = 1`)
    }
  })

  it('node lookups, run twice, cost one statement each time', async () => {
    const document = `{ a: node(nodeId: "${nodeIdOf('Film:2')}") ${NODE_SELECTION} b: node(nodeId: "${nodeIdOf('Actor:3')}") ${NODE_SELECTION} }`
    for (let i = 0; i < 2; i++) {
      const { data, statements } = await run(document)
      expect(statements, `run ${i + 1}`).toHaveLength(1)
      expect(data).toEqual({ a: { nodeId: nodeIdOf('Film:2'), title: 'ACE GOLDFINGER' }, b: { nodeId: nodeIdOf('Actor:3'), lastName: 'CHASE' } })
    }
  })

  it('two requests at the same time: one statement each, and each gets only its own rows', async () => {
    // Batching must not cross requests: two requests arriving together never share a statement
    // (nor each other's rows).
    const fetchData = async (document: string) => {
      const response = await fx.api.gateway.yoga.fetch('http://portico.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: document }),
      })
      return (await response.json()) as { data?: unknown; errors?: unknown }
    }
    fx.api.statements.length = 0
    const [a, b] = await Promise.all([fetchData('{ x: film(filmId: 4) { title } y: film(filmId: 5) { title } }'), fetchData('{ x: film(filmId: 6) { title } z: film(filmId: 7) { title } }')])
    expect(a).toEqual({ data: { x: { title: 'AFFAIR PREJUDICE' }, y: { title: 'AFRICAN EGG' } } })
    expect(b).toEqual({ data: { x: { title: 'AGENT TRUMAN' }, z: { title: 'AIRPLANE SIERRA' } } })
    expect(dataStatements(fx.api.statements)).toHaveLength(2)
  })
})
