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

it('the compiled lane leaves live data to Yoga: a @live query, and the operations of a single-connection SSE stream', async () => {
  await sql.query(`INSERT INTO api.iotawatt VALUES ('dev-lane', 'main', now(), 3)`)
  const plain = DEVICE_POWER.replace(' @live', '')
  const post = (query: string, headers: Record<string, string> = {}) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify({ query, variables: { device: 'dev-lane' } }) })
  const expected = { data: { iotawatts: { nodes: [{ sensor: 'main', power: 3 }] } } }
  // The plain query enters the lane's table, and the lane answers it from then on.
  expect(await (await post(plain)).json()).toEqual(expected)
  const before = gateway.yoga.lane.answered
  expect(await (await post(plain)).json()).toEqual(expected)
  expect(gateway.yoga.lane.answered).toBe(before + 1)
  // The same text as an operation on a single-connection SSE stream: its result goes to the stream.
  const client = liveClient('sse-single', server.url)
  const sub = client.subscribe(plain, { device: 'dev-lane' })
  expect(await sub.nth(0)).toEqual(expected)
  sub.stop()
  // Sent as a client of graphql-sse may send it, to a stream that is not reserved: graphql-sse's answer, not the lane's data.
  const unreserved = await post(plain, { 'x-graphql-event-stream-token': 'no-such-stream' })
  expect(unreserved.status).not.toBe(200)
  expect(gateway.yoga.lane.answered).toBe(before + 1)
  // A @live query sent twice as a plain POST (a stream, which application/json cannot carry): Yoga's 406, both times.
  for (let i = 0; i < 2; i++) expect((await post(DEVICE_POWER)).status).toBe(406)
  expect(gateway.yoga.lane.answered).toBe(before + 1)
  await client.close()
})
