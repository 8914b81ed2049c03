/**
 * Writes by any client invalidate the response cache where change triggers are installed
 * (src/serve/cache-row-events.ts): two `portico serve` processes sharing a Redis of this test's
 * own, a write by plain SQL, and then both answer with the new data. A hit is an answer for which
 * the process sent no SQL (`portico_sql_statements_total` did not move); each process counts its
 * invalidations (`portico_response_cache_invalidations_total`), which the test waits for: the
 * notification reaches the processes a few milliseconds after the COMMIT. An answer read before a
 * write that was heard while it ran is not stored (src/serve/cache-generations.ts).
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { post, startPortico, until, type PorticoProcess } from './support/portico-process.js'
import { redisUnavailable, startRedis, type RedisServer } from './support/redis-server.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'

const SQL = `
  CREATE TABLE film (film_id integer PRIMARY KEY, title text NOT NULL);
  INSERT INTO film VALUES (1, 'Alien'), (2, 'Brazil');
  CREATE TABLE note (id integer PRIMARY KEY, body text NOT NULL);
  INSERT INTO note VALUES (1, 'untouched');
  -- A read that takes a second, on one snapshot (STABLE: the caller's): a write can commit, and be
  -- heard, while it runs.
  CREATE FUNCTION slow_films() RETURNS SETOF film LANGUAGE sql STABLE AS $$ SELECT f.* FROM film f CROSS JOIN pg_sleep(1) ORDER BY f.film_id $$;`

const FILMS = '{ films(orderBy: [{ filmId: ASC }]) { nodes { filmId title } } }'
const NOTES = '{ notes { nodes { id body } } }'

let db: TestDatabase
let redis: RedisServer
let sql: pg.Client
let a: PorticoProcess
let b: PorticoProcess

async function metric(process: PorticoProcess, name: string): Promise<number> {
  const text = await (await fetch(`${process.url}/metrics`)).text()
  const escaped = name.replace(/[{}"]/g, (c) => `\\${c}`)
  return Number(new RegExp(`^${escaped} (\\d+)`, 'm').exec(text)?.[1] ?? 0)
}
const statements = (process: PorticoProcess) => metric(process, 'portico_sql_statements_total')
const invalidations = (process: PorticoProcess, cause = 'row_event') => metric(process, `portico_response_cache_invalidations_total{cause="${cause}"}`)

/** The answer, and whether it came from the cache (the process sent no SQL for it). */
async function read(process: PorticoProcess, query: string): Promise<{ data: any; hit: boolean }> {
  const before = await statements(process)
  const { status, body } = await post(process.url, query)
  expect(status).toBe(200)
  expect(body.errors).toBeUndefined()
  return { data: body.data, hit: (await statements(process)) === before }
}

const films = async () => ({ films: { nodes: (await sql.query('SELECT film_id AS "filmId", title FROM film ORDER BY film_id')).rows } })

