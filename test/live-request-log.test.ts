/**
 * The request log of subscriptions and live queries (src/serve/use-request-log.ts): a line when
 * the stream starts and one when it ends, with the same request id and operation, the duration,
 * the number of results pushed and why it ended: the client closed it, the server shut down, or
 * the consumer fell behind (the queue overflowed). Over WebSocket and both modes of SSE.
 */
import { pino } from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { liveClient, type LiveClient, type Transport } from './support/live-clients.js'
import { sleep, startLiveServer, type LiveServer } from './support/live-server.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let live: LiveServer
const lines: Record<string, any>[] = []
const clients: LiveClient[] = []
const logger = () => pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
const config = { live: { intervalMs: 50, queueSize: 2, triggers: ['api.device'] } }

beforeAll(async () => {
  db = await createTestDatabase('live_request_log', readFixtureSql('portico-live.sql'))
  live = await startLiveServer(db.url, config, { logger: logger() })
}, 120_000)

afterAll(async () => {
  for (const c of clients) await c.close()
  await live?.close()
  await db?.drop()
})

beforeEach(() => {
  lines.length = 0
})

const connect = (transport: Transport, url = live.url) => {
  const c = liveClient(transport, url)
  clients.push(c)
  return c
}

/** The request log's two lines of the operation named `name`: the start's, then the end's (same request id). */
async function logged(name: string): Promise<[Record<string, any>, Record<string, any>]> {
  for (let waited = 0; waited < 3_000; waited += 20) {
    const start = lines.find((line) => line.msg === 'graphql request' && line.operationName === name)
    const end = start && lines.find((line) => line.msg === 'graphql stream ended' && line.requestId === start.requestId)
    if (start && end) return [start, end]
    await sleep(20)
  }
  throw new Error(`no start and end lines for ${name}: ${JSON.stringify(lines)}`)
}

/** Waits until the row events have `count` subscribers: a row inserted before would not reach them. */
async function subscribers(count: number) {
  for (let waited = 0; live.gateway.live.rowEvents.stats.subscribers !== count; waited += 20) {
    if (waited > 5_000) throw new Error(`${live.gateway.live.rowEvents.stats.subscribers} row-event subscribers, not ${count}`)
    await sleep(20)
  }
}

const insert = (name: string) => live.sql.query('INSERT INTO api.device (name) VALUES ($1)', [name])

describe.each<Transport>(['ws', 'sse-distinct', 'sse-single'])('over %s', (transport) => {
  const tag = transport.replace('-', '_')

  it('a subscription the client closes: both lines, with the events pushed', async () => {
    const name = `Changed_${tag}`
    await subscribers(0)
    const sub = connect(transport).subscribe(`subscription ${name} { deviceChanged(where: { name: { startsWith: "${tag}" } }) { op node { name } } }`)
    await subscribers(1)
    await sleep(300)
    await insert(`${tag}-1`)
    await sub.nth(0)
    await insert(`${tag}-2`)
    expect(await sub.nth(1)).toEqual({ data: { deviceChanged: { op: 'INSERT', node: { name: `${tag}-2` } } } })
    sub.stop()
    const [start, end] = await logged(name)
    expect(start).toMatchObject({ level: 30, operationName: name, operationType: 'subscription', errors: 0, requestId: expect.any(String) })
    expect(end).toEqual({
      level: 30,
      time: expect.any(Number),
      pid: expect.any(Number),
      hostname: expect.any(String),
      msg: 'graphql stream ended',
      requestId: start.requestId,
      operationName: name,
      operationType: 'subscription',
      durationMs: expect.any(Number),
      events: 2,
      reason: 'client closed',
    })
    expect(end.durationMs).toBeGreaterThanOrEqual(300)
  })

  it('a live query: the first result and one after a write, then the client closes', async () => {
    const name = `Live_${tag}`
    const sub = connect(transport).subscribe(`query ${name} @live { devices(where: { name: { startsWith: "${tag}-live" } }) { nodes { name } } }`)
    expect(await sub.nth(0)).toEqual({ data: { devices: { nodes: [] } } })
    await insert(`${tag}-live`)
    expect(await sub.nth(1)).toEqual({ data: { devices: { nodes: [{ name: `${tag}-live` }] } } })
    sub.stop()
    const [start, end] = await logged(name)
    expect(start).toMatchObject({ operationName: name, operationType: 'query' })
    expect(end).toMatchObject({ requestId: start.requestId, operationName: name, operationType: 'query', events: 2, reason: 'client closed' })
  })
})

it('a consumer that falls behind: the stream ends with the queue overflow', async () => {
  await subscribers(0)
  // An SSE response whose body is not read (in process: no socket buffer reads it ahead): results
  // wait in the subscriber's queue, of 2.
  const response = await live.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription Slow { deviceChanged(where: { name: { startsWith: "slow" } }) { op } }' }),
  })
  await subscribers(1)
  for (let i = 0; i < 6; i++) {
    await insert(`slow-${i}`)
    await sleep(100)
  }
  const body = await response.text()
  expect(body).toContain('SLOW_CONSUMER')
  const [start, end] = await logged('Slow')
  expect(start).toMatchObject({ operationType: 'subscription', status: 200 })
  // What was queued is dropped: what the client got is what was pushed, the SLOW_CONSUMER result last.
  const pushed = body.split('\n\n').filter((event) => event.startsWith('event: next')).length
  expect(end).toMatchObject({ requestId: start.requestId, operationName: 'Slow', reason: 'queue overflow', events: pushed })
})

it('the server shuts down: the open streams end with that reason', async () => {
  const other = await startLiveServer(db.url, config, { logger: logger() })
  const ws = connect('ws', other.url).subscribe('subscription Shut { deviceChanged { op } }')
  const sse = connect('sse-distinct', other.url).subscribe('query ShutLive @live { devices(first: 1) { nodes { id } } }')
  await sse.nth(0)
  await sleep(200)
  await other.close()
  const [, wsEnd] = await logged('Shut')
  const [, sseEnd] = await logged('ShutLive')
  expect([wsEnd.reason, wsEnd.events, sseEnd.reason, sseEnd.events]).toEqual(['server shutdown', 0, 'server shutdown', 1])
  await ws.done
})
