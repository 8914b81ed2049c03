/**
 * Portico behind a real PgBouncer 1.18 in transaction mode (./support/pgbouncer.ts), two server
 * connections shared by Portico's ten: statements of one client land on different server
 * connections, so named prepared statements and session settings would break; they must not be
 * used (src/db/pooler.ts). Introspection uses the direct databaseUrl.
 *
 * Checked: many concurrent reads of repeated shapes (which would meet "prepared statement ...
 * does not exist" with named statements), writes with idempotency keys, row-level security with
 * two users interleaved (a role or claim left on a server connection would show), and the clear
 * error at start when the database lacks the settings a pooler cannot set.
 */
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { pgbouncerUnavailable, startPgBouncer, type PgBouncer } from './support/pgbouncer.js'
import { createClusterDatabase, privateClusterUnavailable, startPrivateCluster, withClient, type Cluster } from './support/private-cluster.js'
import { rlsRoles, rlsSchemaSql } from './support/rls-schema.js'

const unavailable = privateClusterUnavailable() ?? pgbouncerUnavailable()
const SECRET = 'a-secret-for-the-pooler-tests-0123456789abcdef'
const roles = rlsRoles('pooled')

const SQL = `
  CREATE TABLE item (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL, took interval, at timestamptz);
  INSERT INTO item (label, took, at) SELECT 'item ' || n, n * interval '90 minutes', '2024-03-01 08:30:00+02'::timestamptz + n * interval '1 day' FROM generate_series(1, 30) n;
  ${rlsSchemaSql('pooled')}`

let cluster: Cluster
let bouncer: PgBouncer
let directUrl: string
let api: TestGateway
let authApi: TestGateway

describe.skipIf(unavailable)('behind PgBouncer in transaction mode', () => {
  beforeAll(async () => {
    cluster = await startPrivateCluster()
    directUrl = await createClusterDatabase(cluster, 'app', SQL)
    bouncer = await startPgBouncer({ host: '127.0.0.1', port: cluster.port }, { poolSize: 2 })
  }, 120_000)

  afterAll(async () => {
    await api?.close()
    await authApi?.close()
    await bouncer?.stop()
    await cluster?.stop()
  })

  it('refuses to start, saying what to run, while the database lacks the settings a pooler cannot set', async () => {
    await expect(startTestGateway(directUrl, { schemas: ['public'], poolerUrl: bouncer.url('app') })).rejects.toThrow(
      `and IntervalStyle postgres; Portico needs UTC and iso_8601, and a transaction pooler cannot set them per connection: run ALTER ROLE "postgres" IN DATABASE "app" SET IntervalStyle = 'iso_8601'; (then reconnect the pooler's server connections: RECONNECT in PgBouncer's console)`,
    )
  })

  it('starts once the settings are the database role\'s own', async () => {
    await withClient(directUrl, (c) => c.query(`ALTER ROLE "postgres" IN DATABASE "app" SET IntervalStyle = 'iso_8601'`))
    // The pooler's server connections opened before the ALTER keep the old setting: new ones.
    await withClient(cluster.adminUrl, (c) => c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'app' AND pid <> pg_backend_pid()`))
    api = await startTestGateway(directUrl, { schemas: ['public'], poolerUrl: bouncer.url('app'), poolSize: 10 })
    authApi = await startTestGateway(directUrl, { schemas: ['notes'], poolerUrl: bouncer.url('app'), poolSize: 10, auth: { jwtSecret: SECRET, roles: [roles.user] } })
  }, 120_000)

  it('concurrent reads of repeated shapes, with exact values, over two server connections', async () => {
    const read = (n: number) => api.data(`{ items(where: { id: { lte: ${n} } }, orderBy: [{ id: DESC }], first: 2) { nodes { id label took at } } a: item(id: ${n}) { label } }`)
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => read((i % 20) + 2)))
    const expected = async (n: number) =>
      withClient(directUrl, async (c) => {
        await c.query(`SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'`)
        const { rows } = await c.query(`SELECT id, label, took::text AS took, to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at FROM item WHERE id <= $1 ORDER BY id DESC LIMIT 2`, [n])
        return { items: { nodes: rows }, a: { label: `item ${n}` } }
      })
    for (let i = 0; i < 20; i++) expect(answers[i]).toEqual(await expected(i + 2))
    // Portico's ten connections ran on the pooler's two.
    const backends = await withClient(cluster.adminUrl, async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'app' AND backend_type = 'client backend' AND application_name <> 'portico-listen'`)).rows[0].n as number)
    expect(backends).toBeLessThanOrEqual(2)
  })

  it('writes, with idempotency keys, through the pooler', async () => {
    const create = 'mutation { createItem(data: { label: "pooled", took: "PT1H" }, idempotencyKey: "pooled-1") { id label took } }'
    const answers = await Promise.all([api.data(create), api.data(create), api.data(create)])
    const rows = await withClient(directUrl, async (c) => (await c.query(`SELECT id, label FROM item WHERE label = 'pooled'`)).rows)
    expect(rows).toHaveLength(1)
    for (const answer of answers) expect(answer).toEqual({ createItem: { id: rows[0].id, label: 'pooled', took: 'PT1H' } })
  })

  it('row-level security with two users interleaved: no role or claim outlives its transaction', async () => {
    const as = (sub: string) => new SignJWT({ sub, role: roles.user }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))
    const tokens = { alice: await as('alice'), bob: await as('bob') }
    const ask = async (who: 'alice' | 'bob') => {
      const response = await authApi.gateway.yoga.fetch('http://portico.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` },
        body: JSON.stringify({ query: '{ notes(orderBy: [{ id: ASC }]) { nodes { owner } } }' }),
      })
      return { who, body: (await response.json()) as any }
    }
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => ask(i % 2 ? 'alice' : 'bob')))
    for (const { who, body } of results) {
      expect(body.errors).toBeUndefined()
      expect(body.data.notes.nodes.map((n: { owner: string }) => n.owner)).toEqual(who === 'alice' ? ['alice', 'alice'] : ['bob'])
    }
    // And a request with no token is refused, not served with a role left behind.
    const anonymous = await authApi.gateway.yoga.fetch('http://portico.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ notes { nodes { owner } } }' }) })
    expect(anonymous.status).toBe(401)
  })
})
