/**
 * A query's read under the caller's identity goes in one round trip: the settings statement and the
 * read under one Sync (src/db/settings-then-query.ts). On a pool of one connection: the read sees
 * the role and every claim setting, the connection is clean afterwards, and a failure of either
 * statement leaves the connection's prepared statements as pg believes them to be.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { settingsStatement } from '../src/db/request-session.js'
import { queryWithSettings } from '../src/db/settings-then-query.js'
import { createTestDatabase, testServer, type TestDatabase } from './support/test-database.js'

const role = `settings_${Math.random().toString(36).slice(2, 8)}`
let db: TestDatabase
let pool: pg.Pool

beforeAll(async () => {
  db = await createTestDatabase('settings', `
    CREATE ROLE ${role} NOLOGIN; GRANT ${role} TO CURRENT_USER;
    CREATE TABLE secret (id integer PRIMARY KEY, owner text NOT NULL, at timestamptz NOT NULL);
    INSERT INTO secret VALUES (1, 'alice', '2024-03-01T10:00:00.5Z'), (2, 'bob', '2024-03-01T11:00:00Z');
    GRANT SELECT ON secret TO ${role};
    ALTER TABLE secret ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own ON secret USING (owner = current_setting('request.jwt.claim.sub', true));`)
  pool = new pg.Pool({ connectionString: db.url, max: 1 })
})

afterAll(async () => {
  await pool?.end()
  await db?.drop()
  if ((await testServer()).kind !== 'pglite') {
    const admin = new pg.Client((await testServer()).adminUrl)
    await admin.connect()
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end())
  }
})

const alice = settingsStatement({ role, claims: { sub: 'alice', tenant: 7, scopes: ['a', 'b'], nothing: null, 'not-a-name': 'x' } })
const SESSION = `SELECT current_user AS "user", current_setting('request.jwt.claims', true) AS claims,
  current_setting('request.jwt.claim.sub', true) AS sub, current_setting('request.jwt.claim.tenant', true) AS tenant,
  current_setting('request.jwt.claim.scopes', true) AS scopes, current_setting('request.jwt.claim.nothing', true) AS nothing`

async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    return await work(client)
  } finally {
    client.release()
  }
}

describe('a read with the settings in one round trip', () => {
  it('runs the read as the role, with the claims and one setting per claim, and leaves nothing behind', async () => {
    const loginUser = (await pool.query('SELECT current_user AS u')).rows[0].u as string
    await withClient(async (client) => {
      const { rows } = await queryWithSettings(client, { name: 'session_a', text: SESSION, values: [] }, alice)
      expect(rows).toEqual([{ user: role, claims: alice.values[1], sub: 'alice', tenant: '7', scopes: '["a","b"]', nothing: 'null' }])
      // The same connection afterwards: the settings ended with the read's implicit transaction.
      const after = (await client.query(SESSION)).rows[0]
      expect(after.user).toBe(loginUser)
      expect([after.claims, after.sub].map((v: string | null) => v ?? '')).toEqual(['', ''])
      expect((await client.query('SELECT pg_current_xact_id_if_assigned() AS x, now() = statement_timestamp() AS fresh')).rows).toEqual([{ x: null, fresh: true }])
    })
  })

  it("applies row-level security, and parses the read's rows with their types", async () => {
    await withClient(async (client) => {
      const read = { name: 'secret_by_owner', text: 'SELECT id, owner, at FROM secret WHERE id = ANY($1::int[]) ORDER BY id', values: [[1, 2]] }
      expect((await queryWithSettings(client, read, alice)).rows).toEqual([{ id: 1, owner: 'alice', at: new Date('2024-03-01T10:00:00.5Z') }])
      const bob = settingsStatement({ role, claims: { sub: 'bob' } })
      // Prepared by the first call: this one sends no Parse for the read.
      expect((await queryWithSettings(client, read, bob)).rows).toEqual([{ id: 2, owner: 'bob', at: new Date('2024-03-01T11:00:00Z') }])
    })
  })

  it('a role the login may not take fails the settings; the read is not run and its statement is still prepared when next used', async () => {
    await withClient(async (client) => {
      const read = { name: 'count_secret', text: 'SELECT count(*)::int AS n FROM secret', values: [] }
      await expect(queryWithSettings(client, read, settingsStatement({ role: 'no_such_role_here', claims: {} }))).rejects.toThrow(/role "no_such_role_here" does not exist/)
      expect((await queryWithSettings(client, read, alice)).rows).toEqual([{ n: 1 }])
    })
  })

  it('a failing read rolls the settings back, and the connection goes on', async () => {
    await withClient(async (client) => {
      const failing = { name: 'divide', text: 'SELECT (1 / (count(*) - 1))::int AS n FROM secret', values: [] }
      await expect(queryWithSettings(client, failing, alice)).rejects.toThrow(/division by zero/)
      expect((await client.query(`SELECT current_setting('request.jwt.claim.sub', true) AS sub`)).rows[0].sub ?? '').toBe('')
      // The statement was prepared (its Parse succeeded before its execution failed): usable again.
      expect((await queryWithSettings(client, failing, settingsStatement({ role, claims: {} }))).rows).toEqual([{ n: -1 }])
    })
  })
})
