/**
 * The test-database harness's loadSharedFixture: a shared reference fixture (../shared/fixtures,
 * loaded with its load.sh, which needs psql and a real server) arrives complete. Part of the
 * fixture suite (`npm run test:fixtures`), not of `npm test`, which must run without ../shared.
 */
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { loadSharedFixture, testServer } from '../support/test-database.js'

const { kind } = await testServer()

describe('loadSharedFixture', () => {
  it.runIf(kind !== 'pglite')('loads a shared fixture on a real server', async () => {
    const db = await loadSharedFixture('iotawatt', `portico_shared_${process.pid}`)
    const pool = new pg.Pool({ connectionString: db.url, max: 1 })
    try {
      // The checksum published in ../shared/fixtures/iotawatt/README.md.
      const { rows } = await pool
        .query(
          `SET TimeZone = 'UTC'; SELECT count(*)::int AS n, md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s', timestamp, device, sensor, power, pf, current, v), E'\\n' ORDER BY timestamp, device, sensor)) AS md5 FROM api.iotawatt`,
        )
        .then((r) => (r as unknown as pg.QueryResult[])[1]!)
      expect(rows[0]).toEqual({ n: 103_680, md5: '69fb9e5c37a16abf725fd1b2ffbfc73a' })
    } finally {
      await pool.end()
      await db.drop()
    }
  })

  it.runIf(kind === 'pglite')('says it needs a real server when the tests run on PGlite', async () => {
    await expect(loadSharedFixture('iotawatt', `portico_shared_${process.pid}`)).rejects.toThrow(/real PostgreSQL server/)
  })
})
