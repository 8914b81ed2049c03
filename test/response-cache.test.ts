/**
 * The shared response cache (src/serve/use-response-cache.ts): two gateways, as two processes
 * would be, sharing only a real Redis (a server of this test's own), on one database. A hit is a
 * request that sends no SQL at all (the statements each gateway sends are recorded); every answer
 * is compared with SQL.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { redisUnavailable, startRedis, type RedisServer } from './support/redis-server.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'

const SQL = `
  CREATE TABLE film (film_id integer PRIMARY KEY, title text NOT NULL);
  INSERT INTO film VALUES (1, 'Alien'), (2, 'Brazil');
  CREATE TABLE flash (id integer PRIMARY KEY, note text NOT NULL);
  COMMENT ON TABLE flash IS E'@cacheTtl 1\\nKept one second in the response cache.';
  INSERT INTO flash VALUES (1, 'first');`

const FILMS = '{ films(orderBy: [{ filmId: ASC }]) { nodes { filmId title } } }'

let db: TestDatabase
let redis: RedisServer
let a: TestGateway
let b: TestGateway
let sql: pg.Client

describe.skipIf(redisUnavailable())('response cache', () => {
  beforeAll(async () => {
    db = await createTestDatabase('cache', [SQL])
    redis = await startRedis()
    const config = { schemas: ['public'], redisUrl: redis.url, cache: { enabled: true, ttlMs: 60_000 } }
    ;[a, b] = await Promise.all([startTestGateway(db.url, config), startTestGateway(db.url, config)])
    sql = new pg.Client({ connectionString: db.url })
    await sql.connect()
  }, 120_000)

  afterAll(async () => {
    await sql?.end()
    await a?.close()
    await b?.close()
    await redis?.stop()
    await db?.drop()
  })

  const films = async () => ({ films: { nodes: (await sql.query('SELECT film_id AS "filmId", title FROM film ORDER BY film_id')).rows } })

  it('a repeated query is answered from the cache: no SQL; the other gateway hits it too, through Redis', async () => {
    expect(await a.data(FILMS)).toEqual(await films())
    expect(a.statements).toHaveLength(1)
    expect(await a.data(FILMS)).toEqual(await films())
    expect(a.statements).toHaveLength(0)
    expect(await b.data(FILMS)).toEqual(await films())
    expect(b.statements).toHaveLength(0)
  })

  it('a mutation on one gateway invalidates the answers cached for the other', async () => {
    await b.data(FILMS)
    expect(b.statements).toHaveLength(0)
    expect(await a.data('mutation { updateFilm(where: { filmId: 2 }, data: { title: "Brazil (1985)" }) { filmId title } }')).toEqual({ updateFilm: { filmId: 2, title: 'Brazil (1985)' } })
    expect(await b.data(FILMS)).toEqual(await films())
    expect(b.statements).toHaveLength(1)
    // A create changes lists without touching any cached entity: the whole type is invalidated.
    await b.data(FILMS)
    await a.data('mutation { createFilm(data: { filmId: 3, title: "Casablanca" }) { filmId } }')
    expect(await b.data(FILMS)).toEqual(await films())
    expect((await films()).films.nodes).toHaveLength(3)
  })

  it('a write by another client is served stale until a row event invalidates its table', async () => {
    await a.data(FILMS)
    await sql.query(`UPDATE film SET title = 'Alien (1979)' WHERE film_id = 1`)
    expect((await b.data(FILMS)).films.nodes[0].title).toBe('Alien')
    await a.gateway.cache!.invalidateTables(['public.film'])
    expect(await b.data(FILMS)).toEqual(await films())
    expect(b.statements).toHaveLength(1)
  })

  it('@cacheTtl 1 on a table keeps its answers one second', async () => {
    const read = '{ flashes { nodes { id note } } }'
    expect(await a.data(read)).toEqual({ flashes: { nodes: [{ id: 1, note: 'first' }] } })
    await sql.query(`UPDATE flash SET note = 'second'`)
    expect(await a.data(read)).toEqual({ flashes: { nodes: [{ id: 1, note: 'first' }] } })
    expect(a.statements).toHaveLength(0)
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    expect(await a.data(read)).toEqual({ flashes: { nodes: [{ id: 1, note: 'second' }] } })
  })

  it('in memory without redisUrl: hits within the process', async () => {
    const local = await startTestGateway(db.url, { schemas: ['public'], cache: { enabled: true } })
    try {
      expect(await local.data(FILMS)).toEqual(await films())
      expect(local.statements).toHaveLength(1)
      expect(await local.data(FILMS)).toEqual(await films())
      expect(local.statements).toHaveLength(0)
    } finally {
      await local.close()
    }
  })
})