describe.skipIf(redisUnavailable())('the response cache and writes by other clients', () => {
  beforeAll(async () => {
    db = await createTestDatabase('cache_row_events', [SQL])
    redis = await startRedis()
    sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
    const config = { databaseUrl: db.url, schemas: ['public'], redisUrl: redis.url, cache: { enabled: true, ttlMs: 600_000 }, logLevel: 'warn' }
    // Triggers on film only (installed by the first at start); note has none.
    ;[a, b] = await Promise.all([startPortico({ config: { ...config, live: { triggers: ['public.film'] } } }), startPortico({ config })])
  }, 240_000)

  afterAll(async () => {
    await Promise.all([a, b].map((p) => p?.kill()))
    await sql?.end()
    await redis?.stop()
    await db?.drop()
  })

  /** Cached on both: a miss on a, then hits on a and (through Redis) on b. */
  async function cachedOnBoth(query: string, expected: unknown) {
    await read(a, query)
    for (const process of [a, b]) expect(await read(process, query)).toEqual({ data: expected, hit: true })
  }

  it('an UPDATE by SQL: the next answer on both processes is the new data, not the cached one', async () => {
    await cachedOnBoth(FILMS, await films())
    const [seenA, seenB] = await Promise.all([invalidations(a), invalidations(b)])
    await sql.query(`UPDATE film SET title = 'Alien (1979)' WHERE film_id = 1`)
    await until(async () => (await invalidations(a)) > seenA && (await invalidations(b)) > seenB, 10_000)
    const fresh = await films()
    expect(fresh.films.nodes[0].title).toBe('Alien (1979)')
    // The first read after the invalidation runs SQL: the stale answer is gone from Redis.
    expect(await read(b, FILMS)).toEqual({ data: fresh, hit: false })
    // And the new answer is what is cached now, for both.
    expect(await read(a, FILMS)).toEqual({ data: fresh, hit: true })
  })

  it('an INSERT and a DELETE by SQL change the cached lists on both processes', async () => {
    await cachedOnBoth(FILMS, await films())
    const [seenA, seenB] = await Promise.all([invalidations(a), invalidations(b)])
    await sql.query(`INSERT INTO film VALUES (3, 'Casablanca')`)
    await sql.query(`DELETE FROM film WHERE film_id = 2`)
    await until(async () => (await invalidations(a)) >= seenA + 1 && (await invalidations(b)) >= seenB + 1, 10_000)
    // Both statements' notifications may come in one batch or two: wait until the last was heard.
    await until(async () => (await read(a, FILMS)).data.films.nodes.length === 2 && (await read(a, FILMS)).data.films.nodes.at(-1).filmId === 3, 10_000)
    expect((await read(a, FILMS)).data).toEqual(await films())
    expect((await read(b, FILMS)).data).toEqual(await films())
  })

  it('a table without triggers stays cached until its TTL (nothing tells Portico of the write)', async () => {
    await cachedOnBoth(NOTES, { notes: { nodes: [{ id: 1, body: 'untouched' }] } })
    await sql.query(`UPDATE note SET body = 'changed'`)
    // A write to film afterwards: its notification arrives after note's write committed.
    const [seenA, seenB] = await Promise.all([invalidations(a), invalidations(b)])
    await sql.query(`UPDATE film SET title = title`)
    await until(async () => (await invalidations(a)) > seenA && (await invalidations(b)) > seenB, 10_000)
    expect(await read(a, NOTES)).toEqual({ data: { notes: { nodes: [{ id: 1, body: 'untouched' }] } }, hit: true })
  })

  it('after the LISTEN connection was lost and is back, the watched tables are invalidated (notifications in between are gone)', async () => {
    await cachedOnBoth(FILMS, await films())
    const [seenA, seenB] = await Promise.all([invalidations(a, 'resync'), invalidations(b, 'resync')])
    await sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'portico-listen' AND datname = current_database()`)
    await sql.query(`UPDATE film SET title = 'Casablanca (1942)' WHERE film_id = 3`)
    await until(async () => (await invalidations(a, 'resync')) > seenA && (await invalidations(b, 'resync')) > seenB, 15_000)
    // Whether the UPDATE's notification was lost or heard, neither process serves the old title.
    const fresh = await films()
    expect((await read(a, FILMS)).data).toEqual(fresh)
    expect((await read(b, FILMS)).data).toEqual(fresh)
  })

  it('an answer read before a write, finished after the write invalidated the cache, is served once but not stored', async () => {
    const SLOW = '{ slowFilms { nodes { filmId title } } }'
    const slowFilms = async () => ({ slowFilms: (await films()).films })
    const before = await slowFilms()
    const slow = read(a, SLOW)
    await until(async () => ((await sql.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE '%slow_films%' AND state = 'active' AND pid <> pg_backend_pid()`)).rowCount ?? 0) > 0, 5_000, 10)
    const seen = await invalidations(a)
    await sql.query(`UPDATE film SET title = 'Alien (Director''s Cut)' WHERE film_id = 1`)
    await until(async () => (await invalidations(a)) > seen, 5_000, 10)
    // Its snapshot was taken before the UPDATE: the old titles, as the database had them then.
    expect(await slow).toEqual({ data: before, hit: false })
    const after = await slowFilms()
    expect(after.slowFilms.nodes[0].title).toBe("Alien (Director's Cut)")
    // Not stored: the next read runs again, and its answer is stored.
    expect(await read(a, SLOW)).toEqual({ data: after, hit: false })
    expect(await read(b, SLOW)).toEqual({ data: after, hit: true })
  })
})
