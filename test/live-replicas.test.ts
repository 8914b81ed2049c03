/**
 * Two Portico processes on one database, with Redis at 127.0.0.1:6379 (started by .ci/run): a write
 * through A reaches a subscriber on B, as a row event (through PostgreSQL's NOTIFY) and as a
 * published event (through Redis).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { liveClient, type LiveClient } from './support/live-clients.js'
import { sleep } from './support/live-server.js'
import { createTestDatabase, readFixtureSql, repoRoot, type TestDatabase } from './support/test-database.js'

interface Replica {
  url: string
  process: ChildProcessWithoutNullStreams
  lines: string[]
}

let db: TestDatabase
const replicas: Replica[] = []
let client: LiveClient
const REDIS_URL = process.env.PORTICO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

function startReplica(config: object): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/live-replica.ts', db.url, JSON.stringify(config)], { cwd: repoRoot, stdio: 'pipe' })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += String(chunk)))
  const lines: string[] = []
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}: ${stderr}`)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line)
      const parsed = JSON.parse(line) as { url?: string }
      if (parsed.url) resolve({ url: parsed.url, process: child, lines })
    })
  })
}

beforeAll(async () => {
  db = await createTestDatabase('live_replicas', readFixtureSql('portico-live.sql'))
  const config = { schemas: ['api'], redisUrl: REDIS_URL, live: { triggers: ['api.device'], topics: ['alerts'] } }
  // One after the other: both would install the same triggers.
  replicas.push(await startReplica(config))
  replicas.push(await startReplica(config))
}, 180_000)

afterAll(async () => {
  await client?.close()
  for (const replica of replicas) {
    const exited = new Promise((resolve) => replica.process.once('exit', resolve))
    replica.process.stdin.end()
    await exited
  }
  await db?.drop()
})

/** Repeats `poke` until the subscription's first result arrives: then it is surely open. */
async function whenOpen(sub: { results: unknown[] }, poke: () => unknown): Promise<void> {
  for (let i = 0; sub.results.length === 0; i++) {
    if (i > 100) throw new Error('the subscription never opened')
    await poke()
    await sleep(200)
  }
}

it('a write through A reaches a subscriber on B: a row event and a published event', async () => {
  const [a, b] = replicas as [Replica, Replica]
  client = liveClient('ws', b.url)
  const rows = client.subscribe(`subscription { deviceChanged(ops: [INSERT], where: { name: { startsWith: "from" } }) { op node { name } } }`)
  const alerts = client.subscribe(`subscription { published(topic: "alerts") }`)
  const viaA = (query: string) => fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then((r) => r.json())
  let n = 0
  await whenOpen(rows, () => viaA(`mutation { createDevice(data: { name: "from-a-${n++}" }) { id } }`))
  // A row written through A (the write that arrived first once B's subscription was open).
  expect(rows.results[0]).toEqual({ data: { deviceChanged: { op: 'INSERT', node: { name: expect.stringMatching(/^from-a-\d+$/) } } } })
  await whenOpen(alerts, () => a.process.stdin.write(`publish alerts {"level":"high","from":"a"}\n`))
  expect(alerts.results[0]).toEqual({ data: { published: { level: 'high', from: 'a' } } })
})
