/**
 * Read replicas, for real: a private PostgreSQL primary and two streaming replicas made with
 * pg_basebackup (./support/streaming-replica.ts), on loopback ports. Which server answered is
 * PostgreSQL's own word: a view of inet_server_port() and pg_is_in_recovery(), read in the same
 * statement as the data.
 *
 * What must hold: queries go to the replicas in turn, mutations to the primary with their commit
 * position; a read carrying that position sees the write (from a replica that replayed it, else
 * from the primary); replicas that stop cost no failed request and come back into rotation by
 * themselves; row-level security holds on replicas (same role and claims); /metrics has the lag.
 */
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type GraphQLResult, type TestGateway } from './support/gateway.js'
import { createClusterDatabase, privateClusterUnavailable, startPrivateCluster, withClient, type Cluster } from './support/private-cluster.js'
import { rlsRoles, rlsSchemaSql } from './support/rls-schema.js'
import { caughtUp, startReplica, type Replica } from './support/streaming-replica.js'
import { until } from './support/portico-process.js'

const unavailable = privateClusterUnavailable()
const SECRET = 'a-secret-for-the-read-replica-tests-0123456789'
const roles = rlsRoles('rr')

const SQL = `
  CREATE TABLE item (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL);
  CREATE VIEW server_answer AS SELECT inet_server_port() AS port, pg_is_in_recovery() AS standby;
  ${rlsSchemaSql('rr')}
  GRANT SELECT ON server_answer TO ${roles.user};`

let primary: Cluster
let replicas: Replica[] = []
let url: string
let api: TestGateway
let authApi: TestGateway

