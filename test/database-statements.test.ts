/**
 * What a request costs, counted by PostgreSQL itself (pg_stat_statements on a private cluster),
 * not by Portico's hooks: with auth, a query is the caller's settings and its data statement, sent
 * in one round trip with no BEGIN or COMMIT, and a mutation is its transaction's BEGIN, the
 * settings, its statements and COMMIT; without auth, the data statements only. Portico's own count
 * (onQuery, which /metrics reports) must agree on the data statements.
 */
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countStatementsAt, type DatabaseStatements } from './support/database-statements.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createClusterDatabase, privateClusterUnavailable, startPrivateCluster, type Cluster } from './support/private-cluster.js'
import { rlsRoles, rlsSchemaSql } from './support/rls-schema.js'

const unavailable = privateClusterUnavailable()
const SECRET = 'database-statements-test-secret-0123456789'
const prefix = 'counted'
const roles = rlsRoles(prefix)

let cluster: Cluster
let counter: DatabaseStatements
let withAuth: TestGateway
let withoutAuth: TestGateway

beforeAll(async () => {
  if (unavailable) return
  cluster = await startPrivateCluster()
  const url = await createClusterDatabase(cluster, 'counted', rlsSchemaSql(prefix))
  counter = await countStatementsAt(cluster.adminUrl, 'counted')
  withAuth = await startTestGateway(url, { schemas: ['notes'], poolSize: 2, auth: { jwtSecret: SECRET, roles: [roles.user], anonymousRole: roles.anon } }, { countAt: counter })
  withoutAuth = await startTestGateway(url, { schemas: ['notes'], poolSize: 2 }, { countAt: counter })
}, 120_000)

afterAll(async () => {
  await withAuth?.close()
  await withoutAuth?.close()
  await counter?.close()
  await cluster?.stop()
})

const bearer = async (sub: string) =>
  `Bearer ${await new SignJWT({ sub, role: roles.user }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))}`

async function post(api: TestGateway, query: string, authorization?: string): Promise<unknown> {
  await counter.reset()
  api.statements.length = 0
  const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  })
  return response.json()
}

/** The database's statements as kinds, sorted: `BEGIN`, `settings`, `data`, `COMMIT`. */
async function kinds(): Promise<string[]> {
  return (await counter.read())
    .map((statement) => {
      if (/^\s*(BEGIN|COMMIT|ROLLBACK)\s*$/i.test(statement)) return statement.trim().toUpperCase()
      if (/^\s*SELECT set_config\(/i.test(statement)) return 'settings'
      return 'data'
    })
    .sort()
}

const NESTED = '{ notes(orderBy: [{ id: ASC }]) { totalCount nodes { id body accountByOwner { name } comments { nodes { body } } } } }'

describe.skipIf(!!unavailable)(unavailable ? `statements at the database (skipped: ${unavailable})` : 'statements at the database', () => {
  it('without auth: one compiled read is one statement, and Portico reports the same one', async () => {
    const body = await post(withoutAuth, NESTED)
    expect(body).toEqual({
      data: {
        notes: {
          totalCount: 3,
          nodes: [
            { id: 1, body: 'alice one', accountByOwner: { name: 'Alice' }, comments: { nodes: [{ body: 'on alice one' }] } },
            { id: 2, body: 'alice two', accountByOwner: { name: 'Alice' }, comments: { nodes: [] } },
            { id: 3, body: 'bob one', accountByOwner: { name: 'Bob' }, comments: { nodes: [{ body: 'on bob one' }] } },
          ],
        },
      },
    })
    expect(await kinds()).toEqual(['data'])
    expect(withoutAuth.statements).toHaveLength(1)
  })

  it('with a token: the settings and the one data statement (one round trip); nothing else', async () => {
    const body = await post(withAuth, NESTED, await bearer('alice'))
    expect(body).toEqual({
      data: {
        notes: {
          totalCount: 2,
          nodes: [
            { id: 1, body: 'alice one', accountByOwner: { name: 'Alice' }, comments: { nodes: [{ body: 'on alice one' }] } },
            { id: 2, body: 'alice two', accountByOwner: { name: 'Alice' }, comments: { nodes: [] } },
          ],
        },
      },
    })
    expect(await kinds()).toEqual(['data', 'settings'])
    expect(withAuth.statements).toHaveLength(1)
  })

  it('anonymous: the same, as the anonymous role', async () => {
    expect(await post(withAuth, '{ accounts(orderBy: [{ id: ASC }]) { nodes { id } } }')).toEqual({ data: { accounts: { nodes: [{ id: 'alice' }, { id: 'bob' }] } } })
    expect(await kinds()).toEqual(['data', 'settings'])
  })

  it('a mutation: one transaction, BEGIN, the settings, its statements, COMMIT', async () => {
    const body = await post(withAuth, 'mutation { updateNote(where: { id: 2 }, data: { score: 5 }) { id score } }', await bearer('alice'))
    expect(body).toEqual({ data: { updateNote: { id: 2, score: 5 } } })
    const statements = await kinds()
    expect(statements.filter((kind) => kind !== 'data')).toEqual(['BEGIN', 'COMMIT', 'settings'])
    expect(statements.filter((kind) => kind === 'data').length).toBeGreaterThan(0)
  })

  it('100 lookups by key with a token: still one data statement, with the settings', async () => {
    const lookups = Array.from({ length: 100 }, (_, i) => `n${i}: note(id: ${(i % 3) + 1}) { body }`).join(' ')
    const body = (await post(withAuth, `{ ${lookups} }`, await bearer('bob'))) as { data: Record<string, unknown> }
    expect(Object.values(body.data).filter((v) => v !== null)).toHaveLength(33)
    expect(body.data.n2).toEqual({ body: 'bob one' })
    expect(await kinds()).toEqual(['data', 'settings'])
  })
})
