/**
 * A per-request statement_timeout: a slow query is cancelled in PostgreSQL, and the client gets a
 * clear error it can act on (not "Internal server error", no SQL), whichever path ran it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, testServer, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let api: TestGateway
// PGlite (the fallback with no PostgreSQL server) ignores startup settings such as statement_timeout.
const pglite = (await testServer()).kind === 'pglite'

beforeAll(async () => {
  // Enough rows that grouping them takes far longer than the timeout below.
  db = await createTestDatabase('timeout', `
    CREATE TABLE reading (id integer PRIMARY KEY, sensor text NOT NULL, value double precision NOT NULL);
    INSERT INTO reading SELECT i, 's' || (i % 1000), i * 0.5 FROM generate_series(1, 400000) AS i;
    ANALYZE reading;`)
  api = await startTestGateway(db.url, { schemas: ['public'], statementTimeoutMs: 20 })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await db?.drop()
})

it.skipIf(pglite)('a statement over the timeout is cancelled with a STATEMENT_TIMEOUT error, and the next request works', async () => {
  const slow = await api.query('{ readingsGroupBy(by: [sensor], orderBy: [{ avg: { value: DESC } }]) { key { sensor } aggregates { avg { value } } } }')
  expect(slow.errors).toEqual([
    expect.objectContaining({
      message: 'The query took too long and was cancelled (statement timeout): ask for fewer rows or narrow the filters.',
      extensions: { code: 'STATEMENT_TIMEOUT' },
    }),
  ])
  expect(JSON.stringify(slow)).not.toMatch(/SELECT|canceling/i)
  expect(await api.data('{ reading(id: 7) { value } }')).toEqual({ reading: { value: 3.5 } })
})
