/**
 * `npm run bench -- --live`: the live-query load (./live-load.ts) against Portico started as in
 * production (its benchmark target, its own process), on the benchmark's dataset in the private
 * cluster: 10,000 subscribers in 100 cohorts over 10 documents at the default 1 s interval
 * (--quick: 1,000 subscribers on the quick dataset; --duration sets the measured seconds).
 * Statements are counted by pg_stat_statements for Portico's role; CPU from /proc (server, and
 * PostgreSQL's postmaster with all its backends); the load clients run in two processes of their own.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { freePort, startCluster } from './cluster.ts'
import { loadDataset } from './dataset.ts'
import { formatLiveLoad, runLiveLoad } from './live-load.ts'
import type { BenchOptions } from './options.ts'
import type { Cleanup } from './run.ts'
import { TARGETS } from './targets/index.ts'
import { startTarget } from './targets/target.ts'

const DATABASE = 'portico_bench'

export async function runLiveBenchmark(options: BenchOptions, cleanup: Cleanup, log: (...lines: string[]) => void = (...lines) => lines.forEach((l) => console.log(l))): Promise<number> {
  const quick = options.mode !== 'full'
  const subscribers = quick ? 1_000 : 10_000
  log(`portico bench --live: ${subscribers.toLocaleString('en-US')} live-query subscribers, dataset ${options.scale.name}`)
  const cluster = await startCluster({ port: options.pgPort, log: (line) => log(`  ${line}`) })
  cleanup.add(() => cluster.stop())
  await loadDataset(cluster.adminUrl, DATABASE, options.scale)
  const admin = new pg.Client({ connectionString: cluster.adminUrl })
  await admin.connect()
  cleanup.add(() => admin.end())
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
  const sql = new pg.Client({ connectionString: cluster.url(DATABASE) })
  await sql.connect()
  cleanup.add(() => sql.end())
  const { rows } = await sql.query('SELECT pg_backend_pid() AS pid')
  const postgresPid = Number(readFileSync(`/proc/${rows[0].pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])

  const workDir = mkdtempSync(path.join(os.tmpdir(), 'portico-bench-live-'))
  cleanup.add(() => rmSync(workDir, { recursive: true, force: true }))
  const definition = TARGETS.portico
  const port = await freePort(55601)
  const target = startTarget(definition, { databaseUrl: cluster.url(DATABASE, definition.role), port, poolSize: options.poolSize, workDir })
  cleanup.add(() => target.stop())
  await target.ready()
  log(`  Portico ready on :${port} (pid ${target.pid})`)

  const pollStatements = async () => {
    const result = await admin.query(
      `SELECT coalesce(sum(s.calls), 0)::bigint AS n FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = $1 AND s.query LIKE '%live_c%'`,
      [definition.role],
    )
    return Number(result.rows[0].n)
  }
  const result = await runLiveLoad({
    url: `${target.baseUrl}/graphql`,
    sql,
    serverPid: target.pid,
    postgresPid,
    subscribers,
    documents: 10,
    cohortsPerDocument: 10,
    clientProcesses: 2,
    connectionsPerProcess: Math.ceil(subscribers / 2 / 100),
    intervalMs: 1_000,
    durationSeconds: Math.max(options.durationSeconds, 10),
    cycles: subscribers,
    pollStatements,
    role: definition.role,
    log,
  })
  log('', ...formatLiveLoad(result))
  const ok =
    result.errors === 0 &&
    result.statementsPerInterval <= result.documents * Math.ceil(result.cohorts / result.documents / 100) + 0.5 &&
    result.latencyMs.avg < 1_000 &&
    result.latencyMs.p99 <= result.intervalMs + 500 &&
    result.leak.listenAfter === result.leak.listenBefore
  log('', ok ? 'All of the issue\'s live-query criteria hold.' : 'Some of the issue\'s live-query criteria do NOT hold (see above).')
  return ok ? 0 : 1
}
