/**
 * The fleet test (`npm run fleet`; `npm run fleet -- --short` in CI): Portico as it runs in
 * production, every component real and on loopback:
 *
 *     clients (this script: mixed reads and keyed writes; subscribers over WebSocket)
 *                                  |
 *                 HAProxy (/readyz checks; WebSocket: fewest connections)
 *                  /               |               \
 *            portico 1         portico 2         portico 3        -- Redis (response cache)
 *                  \               |               /
 *         PostgreSQL primary  --streaming-->  replica (reads)
 *
 * For `seconds` (60; 15 short) workers send reads (some with the x-portico-min-lsn of their last
 * write, which must then see it) and creates carrying idempotency keys. Meanwhile portico 2 is
 * killed with SIGKILL and restarted, and the replica is stopped for a while and started again.
 * A failed request is retried as a client should (same idempotency key) until it succeeds.
 * Subscribers (graphql-ws, retrying) follow the creates as row events (change triggers on entry,
 * installed before the processes start); those on the killed process reconnect through HAProxy.
 *
 * Asserted: no acknowledged write lost, none duplicated (rows == acknowledgements, one row per
 * key), every failure was retryable and succeeded on retry, every read-your-writes read saw its
 * write, every subscriber on the killed process reconnected to another and received events again
 * (and the others never stopped receiving them). Printed: throughput, latency percentiles, errors
 * by kind, recovery times, subscribers and their time to reconnect.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { anyFreePort, startPortico, until, type PorticoProcess } from '../support/portico-process.js'
import { repoRoot } from '../support/test-database.js'
import { createClusterDatabase, privateClusterUnavailable, startPrivateCluster, type Cluster } from '../support/private-cluster.js'
import { startRedis, type RedisServer } from '../support/redis-server.js'
import { caughtUp, startReplica, type Replica } from '../support/streaming-replica.js'
import { startHaproxy } from './haproxy.js'
import { reconnection, subscribe, type Subscriber } from './subscribers.js'

const SHORT = process.argv.includes('--short')
const SECONDS = SHORT ? 15 : 60
const WORKERS = 6
/** WebSocket subscribers, spread over the processes (each follows one worker's creates). */
const SUBSCRIBERS = SHORT ? 12 : 30
/** When things happen, as fractions of the run. */
const KILL_AT = 0.25
const RESTART_AFTER_S = SHORT ? 1 : 5
const REPLICA_STOP_AT = SHORT ? 0.45 : 0.55
const REPLICA_DOWN_S = SHORT ? 4 : 10

const SQL = `
  CREATE TABLE entry (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, key text NOT NULL, worker integer NOT NULL, body text NOT NULL);
  CREATE INDEX ON entry (key);`

const log = (line: string) => console.log(`[fleet ${new Date().toISOString().slice(11, 23)}] ${line}`)

interface Outcome {
  ok: boolean
  kind?: string
  retryable?: boolean
  body?: any
  ms: number
}

class Stats {
  attempts = 0
  succeeded = 0
  /** Logical requests that needed more than one attempt, and succeeded. */
  retriedOk = 0
  gaveUp = 0
  nonRetryable: string[] = []
  errors = new Map<string, number>()
  attemptMs: number[] = []
  requestMs: number[] = []
  ryw = { checked: 0, violations: 0 }
  count(kind: string) {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1)
  }
}

