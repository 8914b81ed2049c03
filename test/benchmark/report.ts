/**
 * The benchmark's results: their JSON form (written to a file) and the printed tables, one per
 * target, then Portico's throughput as a ratio of PostGraphile's and of the limit server's.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { CheckEntry } from './check.ts'
import type { LoadResult, SequentialResult } from './load.ts'
import type { OperationName } from './operations.ts'
import type { StatementSummary } from './stats.ts'
import type { TargetName } from './targets/target.ts'

export interface Measurement {
  target: TargetName
  operation: OperationName
  /** The timed run (absent in smoke mode). */
  load?: LoadResult
  /**
   * One request at a time, nothing else running (SEQUENTIAL_OPERATIONS, not in smoke mode), with
   * the data statements and their database time per request over those requests.
   */
  sequential?: SequentialResult & { dataPerRequest: number; dbMsPerRequest: number }
  /** Statements per request from a few sequential requests: exact, nothing in flight. */
  statements: Omit<StatementSummary, 'statements'> & { statements: { query: string; calls: number; meanMs: number }[] }
  /** Statements per completed request during the timed run (requests cut off at its end inflate it slightly). */
  statementsUnderLoad?: Omit<StatementSummary, 'statements'>
  /** Peak RSS of the server process during this operation's warm-up and run (VmHWM after a reset). */
  peakRssBytes: number | null
  /** The data check's verdict for this target and operation. */
  check: CheckEntry['status']
}

export interface BenchResults {
  version: 1
  mode: 'full' | 'quick' | 'smoke'
  startedAt: string
  wallSeconds: number
  settings: {
    connections: number
    threads: number
    poolSize: number
    warmupSeconds: number
    durationSeconds: number
    countRequests: number
    sequentialRequests: number
    skipCheck: boolean
  }
  machine: { cpus: number; cpuModel: string; node: string; postgres: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] }
  dataset: { scale: string; rows: Record<string, number>; loadSeconds: number }
  /** The private cluster's port (stopped by the end of the run). */
  clusterPort: number
  targets: Partial<Record<TargetName, { label: string; role: string; pid: number; startupSeconds: number; startupPeakRssBytes: number | null; idleRssBytes?: number | null }>>
  check: Omit<CheckEntry, 'body'>[]
  checkPassed: boolean
  /** Servers that exited during the timed runs ("Portico during iot (SIGTERM)"). */
  serverDied: string[]
  measurements: Measurement[]
  /**
   * Per operation: Portico's requests/s divided by the other target's; Portico's server CPU per
   * request divided by the limit server's; Portico+auth's req/s and CPU per request divided by Portico's.
   */
  ratios: Ratios
}

type PerOperation = Partial<Record<OperationName, number>>
export interface Ratios {
  porticoToPostgraphile: PerOperation
  porticoToLimit: PerOperation
  porticoCpuToLimit: PerOperation
  authToPortico: PerOperation
  authCpuToPortico: PerOperation
}

export function ratios(measurements: Measurement[]): Ratios {
  const load = (target: TargetName, operation: OperationName) => measurements.find((m) => m.target === target && m.operation === operation)?.load
  const out: Ratios = { porticoToPostgraphile: {}, porticoToLimit: {}, porticoCpuToLimit: {}, authToPortico: {}, authCpuToPortico: {} }
  const set = (into: PerOperation, operation: OperationName, a: number | null | undefined, b: number | null | undefined) => {
    if (a !== undefined && a !== null && b) into[operation] = a / b
  }
  for (const m of measurements) {
    if (m.target !== 'portico') continue
    const own = load('portico', m.operation)
    const auth = load('portico-auth', m.operation)
    const limit = load('limit', m.operation)
    set(out.porticoToPostgraphile, m.operation, own?.requestsPerSecond, load('postgraphile', m.operation)?.requestsPerSecond)
    set(out.porticoToLimit, m.operation, own?.requestsPerSecond, limit?.requestsPerSecond)
    set(out.porticoCpuToLimit, m.operation, own?.serverCpuMsPerRequest, limit?.serverCpuMsPerRequest)
    set(out.authToPortico, m.operation, auth?.requestsPerSecond, own?.requestsPerSecond)
    set(out.authCpuToPortico, m.operation, auth?.serverCpuMsPerRequest, own?.serverCpuMsPerRequest)
  }
  return out
}

/** Why `target` was not sent `operation` (the data check's skipped entry), or undefined. */
function skipped(results: BenchResults, target: TargetName, operation: OperationName): string | undefined {
  const entry = results.check.find((e) => e.target === target && e.operation === operation && e.status === 'skipped')
  return entry ? (entry.reason ?? 'not supported') : undefined
}

export function writeResults(results: BenchResults, file: string): string {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  return file
}

