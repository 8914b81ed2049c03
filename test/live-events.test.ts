/**
 * Change triggers, row events and live queries under row-level security, on a real server:
 * the triggers' notifications (keys only, batched per statement, under 8 KB), `<type>Changed`
 * with its rows re-read as the subscriber (one statement per batch), RESYNC after the LISTEN
 * connection is lost, live queries re-run only after a change, and published events.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { liveClient, type LiveClient } from './support/live-clients.js'
import { LIVE_SECRET, liveToken, sleep, startLiveServer, type LiveServer } from './support/live-server.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let live: LiveServer
let listener: pg.Client
const notifications: string[] = []
const clients: LiveClient[] = []

const client = async (sub: string) => {
  const c = liveClient('ws', live.url, { token: await liveToken({ sub, role: 'live_user' }) })
  clients.push(c)
  return c
}

beforeAll(async () => {
  db = await createTestDatabase('live_events', readFixtureSql('portico-live.sql'))
  live = await startLiveServer(db.url, {
    auth: { jwtSecret: LIVE_SECRET, roles: ['live_user'] },
    live: { intervalMs: 100, triggers: ['api.device', 'api.note', 'api.iotawatt', 'api.log'], topics: ['alerts'] },
  })
  listener = new pg.Client({ connectionString: db.url })
  await listener.connect()
  listener.on('notification', (message) => notifications.push(message.payload!))
  await listener.query('LISTEN portico_changes')
}, 120_000)

afterAll(async () => {
  for (const c of clients) await c.close()
  await listener?.end()
  await live?.close()
  await db?.drop()
})

const until = async (check: () => boolean, timeoutMs = 3_000) => {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > timeoutMs) throw new Error('timed out')
    await sleep(20)
  }
}

describe('change triggers', () => {
  it('send one notification per statement with the keys of its rows', async () => {
    notifications.length = 0
    const { rows } = await live.sql.query(`INSERT INTO api.device (name) VALUES ('n1'), ('n2'), ('n3') RETURNING id`)
    await until(() => notifications.length >= 1)
    await sleep(100)
    expect(notifications.map((n) => JSON.parse(n))).toEqual([{ t: 'api.device', op: 'INSERT', k: rows.map((r) => [String(r.id)]) }])
  })

  it('split a big statement into payloads under 8,000 bytes that carry every key; keys as the columns text', async () => {
    notifications.length = 0
    await live.sql.query(`INSERT INTO api.iotawatt SELECT 'bulk', 's' || i, '2024-01-01T00:00:00Z', i FROM generate_series(1, 1000) i`)
    await until(() => notifications.reduce((n, p) => n + JSON.parse(p).k.length, 0) >= 1000)
    expect(notifications.length).toBeGreaterThan(1)
    for (const payload of notifications) expect(Buffer.byteLength(payload)).toBeLessThan(8_000)
    const keys = notifications.flatMap((p) => JSON.parse(p).k as string[][])
    expect(new Set(keys.map((k) => k[1])).size).toBe(1000)
    const [{ ts }] = (await live.sql.query(`SELECT '2024-01-01T00:00:00Z'::timestamptz::text AS ts`)).rows
    expect(keys[0]).toEqual(['bulk', expect.stringMatching(/^s\d+$/), ts])
  })

  it('send no keys for more than 1,000 rows, a TRUNCATE, or a table without a key', async () => {
    notifications.length = 0
    await live.sql.query(`UPDATE api.iotawatt SET power = power + 1 WHERE device = 'bulk' OR device = 'house'`)
    await live.sql.query(`INSERT INTO api.log VALUES ('hello')`)
    await live.sql.query(`TRUNCATE api.log`)
    await until(() => notifications.length >= 3)
    expect(notifications.map((n) => JSON.parse(n))).toEqual([
      { t: 'api.iotawatt', op: 'UPDATE', k: null },
      { t: 'api.log', op: 'INSERT', k: null },
      { t: 'api.log', op: 'TRUNCATE', k: null },
    ])
  })
})

describe('<type>Changed', () => {
  it('delivers inserts, updates and deletes with the rows as they are, filtered by where and ops, one statement per batch', async () => {
    const alice = await client('alice')
    const all = alice.subscribe(`subscription { deviceChanged { op nodeId node { name } } }`)
    const some = alice.subscribe(`subscription { deviceChanged(where: { name: { startsWith: "x" } }, ops: [INSERT, DELETE]) { op node { name } } }`)
    const same = alice.subscribe(`subscription { deviceChanged { op nodeId node { name } } }`)
    await sleep(300) // the subscriptions are open
    live.statements.length = 0
    const { rows } = await live.sql.query(`INSERT INTO api.device (name) VALUES ('xa'), ('yb') RETURNING id`)
    expect(await all.nth(1)).toEqual({ data: { deviceChanged: { op: 'INSERT', nodeId: expect.any(String), node: { name: 'yb' } } } })
    expect(all.results[0]).toEqual({ data: { deviceChanged: { op: 'INSERT', nodeId: expect.any(String), node: { name: 'xa' } } } })
    expect(await some.nth(0)).toEqual({ data: { deviceChanged: { op: 'INSERT', node: { name: 'xa' } } } })
    await same.nth(1)
    // Two groups (two selections), one statement each, whatever the number of subscribers and rows.
    expect(live.statements.filter((s) => s.includes('unnest'))).toHaveLength(2)
    await live.sql.query(`UPDATE api.device SET name = 'xc' WHERE id = $1`, [rows[0].id])
    expect(await all.nth(2)).toEqual({ data: { deviceChanged: { op: 'UPDATE', nodeId: all.results[0].data.deviceChanged.nodeId, node: { name: 'xc' } } } })
    await live.sql.query(`DELETE FROM api.device WHERE id = $1`, [rows[1].id])
    expect(await all.nth(3)).toEqual({ data: { deviceChanged: { op: 'DELETE', nodeId: all.results[1].data.deviceChanged.nodeId, node: null } } })
    // `some` saw neither the update (ops) nor yb's deletion... it gets deletes without where (the row is gone).
    expect(await some.nth(1)).toEqual({ data: { deviceChanged: { op: 'DELETE', node: null } } })
    expect(some.results).toHaveLength(2)
  })

  it('re-reads rows as the subscriber: row-level security decides who sees which', async () => {
    const alice = (await client('alice')).subscribe(`subscription { noteChanged { op node { owner body } } }`)
    const bob = (await client('bob')).subscribe(`subscription { noteChanged { op node { owner body } } }`)
    await sleep(300)
    await live.sql.query(`INSERT INTO api.note (owner, body) VALUES ('alice', 'secret'), ('bob', 'hi')`)
    expect(await alice.nth(0)).toEqual({ data: { noteChanged: { op: 'INSERT', node: { owner: 'alice', body: 'secret' } } } })
    expect(await bob.nth(0)).toEqual({ data: { noteChanged: { op: 'INSERT', node: { owner: 'bob', body: 'hi' } } } })
    await live.sql.query(`DELETE FROM api.note WHERE body = 'secret'`)
    await sleep(300)
    // No delete events where row-level security is on: the deleted key might be someone else's.
    expect(alice.results).toHaveLength(1)
    expect(bob.results).toHaveLength(1)
  })

  it('tells subscribers RESYNC when the LISTEN connection was lost and is back', async () => {
    const sub = (await client('alice')).subscribe(`subscription { deviceChanged { op node { name } } }`)
    await sleep(300)
    const before = live.gateway.live.listener.connections
    await live.sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'portico-listen' AND datname = current_database()`)
    expect(await sub.nth(0)).toEqual({ data: { deviceChanged: { op: 'RESYNC', node: null } } })
    expect(live.gateway.live.listener.connections).toBe(before + 1)
    // And events flow again.
    await live.sql.query(`INSERT INTO api.device (name) VALUES ('after')`)
    expect(await sub.nth(1)).toEqual({ data: { deviceChanged: { op: 'INSERT', node: { name: 'after' } } } })
  })
})

describe('live queries with triggers and row-level security', () => {
  it('each subscriber sees what its role and claims see; a table with triggers is polled only after it changed', async () => {
    const query = `query @live { notes(orderBy: [{ id: ASC }]) { nodes { owner body } } }`
    const alice = (await client('alice')).subscribe(query)
    const bob = (await client('bob')).subscribe(query)
    const mine = (owner: string) => live.sql.query(`SELECT owner, body FROM api.note WHERE owner = $1 ORDER BY id`, [owner]).then((r) => r.rows)
    expect(await alice.nth(0)).toEqual({ data: { notes: { nodes: await mine('alice') } } })
    expect(await bob.nth(0)).toEqual({ data: { notes: { nodes: await mine('bob') } } })
    live.statements.length = 0
    await sleep(400) // four intervals, no change: no poll
    expect(live.statements.filter((s) => s.includes('live_c'))).toEqual([])
    await live.sql.query(`INSERT INTO api.note (owner, body) VALUES ('alice', 'new')`)
    expect(await alice.nth(1)).toEqual({ data: { notes: { nodes: await mine('alice') } } })
    await sleep(300)
    expect(bob.results).toHaveLength(1) // bob's result did not change: nothing pushed
  })
})

describe('published events', () => {
  it('reach subscribers of their topic; other topics are refused', async () => {
    const c = await client('alice')
    const sub = c.subscribe(`subscription { published(topic: "alerts") }`)
    await sleep(200)
    live.gateway.live.publish('alerts', { level: 'high', at: 1 })
    expect(await sub.nth(0)).toEqual({ data: { published: { level: 'high', at: 1 } } })
    const other = c.subscribe(`subscription { published(topic: "secrets") }`)
    await other.done
    expect(JSON.stringify(other.results.concat(other.error ?? []))).toContain('UNKNOWN_TOPIC')
  })
})