async function main(): Promise<number> {
  const unavailable = privateClusterUnavailable()
  if (unavailable) throw new Error(`the fleet test needs PostgreSQL binaries: ${unavailable}`)
  const cleanup: (() => Promise<unknown>)[] = []
  try {
    log(`setting up: PostgreSQL primary + streaming replica, Redis, 3 Portico processes, HAProxy (${SHORT ? 'short' : 'full'} run: ${SECONDS} s)`)
    const primary: Cluster = await startPrivateCluster()
    cleanup.push(() => primary.stop())
    const url = await createClusterDatabase(primary, 'fleet', SQL)
    // Change triggers on entry, once, before any process starts (each would install them again).
    const [replica] = await Promise.all([startReplica(primary), installTriggers(url, 'public.entry')])
    cleanup.push(() => replica.stop())
    await caughtUp(primary, replica)
    const redis: RedisServer = await startRedis()
    cleanup.push(() => redis.stop())
    const config = {
      databaseUrl: url,
      schemas: ['public'],
      readReplicas: [replica.url('fleet')],
      replicaCheckIntervalMs: 250,
      redisUrl: redis.url,
      cache: { enabled: true, ttlMs: 2_000 },
      poolSize: 5,
      logLevel: 'warn',
      production: true,
    }
    const ports = [await anyFreePort(), await anyFreePort(), await anyFreePort()]
    const started = performance.now()
    const porticos: PorticoProcess[] = await Promise.all(ports.map((port) => startPortico({ config, port })))
    cleanup.push(() => Promise.all(porticos.map((p) => p.kill())))
    log(`3 Portico processes serving after ${Math.round(performance.now() - started)} ms (ports ${ports.join(', ')})`)
    const haproxy = await startHaproxy(ports)
    cleanup.push(() => haproxy.stop())
    await until(async () => (await haproxy.upServers()).length === 3, 20_000)
    log(`HAProxy on ${haproxy.port}: 3 servers up`)

    // Subscribers before the traffic: one by one, so that HAProxy spreads them over the three.
    const subscribers: Subscriber[] = []
    cleanup.push(async () => subscribers.forEach((s) => s.close()))
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const subscriber = subscribe(`ws://127.0.0.1:${haproxy.port}/graphql`, `subscription { entryChanged(where: { worker: { equals: ${i % WORKERS} } }, ops: [INSERT]) { op node { key worker } } }`)
      subscribers.push(subscriber)
      await until(() => subscriber.connections[0]?.ackAt !== undefined || subscriber.error !== undefined, 10_000, 10)
    }
    const spread = ['p1', 'p2', 'p3'].map((name) => `${name} ${subscribers.filter((s) => s.connections[0]?.server === name).length}`)
    log(`${SUBSCRIBERS} subscribers connected through HAProxy (${spread.join(', ')})`)

    const stats = new Stats()
    const acks = new Map<string, string>()
    const endpoint = `http://127.0.0.1:${haproxy.port}/graphql`
    const deadline = Date.now() + SECONDS * 1000
    const events: Record<string, number> = {}
    const t0 = Date.now()

    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w, endpoint, deadline, stats, acks))

    // Portico 2: SIGKILL mid-run, restarted on the same port.
    const chaos = (async () => {
      await sleepUntil(t0 + SECONDS * 1000 * KILL_AT)
      log('SIGKILL portico 2')
      events.killedAt = Date.now()
      await porticos[1]!.kill()
      await until(async () => !(await haproxy.upServers()).includes('p2'), 20_000)
      events.haproxyDownMs = Date.now() - events.killedAt
      await sleep(RESTART_AFTER_S * 1000)
      log('restarting portico 2')
      events.restartAt = Date.now()
      porticos[1] = await startPortico({ config, port: ports[1] })
      events.servingMs = Date.now() - events.restartAt
      await until(async () => (await haproxy.upServers()).includes('p2'), 30_000)
      events.haproxyUpMs = Date.now() - events.restartAt
      log(`portico 2 serving after ${events.servingMs} ms, back in HAProxy after ${events.haproxyUpMs} ms`)
    })()
    const replicaChaos = (async () => {
      await sleepUntil(t0 + SECONDS * 1000 * REPLICA_STOP_AT)
      log(`stopping the replica for ${REPLICA_DOWN_S} s`)
      events.replicaStoppedAt = Date.now()
      await replica.stopServer()
      await sleep(REPLICA_DOWN_S * 1000)
      log('starting the replica')
      events.replicaStartAt = Date.now()
      await replica.startServer()
      // Back in rotation on the processes that were not killed (the other one may be restarting).
      await until(async () => {
        const up = await Promise.all([porticos[0]!, porticos[2]!].map((p) => replicaUp(p.url).catch(() => false)))
        return up.every(Boolean)
      }, 30_000, 100)
      events.replicaRejoinMs = Date.now() - events.replicaStartAt
      log(`replica back in rotation ${events.replicaRejoinMs} ms after its start`)
    })()
    await Promise.all(workers)
    // Throughput over the traffic's own window; the chaos may still be restarting a process.
    const elapsed = (Date.now() - t0) / 1000
    await Promise.all([chaos, replicaChaos])
    const subscribed = reconnection(subscribers, 'p2', events.killedAt!)

    // The database's word on what was written.
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    const { rows } = await client.query<{ key: string; id: string }>('SELECT key, id::text AS id FROM entry')
    await client.end()
    const byKey = new Map<string, string[]>()
    for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), row.id])
    const lost = [...acks].filter(([key, id]) => !byKey.get(key)?.includes(id))
    const duplicated = [...byKey].filter(([, ids]) => ids.length > 1)
    const unacknowledged = [...byKey.keys()].filter((key) => !acks.has(key))

    const pct = (values: number[], p: number) => {
      const sorted = [...values].sort((a, b) => a - b)
      return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!) : 0
    }
    console.log('\n== fleet results')
    console.log(`duration ${elapsed.toFixed(1)} s, ${WORKERS} workers through HAProxy to 3 Portico processes`)
    console.log(`requests: ${stats.succeeded} succeeded (${(stats.succeeded / elapsed).toFixed(0)}/s), ${stats.attempts} attempts; writes acknowledged ${acks.size}`)
    console.log(`latency per attempt: p50 ${pct(stats.attemptMs, 50)} ms, p99 ${pct(stats.attemptMs, 99)} ms; per request (retries included): p50 ${pct(stats.requestMs, 50)} ms, p99 ${pct(stats.requestMs, 99)} ms, max ${pct(stats.requestMs, 100)} ms`)
    console.log(`errors by kind: ${stats.errors.size ? [...stats.errors].map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}`)
    console.log(`requests that failed and succeeded on retry: ${stats.retriedOk}; gave up: ${stats.gaveUp}; non-retryable errors: ${stats.nonRetryable.length}`)
    console.log(`read-your-writes reads: ${stats.ryw.checked}, violations: ${stats.ryw.violations}`)
    console.log(`rows ${rows.length}, distinct keys ${byKey.size}, acknowledged ${acks.size}; lost ${lost.length}, duplicated ${duplicated.length}, written but unacknowledged ${unacknowledged.length}`)
    console.log(
      `recovery: HAProxy marked the killed process down after ${events.haproxyDownMs} ms; restarted process serving after ${events.servingMs} ms, back in HAProxy after ${events.haproxyUpMs} ms; replica back in rotation ${events.replicaRejoinMs} ms after its start`,
    )
    console.log(
      `subscribers: ${subscribed.subscribers} (WebSocket through HAProxy), ${subscribed.onKilled} on the killed process; reconnected elsewhere ${subscribed.reconnected}, received an event after reconnecting ${subscribed.eventAfter}; time to reconnect p50 ${pct(subscribed.reconnectMs, 50)} ms, max ${pct(subscribed.reconnectMs, 100)} ms; first event after the kill p50 ${pct(subscribed.firstEventMs, 50)} ms, max ${pct(subscribed.firstEventMs, 100)} ms; subscribers elsewhere without an event after the kill ${subscribed.othersSilent}`,
    )

    const failures = [
      lost.length && `${lost.length} acknowledged writes lost`,
      duplicated.length && `${duplicated.length} keys written more than once`,
      unacknowledged.length && `${unacknowledged.length} rows written for keys never acknowledged`,
      rows.length !== acks.size && `rows counted ${rows.length} != acknowledgements ${acks.size}`,
      stats.gaveUp && `${stats.gaveUp} requests never succeeded`,
      stats.nonRetryable.length && `non-retryable errors: ${stats.nonRetryable.slice(0, 3).join(' | ')}`,
      stats.ryw.violations && `${stats.ryw.violations} reads did not see their own write`,
      acks.size === 0 && 'no write acknowledged',
      subscribed.onKilled === 0 && 'no subscriber was on the killed process',
      subscribed.reconnected < subscribed.onKilled && `${subscribed.onKilled - subscribed.reconnected} subscribers of the killed process did not reconnect elsewhere`,
      subscribed.eventAfter < subscribed.onKilled && `${subscribed.onKilled - subscribed.eventAfter} subscribers of the killed process received no event after reconnecting`,
      subscribed.othersSilent && `${subscribed.othersSilent} subscribers of the other processes received no event after the kill`,
      subscribed.errors.length && `subscriptions ended with errors: ${subscribed.errors.slice(0, 3).join(' | ')}`,
    ].filter(Boolean)
    if (failures.length) {
      console.log(`\nFLEET FAILED: ${failures.join('; ')}`)
      return 1
    }
    console.log('\nfleet passed')
    return 0
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`))
  }
}

/** One client: writes carry idempotency keys; after each write, a read with its position must see it. */
async function worker(w: number, endpoint: string, deadline: number, stats: Stats, acks: Map<string, string>): Promise<void> {
  let n = 0
  while (Date.now() < deadline) {
    n++
    if (n % 3 === 0) {
      const key = `w${w}-${n}-${Math.random().toString(36).slice(2, 8)}`
      const result = await request(stats, endpoint, `mutation($key: String!, $body: String!) { createEntry(data: { key: $key, worker: ${w}, body: $body }, idempotencyKey: $key) { id key } }`, { key, body: `entry ${n} of worker ${w}` })
      if (!result) continue
      acks.set(key, String(result.data.createEntry.id))
      const lsn = result.extensions?.portico?.lsn as string | undefined
      const seen = await request(stats, endpoint, 'query($key: String!) { entries(where: { key: { equals: $key } }) { nodes { id } } }', { key }, lsn ? { 'x-portico-min-lsn': lsn } : {})
      if (seen) {
        stats.ryw.checked++
        if (seen.data.entries.nodes.length !== 1) stats.ryw.violations++
      }
    } else {
      await request(stats, endpoint, `{ entries(first: 10, orderBy: [{ id: DESC }]) { nodes { id key worker } } total: entries(where: { worker: { equals: ${w} } }) { totalCount } }`, {})
    }
  }
}

/** A request retried until it succeeds (at most 60 times, 100 ms apart): null when it never did. */
async function request(stats: Stats, endpoint: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<any | null> {
  const start = performance.now()
  for (let attempt = 1; attempt <= 60; attempt++) {
    const outcome = await once(endpoint, query, variables, headers)
    stats.attempts++
    if (outcome.ok) {
      stats.succeeded++
      stats.attemptMs.push(outcome.ms)
      stats.requestMs.push(performance.now() - start)
      if (attempt > 1) stats.retriedOk++
      return outcome.body
    }
    stats.count(outcome.kind!)
    if (!outcome.retryable) {
      stats.nonRetryable.push(`${outcome.kind}: ${JSON.stringify(outcome.body).slice(0, 300)}`)
      return null
    }
    await sleep(100)
  }
  stats.gaveUp++
  return null
}

async function once(endpoint: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>): Promise<Outcome> {
  const start = performance.now()
  let response: Response
  try {
    response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(15_000) })
  } catch (error) {
    // The connection died (a process killed under it): whether it was handled is unknown; retry.
    return { ok: false, kind: `network ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name}`, retryable: true, ms: performance.now() - start }
  }
  const text = await response.text().catch(() => '')
  const ms = performance.now() - start
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    // HAProxy's own answers (502, 503) are HTML: no server took the request, or it died mid-way.
    return { ok: false, kind: `HTTP ${response.status}`, retryable: response.status >= 500, body: text.slice(0, 200), ms }
  }
  const error = body.errors?.[0]
  if (!error && response.ok) return { ok: true, body, ms }
  const code = error?.extensions?.code ?? `HTTP ${response.status}`
  return { ok: false, kind: code, retryable: error?.extensions?.retry === true || response.status >= 500, body, ms }
}

async function replicaUp(url: string): Promise<boolean> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000) })).text()
  return /portico_replica_up\{replica="[^"]+"\} 1/.test(text)
}

/** `portico triggers install`, as an operator runs it before starting the fleet (in an empty folder: no config file of the checkout's). */
async function installTriggers(databaseUrl: string, tables: string): Promise<void> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'portico-triggers-'))
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|NODE_OPTIONS|PORTICO_.*)$/.test(key)))
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'portico.mjs'), 'triggers', 'install', '--database-url', databaseUrl, '--schemas', 'public', '--tables', tables, '--log-level', 'warn'], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  rmSync(cwd, { recursive: true, force: true })
  if (code !== 0) throw new Error(`portico triggers install failed:\n${stderr}`)
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()))

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
