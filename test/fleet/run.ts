/**
 * The fleet test (`npm run fleet`; `npm run fleet -- --short` in CI): Portico as it runs in
 * production, every component real and on loopback:
 *
 *                 clients (this script: mixed reads and keyed writes)
 *                                  |
 *                           HAProxy (/readyz checks)
 *                  /               |               \
 *            portico 1         portico 2         portico 3        -- Redis (response cache)
 *                  \               |               /
 *         PostgreSQL primary  --streaming-->  replica (reads)
 *
 * For `seconds` (60; 15 short) workers send reads (some with the x-portico-min-lsn of their last
 * write, which must then see it) and creates carrying idempotency keys. Meanwhile portico 2 is
 * killed with SIGKILL and restarted, and the replica is stopped for a while and started again.
 * A failed request is retried as a client should (same idempotency key) until it succeeds.
 *
 * Asserted: no acknowledged write lost, none duplicated (rows == acknowledgements, one row per
 * key), every failure was retryable and succeeded on retry, every read-your-writes read saw its
 * write. Printed: throughput, latency percentiles, errors by kind, recovery times.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { anyFreePort, startPortico, until, type PorticoProcess } from '../support/portico-process.js'
import { createClusterDatabase, privateClusterUnavailable, startPrivateCluster, type Cluster } from '../support/private-cluster.js'
import { startRedis, type RedisServer } from '../support/redis-server.js'
import { caughtUp, startReplica, type Replica } from '../support/streaming-replica.js'

const SHORT = process.argv.includes('--short')
const SECONDS = SHORT ? 15 : 60
const WORKERS = 6
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
    const replica: Replica = await startReplica(primary)
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
    console.log('subscribers: not exercised (subscriptions belong to the live branch, not merged here)')

    const failures = [
      lost.length && `${lost.length} acknowledged writes lost`,
      duplicated.length && `${duplicated.length} keys written more than once`,
      unacknowledged.length && `${unacknowledged.length} rows written for keys never acknowledged`,
      rows.length !== acks.size && `rows counted ${rows.length} != acknowledgements ${acks.size}`,
      stats.gaveUp && `${stats.gaveUp} requests never succeeded`,
      stats.nonRetryable.length && `non-retryable errors: ${stats.nonRetryable.slice(0, 3).join(' | ')}`,
      stats.ryw.violations && `${stats.ryw.violations} reads did not see their own write`,
      acks.size === 0 && 'no write acknowledged',
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

interface Haproxy {
  port: number
  upServers(): Promise<string[]>
  stop(): Promise<void>
}

async function startHaproxy(ports: number[]): Promise<Haproxy> {
  const port = await anyFreePort()
  const statsPort = await anyFreePort()
  const dir = mkdtempSync(path.join(tmpdir(), 'portico-haproxy-'))
  const file = path.join(dir, 'haproxy.cfg')
  writeFileSync(
    file,
    `global
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # A connection refused (a process gone) is tried again on another server; a request already
  # sent is never replayed by HAProxy: the client retries it, with its idempotency key.
  retries 2
  option redispatch
frontend graphql
  bind 127.0.0.1:${port}
  default_backend portico
backend portico
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server inter 500ms fall 2 rise 2
${ports.map((p, i) => `  server p${i + 1} 127.0.0.1:${p} check`).join('\n')}
listen stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /stats
`,
  )
  const child = spawn('/usr/sbin/haproxy', ['-f', file, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const upServers = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text()
    return csv
      .split('\n')
      .map((line) => line.split(','))
      .filter((f) => f[0] === 'portico' && /^p\d$/.test(f[1] ?? '') && f[17]?.startsWith('UP'))
      .map((f) => f[1]!)
  }
  try {
    await until(() => upServers().then(() => true, () => false), 10_000)
  } catch {
    child.kill('SIGKILL')
    throw new Error(`haproxy did not start:\n${stderr}`)
  }
  return {
    port,
    upServers: () => upServers().catch(() => []),
    async stop() {
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
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
