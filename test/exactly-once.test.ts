/**
 * Exactly-once creates across processes: idempotency keys live in PostgreSQL (src/db/idempotency-store.ts),
 * so the same key sent to two `portico serve` processes writes once, and a process that dies
 * between its COMMIT and its reply leaves a key that the retry, on another process, replays.
 *
 * The crash is real: PORTICO_TEST_CRASH_AFTER_COMMIT=1 makes the process SIGKILL itself right
 * after a keyed create commits, before anything is written to the client's socket.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { post, startPortico, type PorticoProcess } from './support/portico-process.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'

const SQL = `CREATE TABLE item (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL, created timestamptz NOT NULL DEFAULT now());`

let db: TestDatabase
let sql: pg.Client
let crashing: PorticoProcess
let first: PorticoProcess
let second: PorticoProcess

beforeAll(async () => {
  db = await createTestDatabase('exactly_once', [SQL])
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  const config = { databaseUrl: db.url, schemas: ['public'], logLevel: 'warn' }
  ;[crashing, first, second] = await Promise.all([
    startPortico({ config, env: { PORTICO_TEST_CRASH_AFTER_COMMIT: '1' } }),
    startPortico({ config }),
    startPortico({ config }),
  ])
}, 240_000)

afterAll(async () => {
  await Promise.all([crashing, first, second].map((p) => p?.kill()))
  await sql?.end()
  await db?.drop()
})

// `created` as PostgreSQL's ISO-8601 writes it, which is what Portico serves: microseconds without
// trailing zeros (…30.91624Z), not to_char's fixed six digits.
const itemsLabelled = async (label: string) =>
  (await sql.query(`SELECT id, label, replace(to_json(created AT TIME ZONE 'UTC') #>> '{}', '+00:00', '') || 'Z' AS created FROM item WHERE label = $1`, [label])).rows

it('the same key sent to two processes at once writes one row; every answer is that row', async () => {
  const create = 'mutation { createItem(data: { label: "together" }, idempotencyKey: "k-together") { id label created } }'
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => post((i % 2 ? first : second).url, create)))
  const rows = await itemsLabelled('together')
  expect(rows).toHaveLength(1)
  for (const answer of answers) expect(answer.body).toEqual({ data: { createItem: rows[0] } })
})

it('a create killed between COMMIT and its reply, retried on another process: one row, and the answer the first would have given', async () => {
  const create = 'mutation { createItem(data: { label: "crash" }, idempotencyKey: "k-crash") { id label created } }'
  // The client sees its connection die: no answer, so it cannot know whether the row was written.
  await expect(post(crashing.url, create)).rejects.toThrow()
  expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' })
  const rows = await itemsLabelled('crash')
  expect(rows).toHaveLength(1)
  const retried = await post(first.url, create)
  expect(retried).toMatchObject({ status: 200, body: { data: { createItem: rows[0] } } })
  expect((await post(second.url, create)).body).toEqual(retried.body)
  expect(await itemsLabelled('crash')).toEqual(rows)
})

it('the same key with other data is refused on any process', async () => {
  const result = await post(second.url, 'mutation { createItem(data: { label: "other" }, idempotencyKey: "k-crash") { id } }')
  expect(result.body.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED')
  expect(await itemsLabelled('other')).toEqual([])
})
