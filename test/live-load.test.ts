/**
 * The 1,000-subscriber version of `npm run bench -- --live` (test/benchmark/live-load.ts), run by
 * `npm test` and so by .ci/run: 1,000 live-query subscribers in 100 cohorts over 10 documents, the
 * load client in its own process, a writer adding readings each second. One statement per document
 * per interval, latency within the interval plus 500 ms, no error, and after 1,000
 * subscribe/unsubscribe cycles the same subscribers, cohorts, LISTEN connection and pool.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { formatLiveLoad, runLiveLoad } from './benchmark/live-load.js'
import { startLiveServer, type LiveServer } from './support/live-server.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let live: LiveServer
const INTERVAL_MS = 250

beforeAll(async () => {
  db = await createTestDatabase('live_load', readFixtureSql('portico-live.sql'))
  live = await startLiveServer(db.url, { live: { intervalMs: INTERVAL_MS } })
}, 120_000)

afterAll(async () => {
  await live?.close()
  await db?.drop()
})

it('serves 1,000 live subscribers with one statement per document and interval, in time, without errors or leaks', async () => {
  const result = await runLiveLoad({
    url: live.url,
    sql: live.sql,
    serverPid: process.pid,
    subscribers: 1_000,
    documents: 10,
    cohortsPerDocument: 10,
    clientProcesses: 1,
    connectionsPerProcess: 20,
    intervalMs: INTERVAL_MS,
    durationSeconds: 5,
    cycles: 1_000,
    pollStatements: async () => live.statements.filter((s) => s.includes('live_c')).length,
  })
  console.log(formatLiveLoad(result).join('\n'))
  expect(result.errors).toBe(0)
  // Ten groups (one per document) polled once per interval: at most ten statements per interval.
  expect(result.statementsPerInterval).toBeLessThanOrEqual(10.5)
  expect(result.statementsPerInterval).toBeGreaterThan(5)
  expect(result.latencyMs.samples).toBeGreaterThan(500)
  expect(result.latencyMs.avg).toBeLessThan(1_000)
  expect(result.latencyMs.p99).toBeLessThanOrEqual(INTERVAL_MS + 500)
  // Leaks: the steady subscribers are all there is again, with the one LISTEN connection.
  expect(live.gateway.live.queries.stats).toEqual({ groups: 10, cohorts: 100, subscribers: 1_000 })
  expect(live.gateway.live.counter.open).toBe(1_000)
  expect(result.leak.listenAfter).toBe(1)
  expect(result.leak.listenBefore).toBe(1)
  expect(result.leak.poolAfter.active ?? 0).toBe(0)
  expect(result.leak.poolAfter['idle in transaction'] ?? 0).toBe(0)
}, 120_000)
