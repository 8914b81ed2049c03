/**
 * Portico as a library (issue 12): `import { createPortico } from 'portico'` (the package's own
 * `exports`) gives the gateway the CLI serves, mounted here on a plain Node HTTP server, with
 * extensions given as functions and as files. It serves the README's three examples: a field
 * computed in TypeScript, a root query calling an HTTP service (a local stub), and a mutation
 * validating its input around a generated write.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { createPortico, type PorticoInstance } from 'portico'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { EXTENSION_SCHEMA_SQL } from './support/extension-schema.js'
import { createTestDatabase, repoRoot, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let portico: PorticoInstance
let server: Server
let rates: Server
let url: string
const asked: string[] = []
const statements: string[] = []

const listen = (s: Server) => new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)))
const close = (s: Server | undefined) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()))

beforeAll(async () => {
  db = await createTestDatabase('library', EXTENSION_SCHEMA_SQL)
  // The rates service's stand-in: 0.9 EUR per USD, 503 for anything else.
  rates = createServer((request, response) => {
    asked.push(request.url ?? '')
    const ok = request.url === '/latest?from=USD&to=EUR'
    response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
    response.end(ok ? JSON.stringify({ amount: 1, base: 'USD', rates: { EUR: 0.9 } }) : '{}')
  })
  process.env.RATES_URL = await listen(rates)
  // Imported as a program would (they are typed against a project's src/generated/, which this repository does not commit).
  const example = async (name: string) => ((await import(path.join(repoRoot, 'examples', 'extensions', name))) as { default: (builder: unknown, portico: unknown) => void }).default
  const [filmFields, addReview] = [await example('film-fields.ts'), await example('add-review.ts')]
  portico = await createPortico({
    databaseUrl: db.url,
    env: {},
    cwd: repoRoot,
    config: { schemas: ['public'], logLevel: 'silent', extensions: [path.join('examples', 'extensions', 'exchange-rate.ts')] },
    extensions: [filmFields, addReview],
    onQuery: (sql) => statements.push(sql),
  })
  server = createServer(portico.handler)
  url = await listen(server)
}, 120_000)

afterAll(async () => {
  await close(server)
  await close(rates)
  await portico?.close()
  await db?.drop()
})

async function post(query: string): Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  statements.length = 0
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
  return (await response.json()) as never
}

it('serves a field computed in TypeScript beside generated ones, in one statement', async () => {
  const result = await post('{ films(first: 2) { nodes { title titleLength summary } } }')
  const rows = (
    await portico.gateway.pool.query(`SELECT f.title, length(f.title) AS "titleLength", f.title || ' (' || l.name || ', ' || (SELECT count(*) FROM review r WHERE r.film_id = f.film_id) || ' reviews)' AS summary FROM film f JOIN language l USING (language_id) ORDER BY film_id LIMIT 2`)
  ).rows
  expect(result).toEqual({ data: { films: { nodes: rows } } })
  expect(statements).toHaveLength(1)
})

it('a root query calls the HTTP service, in the same operation as a generated lookup', async () => {
  expect(await post('{ exchangeRate(from: "USD", to: "EUR") film(filmId: 1) { title rentalRate } }')).toEqual({
    data: { exchangeRate: 0.9, film: { title: 'Film 1', rentalRate: '1.99' } },
  })
  expect(asked).toEqual(['/latest?from=USD&to=EUR'])
  const refused = await post('{ exchangeRate(from: "USD", to: "JPY") }')
  expect(refused.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['the rates service is unavailable', 'SERVICE_UNAVAILABLE']])
  const invalid = await post('{ exchangeRate(from: "usd", to: "EUR") }')
  expect(invalid.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['currencies are three capital letters, e.g. USD', 'BAD_USER_INPUT']])
  expect(asked).toHaveLength(2)
})

it('a mutation validates its input, then writes through Prisma and returns the generated type', async () => {
  const bad = await post('mutation { addReview(filmId: 1, stars: 9, body: "Great") { reviewId } }')
  expect(bad.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.field])).toEqual([['stars must be between 1 and 5', 'BAD_USER_INPUT', 'stars']])
  const missing = await post('mutation { addReview(filmId: 999, stars: 4, body: "Great") { reviewId } }')
  expect(missing.errors?.map((e) => e.message)).toEqual(['there is no film 999'])
  const before = (await portico.gateway.pool.query('SELECT count(*)::int AS n FROM review')).rows[0].n
  const done = await post('mutation { addReview(filmId: 5, stars: 4, body: "  A classic  ") { reviewId stars body film { title titleLength } } }')
  const [row] = (await portico.gateway.pool.query('SELECT review_id AS "reviewId", stars, body FROM review ORDER BY review_id DESC LIMIT 1')).rows
  expect(done).toEqual({ data: { addReview: { ...row, body: 'A classic', film: { title: 'Film 5', titleLength: 6 } } } })
  expect((await portico.gateway.pool.query('SELECT count(*)::int AS n FROM review')).rows[0].n).toBe(before + 1)
})
