/**
 * Live queries (`@live`) over the three transports, on a real server: the first result at once,
 * then a new one after a write (and only then), multiplexed: subscribers of one document share
 * cohorts and one statement per poll.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { createGateway, type Gateway } from '../src/gateway.js'
import { createLogger } from '../src/log.js'
import { listen, type RunningServer } from '../src/serve/http-server.js'
import { liveClient, type Transport } from './support/live-clients.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let gateway: Gateway
let server: RunningServer
let sql: pg.Client
const statements: string[] = []

beforeAll(async () => {
  db = await createTestDatabase('live_queries', readFixtureSql('portico-live.sql'))
  gateway = await createGateway({
    databaseUrl: db.url,
    config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { schemas: ['api'], logLevel: 'silent', primaryKeys: { 'api.iotawatt': ['device', 'sensor', 'timestamp'] }, live: { intervalMs: 100 } } }),
    logger: createLogger('silent'),
    onProgress: () => {},
    onQuery: (text) => statements.push(text),
  })
  server = await listen(gateway.yoga, { host: '127.0.0.1', port: 0, logger: createLogger('silent'), attach: (http) => (gateway.live.attach(http), { close: gateway.live.close }) })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
}, 120_000)

afterAll(async () => {
  await sql?.end()
  await server?.close()
  await gateway?.close()
  await db?.drop()
})

const DEVICE_POWER = `query Power($device: String!) @live { iotawatts(where: { device: { equals: $device } }, orderBy: [{ sensor: ASC }]) { nodes { sensor power } } }`

describe.each<Transport>(['ws', 'sse-distinct', 'sse-single'])('a live query over %s', (transport) => {
  it('answers at once, then again after a write, with what SQL says', async () => {
    const client = liveClient(transport, server.url)
    const device = `dev-${transport}`
    await sql.query(`INSERT INTO api.iotawatt VALUES ($1, 'main', now(), 1)`, [device])
    const sub = client.subscribe(DEVICE_POWER, { device })
    expect(await sub.nth(0)).toEqual({ data: { iotawatts: { nodes: [{ sensor: 'main', power: 1 }] } } })
    await sql.query(`INSERT INTO api.iotawatt VALUES ($1, 'oven', now(), 7)`, [device])
    expect(await sub.nth(1)).toEqual({ data: { iotawatts: { nodes: [{ sensor: 'main', power: 1 }, { sensor: 'oven', power: 7 }] } } })
    // Nothing changed: nothing more is pushed, however many intervals pass.
    await new Promise((resolve) => setTimeout(resolve, 350))
    expect(sub.results).toHaveLength(2)
    sub.stop()
    await client.close()
  })
})