const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1))
const count = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2))
const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${Math.round(bytes / 1024 / 1024)} MB`)

function table(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  return [line(header), ...rows.map(line)]
}

/** The printed report: a table per target, then the ratios. */
export function formatReport(results: BenchResults, operations: readonly OperationName[], targetOrder: readonly TargetName[]): string[] {
  const lines: string[] = []
  const timed = results.mode !== 'smoke'
  for (const target of targetOrder) {
    const info = results.targets[target]
    if (!info) continue
    // The targets start at the same time, sharing the machine: start-up here is longer than alone (test/benchmark/footprint.ts).
    lines.push('', `${info.label} (started in ${info.startupSeconds.toFixed(1)} s, all targets at once; idle RSS ${mb(info.idleRssBytes ?? null)}, start-up peak ${mb(info.startupPeakRssBytes)})`)
    const header = timed
      ? ['operation', 'req/s', 'CPU ms/req', 'CPU %', 'p50 ms', 'p99 ms', 'SQL/op', 'noise/op', 'DB ms/op', 'peak RSS', 'errors', 'data']
      : ['operation', 'SQL/op', 'noise/op', 'DB ms/op', 'data']
    const rows: string[][] = []
    for (const operation of operations) {
      const m = results.measurements.find((x) => x.target === target && x.operation === operation)
      if (!m) {
        // Not sent: the target cannot do it (a reason below the table).
        if (skipped(results, target, operation)) rows.push([operation, ...header.slice(1).map(() => 'n/a')])
        continue
      }
      const data = m.check === 'reference' ? 'ref' : m.check === 'ok' ? 'same' : m.check === 'differs' ? 'DIFFERS' : m.check === 'skipped' ? 'n/a' : 'FAILED'
      const sql = [count(m.statements.dataPerRequest), count(m.statements.noisePerRequest), ms(m.statements.dbMsPerRequest)]
      if (timed && m.load) {
        const errors = m.load.errors + m.load.non2xx + m.load.mismatches
        const cpu = m.load.serverCpuMsPerRequest
        const busy = m.load.serverCpuPercent
        rows.push([operation, rate(m.load.requestsPerSecond), cpu === null ? 'n/a' : cpu.toFixed(3), busy === null ? 'n/a' : busy.toFixed(0), ms(m.load.latencyMs.p50), ms(m.load.latencyMs.p99), ...sql, mb(m.peakRssBytes), String(errors), data])
      } else if (timed) {
        rows.push([operation, '-', '-', '-', '-', '-', ...sql, '-', '-', data])
      } else {
        rows.push([operation, ...sql, data])
      }
    }
    lines.push(...table(header, rows))
    for (const operation of operations) {
      const reason = skipped(results, target, operation)
      if (reason) lines.push(`  ${operation}: n/a, not sent (${reason})`)
    }
  }
  const single = results.measurements.filter((m) => m.sequential)
  if (single.length) {
    lines.push('', 'One request at a time (no concurrency; client-measured over 127.0.0.1; DB: pg_stat_statements):')
    const rows = single.map((m) => {
      const q = m.sequential!
      return [
        `${m.operation} ${results.targets[m.target]?.label ?? m.target}`,
        ms(q.latencyMs.mean),
        ms(q.latencyMs.p50),
        ms(q.latencyMs.min),
        ms(q.latencyMs.max),
        ms(q.dbMsPerRequest),
        count(q.dataPerRequest),
        String(q.requests),
      ]
    })
    lines.push(...table(['operation', 'mean ms', 'p50 ms', 'min ms', 'max ms', 'DB ms/op', 'SQL/op', 'requests'], rows))
  }
  if (timed) {
    const header = ['Ratios', ...operations]
    const row = (name: string, r: PerOperation) => [name, ...operations.map((o) => (r[o] === undefined ? 'n/a' : `${r[o]!.toFixed(2)}x`))]
    const r = results.ratios
    lines.push(
      '',
      ...table(
        header,
        [
          row("Portico's req/s / PostGraphile's", r.porticoToPostgraphile),
          row("Portico's req/s / limit server's (goal >= 0.5)", r.porticoToLimit),
          row("Portico's CPU/req / limit server's (goal <= 2)", r.porticoCpuToLimit),
          row("Portico+auth's req/s / Portico's", r.authToPortico),
          row("Portico+auth's CPU/req / Portico's (goal <= 1.5)", r.authCpuToPortico),
        ],
        '',
      ),
    )
    const busy = results.measurements.filter((m) => m.target === 'limit' && m.load?.machineBusyPercent != null)
    if (busy.length) {
      lines.push('', `Machine busy during the limit server's runs: ${busy.map((m) => `${m.operation} ${m.load!.machineBusyPercent!.toFixed(0)}%`).join(', ')} (of ${results.machine.cpus} cores).`)
      lines.push(`The other servers meanwhile (idle, each waited for): ${busy.map((m) => `${m.operation} ${m.load!.othersCpuPercent.toFixed(1)}%`).join(', ')} of a core.`)
    }
  }
  lines.push(
    '',
    'CPU ms/req: the server process\'s user + system CPU time (/proc/<pid>/stat) over the measured run per request;',
    'CPU %: that time as a share of one core. Both hold up when other work shares the machine; req/s does not.',
    'SQL/op: data statements per request, from pg_stat_statements over a few sequential requests (exact);',
    'noise/op: BEGIN/COMMIT/SET/SHOW/set_config/SELECT 1 per request, not counted in SQL/op; DB ms/op: their',
    'execution time in PostgreSQL; peak RSS: the server process, during the operation; errors: failed, non-2xx',
    'or different responses under load; data: the data check against the limit server.',
  )
  return lines
}
