/**
 * `npm run bench`: issue 3's benchmark. In order: a private PostgreSQL cluster, the generated
 * dataset, the three servers (each its own process, same pool size), the data check, an exact
 * statement count per operation, then the timed runs (operation by operation, the targets one
 * after the other, each idle while another is measured), the tables and a JSON file.
 * Everything it started is stopped at the end, on an error and on Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { checkData, formatCheck } from './check.ts'
import { freePort, startCluster, type Cluster } from './cluster.ts'
import { loadDataset, rowCounts } from './dataset.ts'
import { runLoad, runSequential } from './load.ts'
import { ensureWrk } from './wrk.ts'
import { DESCRIPTIONS, operationParams, SEQUENTIAL_OPERATIONS, type OperationName } from './operations.ts'
import { parseOptions, USAGE, type BenchOptions } from './options.ts'
import { formatReport, ratios, writeResults, type BenchResults, type Measurement } from './report.ts'
import { currentRss, peakRss, readStatements, resetPeakRss, resetStatements, summarize, waitProcessesIdle, waitQuiet } from './stats.ts'
import { TARGET_ORDER, TARGETS } from './targets/index.ts'
import { repoRoot } from './targets/portico.ts'
import { startTarget, unsupportedReason, type LaunchOptions, type RunningTarget, type TargetDefinition, type TargetName } from './targets/target.ts'

const DATABASE = 'portico_bench'

/** Things to undo, last first; run once, whether the benchmark ends, fails or is interrupted. */
export class Cleanup {
  private steps: (() => Promise<void> | void)[] = []
  private done: Promise<void> | undefined
  add(step: () => Promise<void> | void): void {
    this.steps.push(step)
  }
  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of this.steps.reverse()) await Promise.resolve().then(step).catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`))
    })()
    return this.done
  }
}

const seconds = (since: number) => (performance.now() - since) / 1000
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1))

/**
 * Starts a target and waits until it is ready; its stop() is registered before the wait, so a
 * failure meanwhile leaves nothing running. On the shared development machine a starting Portico
 * was twice killed by a SIGTERM the benchmark did not send (presumably another session cleaning up
 * by process name); a server killed by a signal before it was ready is started once more, saying so.
 */
async function launchTarget(definition: TargetDefinition, launch: LaunchOptions, cleanup: Cleanup, log: (...lines: string[]) => void): Promise<RunningTarget> {
  for (let attempt = 1; ; attempt++) {
    const target = startTarget(definition, launch)
    cleanup.add(() => target.stop())
    try {
      await target.ready()
      return target
    } catch (error) {
      const signal = target.exitStatus()?.signal
      if (attempt >= 2 || !signal) throw error
      log(`  ${definition.label} (pid ${target.pid}) was killed by ${signal} from outside the benchmark before it was ready; starting it again`)
    }
  }
}

/** Runs the benchmark; resolves to the process exit code: 0, or 1 when the data check failed (without --skip-check) or a server exited. */
export async function runBenchmark(options: BenchOptions, cleanup: Cleanup, log: (...lines: string[]) => void = (...lines) => lines.forEach((l) => console.log(l))): Promise<number> {
  const started = performance.now()
  const startedAt = new Date()
  const loadAverageAtStart = os.loadavg()
  log(`portico bench: ${options.mode} mode, targets ${options.targets.join(', ')}, operations ${options.operations.join(', ')}`)
  log(`  ${options.connections} connections, pool of ${options.poolSize} per server` + (options.mode === 'smoke' ? ', no timing' : `, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s per measurement`))

  // The load generator, before anything long: a missing wrk should fail at once.
  const wrk = options.mode === 'smoke' ? undefined : ensureWrk((line) => log(line))

  // 1. The private cluster and the dataset.
  const cluster: Cluster = await startCluster({ port: options.pgPort, log: (line) => log(`  ${line}`) })
  cleanup.add(() => cluster.stop())
  const t = performance.now()
  await loadDataset(cluster.adminUrl, DATABASE, options.scale)
  const loadSeconds = seconds(t)
  const rows = rowCounts(options.scale)
  log(`  dataset ${options.scale.name}: ${Object.entries(rows).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')} (${loadSeconds.toFixed(1)} s)`)

  // The benchmark's own connection, as `postgres`, to the `postgres` database: its statements are
  // no target's, and pg_stat_statements lives there, not in the served database, where the
  // GraphQL servers would expose its views as tables.
  const admin = new pg.Client({ connectionString: cluster.adminUrl })
  admin.on('error', () => {})
  await admin.connect()
  cleanup.add(() => admin.end())
  const postgresVersion = (await admin.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? 'unknown'
  await admin.query('CREATE EXTENSION pg_stat_statements')

  // 2. The servers, started together (Portico introspects and generates its client meanwhile).
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'portico-bench-run-'))
  cleanup.add(() => rmSync(workDir, { recursive: true, force: true }))
  const running = new Map<TargetName, RunningTarget>()
  const startup: BenchResults['targets'] = {}
  let nextPort = 55601
  const launches: Promise<void>[] = []
  for (const name of TARGET_ORDER.filter((n) => options.targets.includes(n))) {
    const definition = TARGETS[name]
    const port = await freePort(nextPort)
    nextPort = port + 1
    const since = performance.now()
    launches.push(
      launchTarget(definition, { databaseUrl: cluster.url(DATABASE, definition.role), port, poolSize: options.poolSize, workDir }, cleanup, log).then((target) => {
        running.set(name, target)
        startup[name] = { label: definition.label, role: definition.role, pid: target.pid, startupSeconds: seconds(since), startupPeakRssBytes: peakRss(target.pid) }
        log(`  ${definition.label} ready on :${port} (pid ${target.pid}, ${seconds(since).toFixed(1)} s)`)
      }),
    )
  }
  await Promise.all(launches)
  // Idle RSS: each server once it answers, after a second with nothing to do (before any load).
  await new Promise((resolve) => setTimeout(resolve, 1_000))
  for (const [name, target] of running) startup[name]!.idleRssBytes = currentRss(target.pid)
  const targets = TARGET_ORDER.flatMap((name) => (running.has(name) ? [running.get(name)!] : []))
  const labels = Object.fromEntries(TARGET_ORDER.map((n) => [n, TARGETS[n].label])) as Record<TargetName, string>

  // 3. The data check, before anything is timed.
  const params = operationParams(options.scale)
  log('', 'Data check (canonical answers compared with the limit server\'s):')
  const check = await checkData(targets, options.operations, params)
  for (const line of formatCheck(check, labels)) log(line)
  const checkPassed = check.every((e) => e.status === 'ok' || e.status === 'reference' || e.status === 'skipped')
  if (!checkPassed) {
    const failed = check.filter((e) => e.status === 'differs' || e.status === 'error').map((e) => `${labels[e.target]} ${e.operation}`)
    if (!options.skipCheck) {
      log('', `Data check FAILED (${failed.join(', ')}): nothing timed. --skip-check runs the measurements anyway.`)
      return 1
    }
    log('', `Data check failed (${failed.join(', ')}); going on (--skip-check): those rows are marked in the tables.`)
  }
  const verdict = (target: TargetName, operation: OperationName) => check.find((e) => e.target === target && e.operation === operation)?.status ?? 'error'

  // 4. Exact statement counts: a few sequential requests, nothing else running.
  const measurements: Measurement[] = []
  for (const operation of options.operations) {
    for (const target of targets) {
      const { definition } = target
      // A target that cannot do the operation is not sent it: no measurement, "n/a" in its table.
      if (unsupportedReason(definition, operation)) continue
      const request = definition.request(operation, params[operation])
      await waitQuiet(admin, definition.role)
      await resetStatements(admin)
      for (let i = 0; i < options.countRequests; i++) {
        await fetch(target.baseUrl + request.path, { method: 'POST', headers: { 'content-type': 'application/json', ...request.headers }, body: request.body }).then((r) => r.arrayBuffer())
      }
      await waitQuiet(admin, definition.role)
      const summary = summarize(await readStatements(admin, definition.statementRoles ?? definition.role, DATABASE), options.countRequests)
      measurements.push({
        target: definition.name,
        operation,
        statements: {
          ...summary,
          statements: summary.statements.map((s) => ({ query: s.query, calls: s.calls, meanMs: s.calls ? s.totalMs / s.calls : 0 })),
        },
        peakRssBytes: null,
        check: verdict(definition.name, operation),
      })
    }
  }

  // 5. The timed runs: per operation, each target in turn, with its own warm-up.
  const serverDied: string[] = []
  if (options.mode !== 'smoke') {
    log('', `Measurements (wrk, ${options.threads} thread(s); server CPU from /proc/<pid>/stat):`)
    for (const operation of options.operations) {
      for (const target of targets) {
        const { definition } = target
        if (target.exitStatus() || unsupportedReason(definition, operation)) continue
        const request = definition.request(operation, params[operation])
        const body = check.find((e) => e.target === definition.name && e.operation === operation)?.body
        const url = target.baseUrl + request.path
        const m = measurements.find((x) => x.target === definition.name && x.operation === operation)!
        if (SEQUENTIAL_OPERATIONS.includes(operation)) {
          // One request at a time, nothing else running: a single request's latency, and its
          // database time from pg_stat_statements (reset after a few untimed requests).
          const sequential = { url, body: request.body, headers: request.headers, ...(body === undefined ? {} : { expectBody: body }) }
          await waitQuiet(admin, definition.role)
          await runSequential({ ...sequential, requests: 0, warmup: 3 })
          await resetStatements(admin)
          const single = await runSequential({ ...sequential, requests: options.sequentialRequests, warmup: 0 })
          await waitQuiet(admin, definition.role)
          const db = summarize(await readStatements(admin, definition.statementRoles ?? definition.role, DATABASE), single.requests)
          m.sequential = { ...single, dataPerRequest: db.dataPerRequest, dbMsPerRequest: db.dbMsPerRequest }
          const l = single.latencyMs
          log(
            `  ${operation.padEnd(7)} ${definition.label.padEnd(13)} one at a time: mean ${ms(l.mean)} ms  p50 ${ms(l.p50)}  min ${ms(l.min)}  max ${ms(l.max)} ms` +
              `  (${single.requests} requests; DB ${ms(db.dbMsPerRequest)} ms in ${db.dataPerRequest} statement(s) per request)` +
              (single.mismatches ? `  (${single.mismatches} different bodies or errors)` : ''),
          )
        }
        // Every server idle first, in the database and on the CPU: the one measured before may
        // still be finishing its queued requests.
        const others = targets.filter((t) => t !== target && !t.exitStatus()).map((t) => t.pid)
        for (const t of targets) await waitQuiet(admin, t.definition.role)
        await waitProcessesIdle([target.pid, ...others])
        const peakResettable = resetPeakRss(target.pid)
        const load = await runLoad({
          wrk: wrk!,
          url,
          body: request.body,
          headers: request.headers,
          pid: target.pid,
          otherPids: others,
          connections: options.connections,
          threads: options.threads,
          warmupSeconds: options.warmupSeconds,
          durationSeconds: options.durationSeconds,
          ...(body === undefined ? {} : { expectBody: body }),
          onMeasureStart: () => resetStatements(admin),
        })
        // Read at once: requests cut off at the end have statements still running (not yet
        // counted), as requests under way at the start had statements before the reset.
        const { statements: _, ...underLoad } = summarize(await readStatements(admin, definition.statementRoles ?? definition.role, DATABASE), load.requests)
        await waitQuiet(admin, definition.role)
        const exit = target.exitStatus()
        if (exit) {
          // A server that dies under load is a result in itself; what follows it would be noise.
          log(`  ${definition.label} (pid ${target.pid}) EXITED during ${operation} (${exit.code ?? exit.signal}); its last output:`, target.output().trim().split('\n').slice(-15).join('\n'))
          serverDied.push(`${definition.label} during ${operation} (${exit.code ?? exit.signal})`)
        }
        m.load = load
        m.statementsUnderLoad = underLoad
        m.peakRssBytes = peakResettable ? peakRss(target.pid) : null
        const problems = load.errors + load.non2xx + load.mismatches
        log(
          `  ${operation.padEnd(7)} ${definition.label.padEnd(13)} ${load.requestsPerSecond.toFixed(1).padStart(8)} req/s  CPU ${load.serverCpuMsPerRequest?.toFixed(3) ?? 'n/a'} ms/req` +
            ` (${load.serverCpuPercent?.toFixed(0) ?? '?'}% of a core; machine ${load.machineBusyPercent?.toFixed(0) ?? '?'}% busy, other servers ${load.othersCpuPercent.toFixed(1)}%)` +
            `  p50 ${load.latencyMs.p50.toFixed(1)} ms  p99 ${load.latencyMs.p99.toFixed(1)} ms  ${load.sampled} checked` +
            (problems ? `  (${load.errors} errors, ${load.non2xx} non-2xx, ${load.mismatches} different bodies)` : ''),
        )
      }
    }
  }

  // 6. Report.
  const results: BenchResults = {
    version: 1,
    mode: options.mode,
    startedAt: startedAt.toISOString(),
    wallSeconds: seconds(started),
    settings: {
      connections: options.connections,
      threads: options.threads,
      poolSize: options.poolSize,
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
      countRequests: options.countRequests,
      sequentialRequests: options.sequentialRequests,
      skipCheck: options.skipCheck,
    },
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: postgresVersion,
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg(),
    },
    dataset: { scale: options.scale.name, rows, loadSeconds },
    clusterPort: cluster.port,
    targets: startup,
    check: check.map(({ body: _, ...entry }) => entry),
    checkPassed,
    serverDied,
    measurements,
    ratios: ratios(measurements),
  }
  for (const line of formatReport(results, options.operations, TARGET_ORDER.filter((n) => options.targets.includes(n)))) log(line)
  log('', 'Operations:', ...options.operations.map((o) => `  ${o.padEnd(7)} ${DESCRIPTIONS[o]}`))
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
  const file = writeResults(results, options.out ?? path.join(repoRoot, '.portico', 'bench', `results-${options.mode}-${stamp}.json`))
  log('', `Results: ${file}`, `Wall time: ${seconds(started).toFixed(0)} s`)
  if (serverDied.length) {
    log('', `A server exited before the end: ${serverDied.join(', ')}; its later measurements are missing.`)
    return 1
  }
  return 0
}

async function main(): Promise<void> {
  let options: BenchOptions | null
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (!options) {
    console.log(USAGE)
    return
  }
  const cleanup = new Cleanup()
  const interrupted = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the servers and the private cluster...`)
    void cleanup.run().finally(() => process.exit(130))
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  let code = 1
  try {
    code = options.live ? await (await import('./live-run.ts')).runLiveBenchmark(options, cleanup) : await runBenchmark(options, cleanup)
  } catch (error) {
    console.error(`\nbenchmark failed: ${(error as Error).stack ?? error}`)
  } finally {
    await cleanup.run()
  }
  process.exit(code)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
