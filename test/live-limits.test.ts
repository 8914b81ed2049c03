/**
 * What bounds live data: subscriptions per connection and per process, the slow consumer's queue,
 * and the same refusals as HTTP (a bad token, the cost limit) on the WebSocket transport.
 */
import { parse } from 'graphql'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { liveClient, type LiveClient } from './support/live-clients.js'
import { LIVE_SECRET, liveToken, sleep, startLiveServer, type LiveServer } from './support/live-server.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let live: LiveServer
const clients: LiveClient[] = []
const QUERY = `query @live { devices(orderBy: [{ id: ASC }]) { nodes { id name } } }`

beforeAll(async () => {
  db = await createTestDatabase('live_limits', readFixtureSql('portico-live.sql'))
  live = await startLiveServer(db.url, {
    auth: { jwtSecret: LIVE_SECRET, roles: ['live_user'] },
    limits: { maxCost: 500 },
    live: { intervalMs: 50, maxSubscriptionsPerConnection: 2, maxSubscriptions: 3, queueSize: 2 },
  })
}, 120_000)

afterAll(async () => {
  for (const c of clients) await c.close()
  await live?.close()
  await db?.drop()
})

const connect = async (token?: string) => {
  const c = liveClient('ws', live.url, { token: token ?? (await liveToken({ sub: 'alice', role: 'live_user' })) })
  clients.push(c)
  return c
}

it('refuses a third subscription on one connection, and a fourth in the process', async () => {
  const one = await connect()
  const a = one.subscribe(QUERY)
  const b = one.subscribe(QUERY)
  await a.nth(0)
  await b.nth(0)
  const c = one.subscribe(QUERY)
  await c.done
  expect(JSON.stringify(c.error)).toContain('TOO_MANY_SUBSCRIPTIONS')
  const two = await connect()
  const d = two.subscribe(QUERY)
  await d.nth(0)
  const e = two.subscribe(QUERY)
  await e.done
  expect(JSON.stringify(e.error)).toContain('live.maxSubscriptions')
  expect(JSON.stringify(c.error)).toContain('live.maxSubscriptionsPerConnection')
  expect(live.gateway.live.counter.open).toBe(3)
  a.stop()
  b.stop()
  d.stop()
  await sleep(200)
  expect(live.gateway.live.counter.open).toBe(0)
  expect(live.gateway.live.queries.stats).toEqual({ groups: 0, cohorts: 0, subscribers: 0 })
})

it('ends the subscription of a consumer that falls queueSize results behind with SLOW_CONSUMER', async () => {
  const identity = { role: 'live_user', claims: { sub: 'alice' } }
  const stream = live.gateway.live.queries.subscribe({ schema: live.gateway.subgraph, document: parse(QUERY), identity }) as AsyncIterableIterator<any>
  await sleep(200) // the first result is queued, unread
  for (let i = 0; i < 4; i++) {
    await live.sql.query(`INSERT INTO api.device (name) VALUES ('slow-${i}')`)
    await sleep(150)
  }
  // What was queued is dropped; the error is what the consumer reads next.
  const last = await stream.next()
  expect(last.value.errors[0].extensions.code).toBe('SLOW_CONSUMER')
  expect(await stream.next()).toEqual({ value: undefined, done: true })
  expect(live.gateway.live.counter.open).toBe(0)
})

it('answers a bad token and an operation over the cost limit as HTTP does, before anything runs', async () => {
  const bad = liveClient('ws', live.url, { token: 'not-a-jwt' })
  clients.push(bad)
  const refused = bad.subscribe(QUERY)
  await refused.done
  expect(JSON.stringify(refused.error)).toContain('UNAUTHENTICATED')
  const costly = (await connect()).subscribe(`query @live { devices(first: 100) { nodes { id name a: name b: name c: name } } iotawatts(first: 100) { nodes { power } } }`)
  await costly.done
  expect(JSON.stringify(costly.results.concat(costly.error ?? []))).toContain('COST_LIMIT_EXCEEDED')
})
