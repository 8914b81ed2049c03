/**
 * The live-query load (issue 14): subscribers in cohorts over documents, a writer adding one
 * reading per device and sensor each second, and load clients in their own processes
 * (./live-client.ts). Measures statements per interval (pg_stat_statements, or Portico's own
 * count), change-to-client latency, server and PostgreSQL CPU, errors; then a leak check:
 * subscribe/unsubscribe cycles, after which RSS, the LISTEN connection and the pool must be as
 * they were. `npm run bench -- --live` runs it at 10,000 subscribers; test/live-load.test.ts
 * (in `npm test`, so `.ci/run`) at 1,000.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'

const HERE = path.dirname(fileURLToPath(import.meta.url))
export const LIVE_DEVICES = ['iotawatt-house', 'iotawatt-garage', 'iotawatt-solar', 'iotawatt-heatpump']
export const LIVE_SENSORS = ['ev', 'hvac', 'kitchen', 'main', 'solar']

export interface LiveLoadOptions {
  url: string
  /** A connection that may write api.iotawatt and read pg_stat_activity. */
  sql: pg.Client
  /** The server's pid (RSS and CPU) and PostgreSQL's postmaster pid (CPU of it and its children), when known. */
  serverPid?: number
  postgresPid?: number
  subscribers: number
  documents: number
  cohortsPerDocument: number
  clientProcesses: number
  connectionsPerProcess: number
  intervalMs: number
  durationSeconds: number
  cycles: number
  /** Statements sent by the server so far (pg_stat_statements or the server's own count). */
  pollStatements: () => Promise<number>
  /** The role the server connects as, for the pool's state in pg_stat_activity. */
  role?: string
  log?: (line: string) => void
}

export interface LiveLoadResult {
  subscribers: number
  cohorts: number
  documents: number
  intervalMs: number
  durationSeconds: number
  statementsPerInterval: number
  latencyMs: { samples: number; avg: number; p50: number; p99: number; max: number }
  cpu: { serverPercent?: number; postgresPercent?: number }
  errors: number
  errorSamples: string[]
  /** WebSocket connections the load clients had to open again (their subscriptions resubscribed). */
  reconnects: number
  leak: { cycles: number; rssBefore?: number; rssAfter?: number; listenBefore: number; listenAfter: number; poolBefore: Record<string, number>; poolAfter: Record<string, number> }
}

interface Client {
  child: ChildProcessWithoutNullStreams
  next(): Promise<any>
  send(line: string): void
}

/** The documents: the newest reading of one device and sensor, each document under its own alias. */
export function liveSubscriptions(options: Pick<LiveLoadOptions, 'subscribers' | 'documents' | 'cohortsPerDocument'>) {
  const pairs = LIVE_DEVICES.flatMap((device) => LIVE_SENSORS.map((sensor) => ({ device, sensor })))
  const cohorts = Array.from({ length: options.documents }, (_, d) =>
    Array.from({ length: options.cohortsPerDocument }, (_, c) => ({
      field: `d${d}`,
      query: `query Live${d}($device: String!, $sensor: String!) @live { d${d}: iotawatts(first: 1, where: { device: { equals: $device }, sensor: { equals: $sensor } }, orderBy: [{ timestamp: DESC }]) { nodes { timestamp power } } }`,
      variables: pairs[(d + c * 7) % pairs.length]!,
    })),
  ).flat()
  return Array.from({ length: options.subscribers }, (_, i) => cohorts[i % cohorts.length]!)
}

function startClient(spec: object): Client {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'live-client.ts'), JSON.stringify(spec)], { stdio: 'pipe' })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += String(chunk)))
  const waiting: ((value: any) => void)[] = []
  const queued: any[] = []
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line)
    const take = waiting.shift()
    if (take) take(message)
    else queued.push(message)
  })
  child.once('exit', (code) => {
    for (const take of waiting.splice(0)) take({ exited: code, stderr })
  })
  return {
    child,
    next: () => (queued.length ? Promise.resolve(queued.shift()) : new Promise((resolve) => waiting.push(resolve))),
    send: (line) => child.stdin.write(`${line}\n`),
  }
}

