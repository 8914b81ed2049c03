/**
 * What the benchmark reads besides timings: SQL statements from pg_stat_statements (per database
 * role, so each target's statements are its own and the benchmark's own, run as `postgres`, are
 * left out) and the peak resident memory of a server process from /proc.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import type pg from 'pg'

export interface StatementStat {
  query: string
  calls: number
  totalMs: number
  rows: number
}

export interface StatementSummary {
  /** Data statements (everything but the noise below) per request. */
  dataPerRequest: number
  /** BEGIN/COMMIT/ROLLBACK, SET/RESET/SHOW, set_config, DEALLOCATE/DISCARD, SELECT 1 pings, per request. */
  noisePerRequest: number
  /** Database execution time of the data statements per request (pg_stat_statements total_exec_time). */
  dbMsPerRequest: number
  requests: number
  statements: StatementStat[]
}

/**
 * Statements that move no data: transaction control, session settings, health pings. Reported
 * apart, so "statements per operation" means what the issue means by data statements.
 */
const NOISE = /^\s*(begin|commit|rollback|end|start\s+transaction|savepoint|release|set\s|reset\s|show\s|discard|deallocate|select\s+set_config\s*\(|select\s+(1|\$1)\s*;?\s*$)/i

export function isNoise(query: string): boolean {
  return NOISE.test(query)
}

export async function resetStatements(admin: pg.Client): Promise<void> {
  await admin.query('SELECT pg_stat_statements_reset()')
}

/**
 * The statements `roles` ran in `database` since the last reset (the view covers the whole
 * cluster). A target with authorization runs its requests' statements as the token's role after
 * BEGIN and set_config as its login role: it names both.
 */
export async function readStatements(admin: pg.Client, roles: string | readonly string[], database: string): Promise<StatementStat[]> {
  const { rows } = await admin.query<{ query: string; calls: string; total_ms: number; rows: string }>(
    `SELECT s.query, s.calls, s.total_exec_time AS total_ms, s.rows
       FROM pg_stat_statements AS s
       JOIN pg_roles AS r ON r.oid = s.userid
       JOIN pg_database AS d ON d.oid = s.dbid
      WHERE r.rolname = ANY($1::text[]) AND d.datname = $2
      ORDER BY s.calls DESC, s.query`,
    [typeof roles === 'string' ? [roles] : roles, database],
  )
  return rows.map((r) => ({ query: r.query, calls: Number(r.calls), totalMs: r.total_ms, rows: Number(r.rows) }))
}

export function summarize(statements: StatementStat[], requests: number): StatementSummary {
  let data = 0
  let noise = 0
  let dbMs = 0
  for (const s of statements) {
    if (isNoise(s.query)) noise += s.calls
    else {
      data += s.calls
      dbMs += s.totalMs
    }
  }
  const per = (n: number) => (requests > 0 ? n / requests : 0)
  return { dataPerRequest: per(data), noisePerRequest: per(noise), dbMsPerRequest: per(dbMs), requests, statements }
}

/**
 * Waits until no backend of `role` is running a statement: requests cut off when a load run ends
 * are still executing, and their statements must be counted (or waited out) before reading.
 */
export async function waitQuiet(admin: pg.Client, role: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await admin.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1 AND state <> 'idle' AND pid <> pg_backend_pid()`,
      [role],
    )
    if (Number(rows[0]?.n ?? 0) === 0 || Date.now() > deadline) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Peak resident set size (VmHWM) of a process in bytes, or null where /proc cannot say. */
export function peakRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
    return m ? Number(m[1]) * 1024 : null
  } catch {
    return null
  }
}

/** Current resident set size (VmRSS) in bytes, or null. */
export function currentRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return m ? Number(m[1]) * 1024 : null
  } catch {
    return null
  }
}

/**
 * Resets a process's peak RSS to its current RSS (writing 5 to /proc/<pid>/clear_refs, Linux 4.0+),
 * so the next peakRss() is the peak of what happened since. False where that is not allowed.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux, whatever the kernel's HZ). */
const TICKS_PER_SECOND = 100

/**
 * CPU time a process has used so far, user + system, in milliseconds (/proc/<pid>/stat fields 14
 * and 15), or null where /proc cannot say. Its threads are included (libuv's pool, V8's GC helpers).
 */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
  } catch {
    return null
  }
}

/** The CPU time of several processes together, in ms (those /proc cannot read count 0). */
export function processesCpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0)
}

/**
 * Waits until the given processes are idle together: under `maxPercent` of one core over a
 * `windowMs` window, or `timeoutMs` passed. A server that was just measured can go on working
 * after wrk stops (requests still queued, a full garbage collection); the next measurement must
 * not share the machine with it. Resolves to the CPU share of the last window.
 */
export async function waitProcessesIdle(pids: readonly number[], { maxPercent = 3, windowMs = 300, timeoutMs = 20_000 } = {}): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const before = processesCpuMs(pids)
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const percent = (100 * (processesCpuMs(pids) - before)) / windowMs
    if (percent < maxPercent || Date.now() > deadline) return percent
  }
}

/** The whole machine's CPU time so far (/proc/stat), busy and total, in ticks; null off Linux. */
export function machineCpu(): { busy: number; total: number } | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0)
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0)
    return { busy: total - idle, total }
  } catch {
    return null
  }
}
