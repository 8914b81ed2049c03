/**
 * The test-database harness and Portico's own fixture (test/fixtures/portico-test.sql). Loading a
 * shared reference fixture (../shared, needs a real server) is tested in the fixture suite:
 * test/fixtures-suite/harness.test.ts.
 */
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { servePGlite } from '../src/db/demo-database.js'
import { createTestDatabase, newPGlite, readFixtureSql, testServer } from './support/test-database.js'

/** Row counts promised by the fixture's header comment. */
const EXPECTED_COUNTS: Record<string, number> = {
  'app.person': 12,
  'app.employee': 10,
  'app.post': 20,
  'app.tag': 6,
  'app.post_tag': 30,
  'app.message': 15,
  'app.item': 8,
  'audit.item': 12,
  'app."order"': 6,
  'app.order_line': 14,
  'app."MixedCase"': 3,
  'app."2fa_codes"': 4,
  'app.reading': 24,
  'app.reading_2024_01': 12,
  'app.reading_2024_02': 12,
  'public.all_types': 3,
  'public.keyless_log': 8,
  'app.person_summary': 12,
  'app.tag_usage': 6,
  'public.shift': 5,
}

async function rowCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const sql = Object.keys(EXPECTED_COUNTS)
    .map((t) => `SELECT '${t.replaceAll("'", "''")}' AS t, count(*)::int AS n FROM ${t}`)
    .join(' UNION ALL ')
  const { rows } = await pool.query<{ t: string; n: number }>(sql)
  return Object.fromEntries(rows.map((r) => [r.t, r.n]))
}

/** Checks that do not depend on the server: the awkward values survive the round trip. */
async function checkFixture(pool: pg.Pool) {
  expect(await rowCounts(pool)).toEqual(EXPECTED_COUNTS)
  const { rows } = await pool.query(`SELECT c_bigint::text, c_numeric::text, c_mood_array::text, c_citext = 'STRASSE' AS citext_ci FROM public.all_types WHERE id = 2`)
  expect(rows[0]).toEqual({ c_bigint: '9007199254740993', c_numeric: '12345678901234567890.123456789', c_mood_array: '{}', citext_ci: false })
  const ci = await pool.query(`SELECT id FROM app.person WHERE email = 'PERSON3@EXAMPLE.COM'`)
  expect(ci.rows).toEqual([{ id: 3 }])
  const dup = await pool.query(`SELECT count(*)::int AS n FROM (SELECT DISTINCT * FROM public.keyless_log) d`)
  expect(dup.rows[0].n).toBe(6)
  const comment = await pool.query(`SELECT col_description('app.person'::regclass, 6) AS c`) // "zip code"
  expect(comment.rows[0].c).toMatch(/space/)
  const pk = await pool.query(`
    SELECT array_agg(a.attname::text ORDER BY a.attname) AS cols FROM pg_index i
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indrelid = 'app.post_tag'::regclass AND i.indisprimary`)
  expect(pk.rows[0].cols).toEqual(['post_id', 'tag_id'])
  // Identity sequences were moved past the explicit ids.
  const inserted = await pool.query(`INSERT INTO app.person (email, full_name) VALUES ('new@example.com', 'New') RETURNING id`)
  expect(inserted.rows[0].id).toBe(13)
}

describe('test database harness', () => {
  const cleanups: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })

  it('chooses a server once', async () => {
    const a = await testServer()
    expect(await testServer()).toBe(a)
    if (process.env.TEST_DATABASE_URL) expect(a.kind).toBe('TEST_DATABASE_URL')
    expect(a.adminUrl).toMatch(/^postgres(ql)?:\/\//)
  })

  it('creates a database, loads portico-test.sql, and drops it', async () => {
    const db = await createTestDatabase('harness', readFixtureSql('portico-test.sql'))
    expect(db.name).toMatch(/^portico_harness_[0-9a-f]{8}$/)
    const pool = new pg.Pool({ connectionString: db.url, max: 4 })
    try {
      await checkFixture(pool)
      // Several connections at once (on PGlite they share its one session, one batch at a time).
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.query('SELECT $1::int AS i, count(*)::int AS n FROM app.post WHERE author = $1', [i % 12 + 1])))
      expect(results.map((r) => r.rows[0].i)).toEqual(Array.from({ length: 20 }, (_, i) => i % 12 + 1))
    } finally {
      await pool.end()
    }
    await db.drop()
    const { adminUrl, kind } = await testServer()
    if (kind !== 'pglite') {
      const admin = new pg.Client(adminUrl)
      await admin.connect()
      const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name])
      await admin.end()
      expect(left.rowCount).toBe(0)
    }
  })

  it('reports SQL errors and leaves no database behind', async () => {
    const prefix = `broken_${process.pid}`
    await expect(createTestDatabase(prefix, 'CREATE TABLE ok (id int); SELECT * FROM missing_table')).rejects.toThrow(/missing_table/)
    const { adminUrl, kind } = await testServer()
    if (kind === 'pglite') return
    const admin = new pg.Client(adminUrl)
    await admin.connect()
    const left = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`portico_${prefix}_%`])
    await admin.end()
    expect(left.rows).toEqual([])
  })

  it('loads portico-test.sql in PGlite too', async () => {
    const db = await newPGlite()
    const served = await servePGlite(db)
    cleanups.push(async () => {
      await served.close()
      await db.close()
    })
    await db.exec(readFixtureSql('portico-test.sql')[0]!)
    const pool = new pg.Pool({ connectionString: served.url, max: 3 })
    try {
      await checkFixture(pool)
    } finally {
      await pool.end()
    }
  })
})