/** CPU seconds (user + system) of a process, and of its children when asked (PostgreSQL's backends). */
function cpuSeconds(pid: number, withChildren: boolean): number {
  const ticks = (p: number) => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')
      return Number(fields[11]) + Number(fields[12])
    } catch {
      return 0
    }
  }
  let total = ticks(pid)
  if (withChildren) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += ticks(Number(child))
    } catch {
      // no children list: the postmaster alone
    }
  }
  return total / 100
}

function rss(pid: number | undefined): number | undefined {
  if (!pid) return undefined
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) * 1024 : undefined
}

async function listenCount(sql: pg.Client): Promise<number> {
  const { rows } = await sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'portico-listen' AND datname = current_database()`)
  return rows[0].n
}

async function poolState(sql: pg.Client, role: string | undefined): Promise<Record<string, number>> {
  const { rows } = await sql.query(
    `SELECT coalesce(state, 'none') AS state, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name <> 'portico-listen' AND pid <> pg_backend_pid() AND ($1::text IS NULL OR usename = $1) GROUP BY 1 ORDER BY 1`,
    [role ?? null],
  )
  return Object.fromEntries(rows.map((r) => [r.state, r.n]))
}

/**
 * The pool's state once no statement is in flight: the steady subscribers are still polled every
 * interval, so one sample can catch a poll running. A leaked connection stays busy; a poll does
 * not, so up to ten samples 100 ms apart are read and the first quiet one returned (else the last).
 */
async function settledPoolState(sql: pg.Client, role: string | undefined): Promise<Record<string, number>> {
  let state = await poolState(sql, role)
  for (let i = 0; i < 10 && (state.active || state['idle in transaction']); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    state = await poolState(sql, role)
  }
  return state
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN)

export async function runLiveLoad(options: LiveLoadOptions): Promise<LiveLoadResult> {
  const log = options.log ?? (() => {})
  const epoch = Date.now()
  const subscriptions = liveSubscriptions(options)
  const perProcess = Math.ceil(subscriptions.length / options.clientProcesses)
  const clients: Client[] = []
  let writer: NodeJS.Timeout | undefined
  try {
    for (let i = 0; i < options.clientProcesses; i++) {
      const { subscribers, documents, cohortsPerDocument } = options
      clients.push(startClient({ url: options.url, epoch, connections: options.connectionsPerProcess, subscribers, documents, cohortsPerDocument, from: i * perProcess, count: perProcess }))
    }
    log(`  ${subscriptions.length} subscribers (${options.documents} documents x ${options.cohortsPerDocument} cohorts) in ${options.clientProcesses} client processes`)
    const ready = await Promise.race([
      Promise.all(clients.map((c) => c.next())),
      new Promise<any[]>((resolve) => setTimeout(() => resolve([{ ready: false, reason: 'not every subscriber had its first result within 180 s' }]), 180_000).unref()),
    ])
    if (ready.some((r) => !r.ready)) throw new Error(`a load client failed: ${JSON.stringify(ready)}`)
    log('  every subscriber has its first result; writing one reading per device and sensor each second')

    // The writer: each second, one reading per device and sensor; power carries the write time.
    const write = () =>
      options.sql.query(`INSERT INTO api.iotawatt (device, sensor, "timestamp", power) SELECT d, s, now(), $3 FROM unnest($1::text[], $2::text[]) AS x(d, s)`, [
        LIVE_DEVICES.flatMap((d) => LIVE_SENSORS.map(() => d)),
        LIVE_DEVICES.flatMap(() => LIVE_SENSORS),
        Date.now() - epoch,
      ])
    await write()
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs * 2))
    for (const c of clients) c.send('report')
    await Promise.all(clients.map((c) => c.next()))
    writer = setInterval(() => void write().catch(() => {}), 1_000)

    const statementsBefore = await options.pollStatements()
    const serverCpuBefore = options.serverPid ? cpuSeconds(options.serverPid, false) : 0
    const postgresCpuBefore = options.postgresPid ? cpuSeconds(options.postgresPid, true) : 0
    const started = performance.now()
    await new Promise((resolve) => setTimeout(resolve, options.durationSeconds * 1_000))
    const elapsed = (performance.now() - started) / 1_000
    const statements = (await options.pollStatements()) - statementsBefore
    const serverCpu = options.serverPid ? cpuSeconds(options.serverPid, false) - serverCpuBefore : undefined
    const postgresCpu = options.postgresPid ? cpuSeconds(options.postgresPid, true) - postgresCpuBefore : undefined
    clearInterval(writer)
    writer = undefined
    for (const c of clients) c.send('report')
    const reports = await Promise.all(clients.map((c) => c.next()))
    const latencies = reports.flatMap((r) => r.latencies as number[]).sort((a, b) => a - b)
    let errors = reports.reduce((n, r) => n + (r.errors as number), 0)
    const errorSamples = reports.flatMap((r) => r.errorSamples as string[])
    const reconnects = reports.reduce((n, r) => n + (r.reconnects as number), 0)

    // Leak check: the state now, cycles, the state again.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const rssBefore = rss(options.serverPid)
    const listenBefore = await listenCount(options.sql)
    const poolBefore = await settledPoolState(options.sql, options.role)
    log(`  leak check: ${options.cycles} subscribe/unsubscribe cycles`)
    clients[0]!.send(`cycles ${options.cycles}`)
    const cycled = await clients[0]!.next()
    errors = Math.max(errors, cycled.errors ?? 0)
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs * 2 + 500))
    const rssAfter = rss(options.serverPid)
    const listenAfter = await listenCount(options.sql)
    const poolAfter = await settledPoolState(options.sql, options.role)

    const cohorts = options.documents * options.cohortsPerDocument
    return {
      subscribers: subscriptions.length,
      cohorts,
      documents: options.documents,
      intervalMs: options.intervalMs,
      durationSeconds: elapsed,
      statementsPerInterval: statements / (elapsed / (options.intervalMs / 1_000)),
      latencyMs: {
        samples: latencies.length,
        avg: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1),
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        max: latencies[latencies.length - 1] ?? NaN,
      },
      cpu: { serverPercent: serverCpu === undefined ? undefined : (100 * serverCpu) / elapsed, postgresPercent: postgresCpu === undefined ? undefined : (100 * postgresCpu) / elapsed },
      errors,
      errorSamples,
      reconnects,
      leak: { cycles: options.cycles, rssBefore, rssAfter, listenBefore, listenAfter, poolBefore, poolAfter },
    }
  } finally {
    if (writer) clearInterval(writer)
    for (const c of clients) {
      c.send('close')
      setTimeout(() => c.child.kill(), 5_000).unref()
    }
  }
}

export function formatLiveLoad(r: LiveLoadResult): string[] {
  const mb = (n?: number) => (n === undefined ? 'n/a' : `${(n / 1048576).toFixed(0)} MB`)
  const pct = (n?: number) => (n === undefined ? 'n/a' : `${n.toFixed(0)}%`)
  return [
    `Live queries: ${r.subscribers.toLocaleString('en-US')} subscribers in ${r.cohorts} cohorts over ${r.documents} documents, interval ${r.intervalMs} ms, ${r.durationSeconds.toFixed(0)} s`,
    `  statements per interval: ${r.statementsPerInterval.toFixed(1)} (${(r.statementsPerInterval / r.documents).toFixed(2)} per document)`,
    `  change-to-client latency: avg ${r.latencyMs.avg.toFixed(0)} ms, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms (${r.latencyMs.samples.toLocaleString('en-US')} samples)`,
    `  CPU: server ${pct(r.cpu.serverPercent)}, PostgreSQL ${pct(r.cpu.postgresPercent)} (of one core)`,
    `  errors: ${r.errors}${r.errorSamples.length ? ` (${r.errorSamples.join('; ')})` : ''}; WebSocket reconnects: ${r.reconnects}`,
    `  leak check after ${r.leak.cycles.toLocaleString('en-US')} subscribe/unsubscribe cycles: RSS ${mb(r.leak.rssBefore)} -> ${mb(r.leak.rssAfter)}, LISTEN connections ${r.leak.listenBefore} -> ${r.leak.listenAfter}, pool ${JSON.stringify(r.leak.poolBefore)} -> ${JSON.stringify(r.leak.poolAfter)}`,
  ]
}
