/**
 * Persisted operations over the live transports (graphql-ws, graphql-sse in both modes): an
 * operation is subscribed by its id in the forms HTTP accepts (`documentId`, Apollo's
 * `extensions.persistedQuery.sha256Hash`), an unknown id gets HTTP's error, and with `only` a
 * document of the client's own is refused, as over HTTP: the same pipeline, not a copy of it.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { liveClient, type LiveClient, type Transport } from './support/live-clients.js'
import { startLiveServer, type LiveServer } from './support/live-server.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const DEVICES = 'query Devices @live { devices(orderBy: [{ id: ASC }], where: { name: { startsWith: "p-" } }) { nodes { name } } }'
const CHANGED = 'subscription DeviceChanged { deviceChanged(where: { name: { startsWith: "p-" } }) { op node { name } } }'

const dir = mkdtempSync(path.join(tmpdir(), 'portico-live-persisted-'))
const manifest = path.join(dir, 'manifest.json')
writeFileSync(manifest, JSON.stringify({ [`sha256:${sha256(DEVICES)}`]: DEVICES, 'device-changed-v1': CHANGED }))

let db: TestDatabase
let live: LiveServer
const clients: LiveClient[] = []

beforeAll(async () => {
  db = await createTestDatabase('live_persisted', readFixtureSql('portico-live.sql'))
  live = await startLiveServer(db.url, { persistedOperations: { file: manifest, only: true }, live: { intervalMs: 50, triggers: ['api.device'] } })
}, 120_000)

afterAll(async () => {
  for (const c of clients) await c.close()
  await live?.close()
  await db?.drop()
  rmSync(dir, { recursive: true, force: true })
})

const connect = (transport: Transport) => {
  const c = liveClient(transport, live.url)
  clients.push(c)
  return c
}

/** graphql-ws's messages must carry a string `query`: a client sends the id with an empty one. */
const byId = (transport: Transport, request: Record<string, unknown>) => (transport === 'ws' ? { query: '', ...request } : request)
const apollo = (hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } })

/**
 * What a refused operation gives the client: graphql-ws's `error` message, the one result of a
 * single-connection stream, or (distinct connections) Yoga's answer to the POST, read as an
 * EventSource would: HTTP's status, and HTTP's errors as the one result.
 */
async function refusal(transport: Transport, request: Record<string, unknown>) {
  if (transport === 'sse-distinct') {
    const response = await fetch(live.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(request) })
    // Yoga's answer: HTTP's status, and the errors as the stream's one `next` event.
    const events = (await response.text()).split('\n\n').filter((event) => event.startsWith('event: next'))
    return { status: response.status, errors: events.flatMap((event) => (JSON.parse(event.slice(event.indexOf('data: ') + 6)) as { errors: unknown[] }).errors) }
  }
  const sub = connect(transport).subscribe(byId(transport, request))
  await sub.done
  return sub.error ?? sub.results.flatMap((result: { errors: unknown[] }) => result.errors)
}

/** The first of a subscription's results that `wanted` accepts, among its first 10. */
async function firstWhere(sub: { nth(i: number): Promise<any> }, wanted: (result: any) => boolean): Promise<any> {
  for (let i = 0; i < 10; i++) {
    const result = await sub.nth(i)
    if (wanted(result)) return result
  }
  throw new Error('no result matched in 10')
}

describe.each<Transport>(['ws', 'sse-distinct', 'sse-single'])('over %s', (transport) => {
  it('runs a live query by documentId and a subscription by Apollo hash or custom id', async () => {
    const client = connect(transport)
    const prefix = `p-${transport}`
    await live.sql.query(`INSERT INTO api.device (name) VALUES ($1)`, [`${prefix}-a`])
    const query = client.subscribe(byId(transport, { documentId: sha256(DEVICES) }))
    // A live query joining the cohort an earlier test left polling the same document starts from
    // that cohort's last result, which may be an interval older than the INSERT: wait for the row.
    const has = (name: string) => (result: any) => result.data.devices.nodes.some((node: { name: string }) => node.name === name)
    const first = await firstWhere(query, has(`${prefix}-a`))
    const changed = client.subscribe(byId(transport, { documentId: 'device-changed-v1' }))
    const hashed = client.subscribe(byId(transport, apollo(sha256(DEVICES))))
    expect(await firstWhere(hashed, has(`${prefix}-a`))).toEqual(first)
    await new Promise((resolve) => setTimeout(resolve, 300))
    await live.sql.query(`INSERT INTO api.device (name) VALUES ($1)`, [`${prefix}-b`])
    // Under load the event of the INSERT of `a` may reach the subscription after it started.
    expect(await firstWhere(changed, (event: any) => event.data?.deviceChanged?.node?.name !== `${prefix}-a`)).toEqual({ data: { deviceChanged: { op: 'INSERT', node: { name: `${prefix}-b` } } } })
    await firstWhere(query, has(`${prefix}-b`))
    for (const sub of [query, changed, hashed]) sub.stop()
  })

  it('answers an unknown id and a document of its own with the errors HTTP gives', async () => {
    const http = (status: number, errors: unknown[]) => (transport === 'sse-distinct' ? { status, errors } : errors)
    expect(await refusal(transport, { documentId: 'sha256:0000' })).toEqual(
      http(400, [{ message: 'No persisted operation has the id "sha256:0000".', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]),
    )
    expect(await refusal(transport, { query: CHANGED })).toEqual(
      http(403, [
        {
          message: 'This server runs persisted operations only: send the id of one (extensions.persistedQuery.sha256Hash (Apollo) or documentId), not a document.',
          extensions: { code: 'PERSISTED_QUERY_ONLY' },
        },
      ]),
    )
  })
})