describe.skipIf(unavailable)('read replicas', () => {
  beforeAll(async () => {
    primary = await startPrivateCluster()
    url = await createClusterDatabase(primary, 'app', SQL)
    replicas = [await startReplica(primary), await startReplica(primary)]
    for (const replica of replicas) await caughtUp(primary, replica)
    const readReplicas = replicas.map((r) => r.url('app'))
    api = await startTestGateway(url, { schemas: ['public'], readReplicas, replicaCheckIntervalMs: 100 })
    authApi = await startTestGateway(url, { schemas: ['notes', 'public'], readReplicas, replicaCheckIntervalMs: 100, auth: { jwtSecret: SECRET, roles: [roles.user] } })
  }, 180_000)

  afterAll(async () => {
    await api?.close()
    await authApi?.close()
    await Promise.all(replicas.map((r) => r.stop()))
    await primary?.stop()
  })

  const send = async (query: string, headers: Record<string, string> = {}, gateway = api): Promise<GraphQLResult & { extensions?: any }> => {
    const response = await gateway.gateway.yoga.fetch('http://portico.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    })
    return response.json()
  }
  const portOf = (result: GraphQLResult) => result.data?.serverAnswers.nodes[0].port as number
  const metrics = async () => (await api.gateway.yoga.fetch('http://portico.test/metrics')).text()
  const paused = (replica: Replica, pause: boolean) => withClient(replica.url('app'), (c) => c.query(pause ? 'SELECT pg_wal_replay_pause()' : 'SELECT pg_wal_replay_resume()'))

  it('query operations are answered by the replicas in turn, none by the primary', async () => {
    const ports: number[] = []
    for (let i = 0; i < 4; i++) {
      const result = await send('{ serverAnswers { nodes { port standby } } }')
      expect(result.data?.serverAnswers.nodes[0].standby).toBe(true)
      ports.push(portOf(result))
    }
    const [a, b] = replicas.map((r) => r.port).sort()
    expect([...ports].sort()).toEqual([a, a, b, b])
    expect(ports[0]).not.toBe(ports[1])
    expect(ports[2]).toBe(ports[0])
  })

  it('a mutation runs on the primary and carries its commit position; a read with it sees the write', async () => {
    for (const replica of replicas) await paused(replica, true)
    try {
      const created = await send('mutation { createItem(data: { label: "after-pause" }) { id label } }')
      expect(created.errors).toBeUndefined()
      const lsn = created.extensions?.portico?.lsn as string
      expect(lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/)
      const read = '{ serverAnswers { nodes { port standby } } items(where: { label: { equals: "after-pause" } }) { nodes { label } } }'
      // Without the position: a replica answers, and it has not replayed the write.
      const stale = await send(read)
      expect(stale.data).toEqual({ serverAnswers: { nodes: [{ port: expect.any(Number), standby: true }] }, items: { nodes: [] } })
      // With it: no replica has replayed it, so the primary answers, with the row.
      expect((await send(read, { 'x-portico-min-lsn': lsn })).data).toEqual({ serverAnswers: { nodes: [{ port: primary.port, standby: false }] }, items: { nodes: [{ label: 'after-pause' }] } })
      for (const replica of replicas) await paused(replica, false)
      // Replayed (seen by the next health check): a replica answers, with the row.
      await until(async () => (await send(read, { 'x-portico-min-lsn': lsn })).data?.serverAnswers.nodes[0].standby === true, 10_000)
      expect((await send(read, { 'x-portico-min-lsn': lsn })).data).toEqual({ serverAnswers: { nodes: [{ port: expect.any(Number), standby: true }] }, items: { nodes: [{ label: 'after-pause' }] } })
    } finally {
      for (const replica of replicas) await paused(replica, false).catch(() => {})
    }
  })

  it('a malformed x-portico-min-lsn is a clear error', async () => {
    const result = await send('{ items { nodes { id } } }', { 'x-portico-min-lsn': 'yesterday' })
    expect(result.errors?.[0]).toMatchObject({ message: 'x-portico-min-lsn must be a WAL position such as 0/16B3748: a mutation\'s extensions.portico.lsn', extensions: { code: 'BAD_USER_INPUT' } })
  })

  it('row-level security holds on the replicas: the same role and claims', async () => {
    const token = await new SignJWT({ sub: 'alice', role: roles.user }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))
    const result = await send('{ serverAnswers { nodes { standby } } notes(orderBy: [{ id: ASC }]) { nodes { owner body } } }', { authorization: `Bearer ${token}` }, authApi)
    expect(result).toEqual({ data: { serverAnswers: { nodes: [{ standby: true }] }, notes: { nodes: [{ owner: 'alice', body: 'alice one' }, { owner: 'alice', body: 'alice two' }] } } })
  })

  it('/metrics shows each replica in rotation, its lag, and where reads went', async () => {
    const text = await metrics()
    for (const replica of replicas) {
      expect(text).toContain(`portico_replica_up{replica="127.0.0.1:${replica.port}"} 1`)
      expect(text).toMatch(new RegExp(`portico_replica_lag_bytes\\{replica="127.0.0.1:${replica.port}"\\} \\d+`))
      expect(text).toMatch(new RegExp(`portico_replica_lag_seconds\\{replica="127.0.0.1:${replica.port}"\\} [\\d.e-]+`))
    }
    expect(text).toMatch(/portico_read_operations_total\{target="replica"\} [1-9]/)
    expect(text).toMatch(/portico_read_operations_total\{target="primary"\} [1-9]/)
  })

  it('replicas stopped: every read succeeds on the primary at once; they rejoin when they are back', async () => {
    const read = '{ serverAnswers { nodes { port standby } } }'
    await Promise.all(replicas.map((r) => r.stopServer()))
    // The first reads find the replicas' connections dead: they run again on the primary.
    for (let i = 0; i < 4; i++) expect((await send(read)).data).toEqual({ serverAnswers: { nodes: [{ port: primary.port, standby: false }] } })
    expect(await metrics()).toContain(`portico_replica_up{replica="127.0.0.1:${replicas[0]!.port}"} 0`)
    const restarted = performance.now()
    await Promise.all(replicas.map((r) => r.startServer()))
    await until(async () => (await send(read)).data?.serverAnswers.nodes[0].standby === true, 15_000)
    console.log(`replicas back in rotation ${Math.round(performance.now() - restarted)} ms after pg_ctl start began`)
    expect(await metrics()).toContain('portico_replica_up{replica="127.0.0.1:')
  })
})
