/**
 * `portico serve --watch` with live data open across a swap (issue 15: "live queries and
 * subscriptions carry on"): a live query and an `<type>Changed` subscription opened before an
 * `ALTER TABLE ... ADD COLUMN`, over WebSocket and SSE, keep delivering after the swap (a row
 * inserted after it reaches them, from the gateway they started on, which stays open for them:
 * for SSE its HTTP requests hold it, for WebSocket its pipeline's open operations);
 * new ones after the swap, on the same WebSocket, select the new column; once the old ones end,
 * the old gateway closes. The server is put together as `serve --watch` does it.
 */
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { createGateway, type Gateway } from '../src/gateway.js'
import { listen, type RunningServer } from '../src/serve/http-server.js'
import { watchSchema, type SchemaWatch } from '../src/serve/schema-watch.js'
import { attachWatchedWebSocket } from '../src/serve/watched-websocket.js'
import { liveClient, type Collected, type LiveClient } from './support/live-clients.js'
import { sleep } from './support/live-server.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'

const DDL = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.item (id serial PRIMARY KEY, name text NOT NULL);
  INSERT INTO shop.item (name) VALUES ('one'), ('two'), ('three');`

/** New to every run, so the rebuild generates a Prisma client rather than reusing one (watch.test.ts). */
const note = `note${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`

let db: TestDatabase
let watch: SchemaWatch<Gateway>
let server: RunningServer
let sql: pg.Client
const clients: LiveClient[] = []

beforeAll(async () => {
  db = await createTestDatabase('watch_live', DDL)
  const config = loadConfig({ env: {}, cwd: '/nonexistent', flags: { logLevel: 'silent', schemas: ['shop'], live: { intervalMs: 100, triggers: ['shop.item'] } } })
  const logger = pino({ level: 'silent' })
  const build = () => createGateway({ databaseUrl: db.url, config, logger, onProgress: () => {} })
  watch = await watchSchema({ initial: await build(), build, databaseUrl: db.url, schemas: ['shop'], logger })
  const limits = { maxPerConnection: config.live.maxSubscriptionsPerConnection, maxPayloadBytes: config.limits.maxBodyBytes, logger }
  server = await listen(watch.handler, { host: '127.0.0.1', port: 0, logger, attach: (http) => attachWatchedWebSocket(http, watch, { path: '/graphql', ...limits }) })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
}, 120_000)

afterAll(async () => {
  for (const c of clients) await c.close()
  await sql?.end()
  await server?.close()
  await watch?.close()
  await db?.drop()
})

/** Waits for a result that `check` accepts; returns it. */
async function eventually(sub: Collected, check: (result: any) => boolean, timeoutMs = 10_000): Promise<any> {
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    const found = sub.results.find(check)
    if (found) return found
    await sleep(50)
  }
  throw new Error(`no such result within ${timeoutMs} ms; got ${JSON.stringify(sub.results)}${sub.error ? `, error ${JSON.stringify(sub.error)}` : ''}`)
}

const names = (result: any) => result.data?.items?.nodes?.map((node: { name: string }) => node.name)
const ask = async (query: string) => (await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json() as Promise<any>

describe('live data across a schema swap', () => {
  it('old subscriptions and live queries carry on; new ones see the new column', async () => {
    const ws = liveClient('ws', server.url)
    const sse = liveClient('sse-distinct', server.url)
    clients.push(ws, sse)
    const LIVE = 'query Items @live { items(orderBy: [{ id: ASC }]) { nodes { name } } }'
    const CHANGED = 'subscription { itemChanged { op node { name } } }'
    const before = { wsLive: ws.subscribe(LIVE), wsChanged: ws.subscribe(CHANGED), sseLive: sse.subscribe(LIVE), sseChanged: sse.subscribe(CHANGED) }
    for (const live of [before.wsLive, before.sseLive]) expect(await live.nth(0)).toEqual({ data: { items: { nodes: [{ name: 'one' }, { name: 'two' }, { name: 'three' }] } } })
    const initial = watch.current()
    await sleep(300)

    await sql.query(`ALTER TABLE shop.item ADD COLUMN ${note} text NOT NULL DEFAULT 'n'`)
    for (let started = Date.now(); (await ask(`{ items(first: 1) { nodes { ${note} } } }`)).errors; await sleep(100)) {
      if (Date.now() - started > 120_000) throw new Error('the new column was not served within 120 s')
    }
    await watch.settled()
    expect(watch.current()).not.toBe(initial)

    // After the swap: a row reaches the subscribers opened before it, from the old gateway.
    await sql.query(`INSERT INTO shop.item (name) VALUES ('after')`)
    for (const changed of [before.wsChanged, before.sseChanged]) expect(await changed.nth(0)).toEqual({ data: { itemChanged: { op: 'INSERT', node: { name: 'after' } } } })
    for (const live of [before.wsLive, before.sseLive]) expect(names(await eventually(live, (r) => names(r)?.includes('after')))).toEqual(['one', 'two', 'three', 'after'])
    expect((initial.pool as { ending?: boolean }).ending).not.toBe(true)

    // The old SSE streams end: the old gateway has no HTTP request left, but stays open for its
    // WebSocket operations.
    before.sseLive.stop()
    before.sseChanged.stop()
    await sleep(500)
    expect((initial.pool as { ending?: boolean }).ending).not.toBe(true)

    // New subscriptions, on the same WebSocket as the old ones, and over SSE: the new schema.
    const after = {
      wsChanged: ws.subscribe(`subscription { itemChanged { op node { name ${note} } } }`),
      sseChanged: sse.subscribe(`subscription { itemChanged { op node { name ${note} } } }`),
      wsLive: ws.subscribe(`query @live { items(where: { name: { equals: "later" } }) { nodes { name ${note} } } }`),
    }
    expect(await after.wsLive.nth(0)).toEqual({ data: { items: { nodes: [] } } })
    await sleep(300)
    await sql.query(`INSERT INTO shop.item (name) VALUES ('later')`)
    for (const changed of [after.wsChanged, after.sseChanged]) expect(await changed.nth(0)).toEqual({ data: { itemChanged: { op: 'INSERT', node: { name: 'later', [note]: 'n' } } } })
    expect(await eventually(after.wsLive, (r) => r.data.items.nodes.length > 0)).toEqual({ data: { items: { nodes: [{ name: 'later', [note]: 'n' }] } } })
    expect(await before.wsChanged.nth(1)).toEqual({ data: { itemChanged: { op: 'INSERT', node: { name: 'later' } } } })
    expect(names(await eventually(before.wsLive, (r) => names(r)?.includes('later')))).toEqual(['one', 'two', 'three', 'after', 'later'])
    for (const sub of [...Object.values(before), ...Object.values(after)]) expect(sub.error).toBeUndefined()

    // The old WebSocket subscriptions end: then, and only then, the old gateway closes.
    before.wsLive.stop()
    before.wsChanged.stop()
    for (let i = 0; i < 100 && !(initial.pool as { ending?: boolean }).ending; i++) await sleep(50)
    expect((initial.pool as { ending?: boolean }).ending).toBe(true)
    for (const sub of Object.values(after)) sub.stop()
  }, 180_000)
})
