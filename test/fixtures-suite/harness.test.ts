/**
 * The test-database harness's loadSharedFixture: a shared reference fixture (../shared/fixtures,
 * loaded with its load.sh, which needs psql and a real server) arrives complete. Part of the
 * fixture suite (`npm run test:fixtures`), not of `npm test`, which must run without ../shared.
 */
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { loadSharedFixture, testServer } from '../support/test-database.js'

describe('loadSharedFixture', () => {
  it('loads a shared fixture on a real server', async () => {
    const { kind } = await testServer()
    const name = `portico_shared_${process.pid}`
    if (kind === 'pglite') {
      await expect(loadSharedFixture('iotawatt', name)).rejects.toThrow(/real PostgreSQL server/)
      return
    }
    const db = await loadSharedFixture('iotawatt', name)
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
})
