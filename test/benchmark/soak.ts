/**
 * `npm run soak` (not in CI): Portico under steady load for a long time, to show it neither leaks
 * nor degrades. On the benchmark's private cluster and dataset, Portico started as the benchmark
 * starts it, a mix of the benchmark's operations (each connection sends them in turn): a warm-up,
 * a calibration run at full speed, then `--duration` (5 minutes) at 80% of the calibrated rate
 * (or `--rate`). Prints the requests, errors (expected: 0), p50/p99 latency, the server's RSS at
 * the start, middle and end, and the same per window, so a leak (RSS climbing) or a slowdown
 * (p99 climbing) shows. Exits 1 on any error or if the server died.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { freePort, startCluster } from './cluster.ts'
import { loadDataset, SCALES } from './dataset.ts'
import { OPERATION_NAMES, operationParams, type OperationName } from './operations.ts'
import { Cleanup } from './run.ts'
import { currentRss, peakRss, resetPeakRss } from './stats.ts'
import { runMix, rssAt, rssRange, summarizeWindow, type MixRequest } from './soak-load.ts'
import { fetchText } from './check.ts'
import { portico } from './targets/portico.ts'
import { startTarget } from './targets/target.ts'

const DATABASE = 'portico_soak'

const USAGE = `Usage: npm run soak -- [options]

Portico under a steady load of the benchmark's operations, on the benchmark's dataset in a private
PostgreSQL cluster: warm-up, calibration at full speed, then the soak at a share of that rate.

  --duration S        seconds of soak (300)
  --rate N            requests per second for the soak (skips the calibration)
  --share F           the soak's share of the calibrated rate (0.8)
  --calibration S     seconds of the calibration run (15)
  --warmup S          seconds of warm-up at full speed before it (5)
  --windows N         windows the soak is reported in (5)
  --quick             the benchmark's quick dataset (a tenth), for a fast try
  --operations a,b    the mix, a subset of ${OPERATION_NAMES.join(',')}
  --connections N     concurrent HTTP connections (32)
  --pool-size N       Portico's database connections (10)
  --pg-port N         first port to try for the private cluster (55433)
  -h, --help          this text`

interface SoakOptions {
  durationSeconds: number
  rate?: number
  share: number
  calibrationSeconds: number
  warmupSeconds: number
  windows: number
  quick: boolean
  operations: OperationName[]
  connections: number
  poolSize: number
  pgPort: number
}

function parseOptions(argv: string[]): SoakOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      rate: { type: 'string' },
      share: { type: 'string' },
      calibration: { type: 'string' },
      warmup: { type: 'string' },
      windows: { type: 'string' },
      quick: { type: 'boolean', default: false },
      operations: { type: 'string' },
      connections: { type: 'string' },
      'pool-size': { type: 'string' },
      'pg-port': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  })
  if (values.help) return null
  const positive = (value: string | undefined, fallback: number, what: string) => {
    if (value === undefined) return fallback
    const n = Number(value)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a positive number: ${value}`)
    return n
  }
  const operations = values.operations === undefined ? [...OPERATION_NAMES] : values.operations.split(',').map((s) => s.trim())
  for (const o of operations) if (!OPERATION_NAMES.includes(o as OperationName)) throw new Error(`unknown operation "${o}" (one of ${OPERATION_NAMES.join(', ')})`)
  const share = positive(values.share, 0.8, '--share')
  if (share > 1) throw new Error(`--share is a fraction of the calibrated rate, at most 1: ${share}`)
  return {
    durationSeconds: positive(values.duration, 300, '--duration'),
    ...(values.rate === undefined ? {} : { rate: positive(values.rate, 0, '--rate') }),
    share,
    calibrationSeconds: positive(values.calibration, 15, '--calibration'),
    warmupSeconds: positive(values.warmup, 5, '--warmup'),
    windows: Math.round(positive(values.windows, 5, '--windows')),
    quick: values.quick ?? false,
    operations: operations as OperationName[],
    connections: Math.round(positive(values.connections, 32, '--connections')),
    poolSize: Math.round(positive(values['pool-size'], 10, '--pool-size')),
    pgPort: Math.round(positive(values['pg-port'], 55433, '--pg-port')),
  }
}

const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MB`)
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1))

async function runSoak(options: SoakOptions, cleanup: Cleanup, log: (...lines: string[]) => void): Promise<number> {
  const scale = SCALES[options.quick ? 'quick' : 'full']
  log(`portico soak: ${scale.name} dataset, mix ${options.operations.join(', ')}, ${options.connections} connections, pool of ${options.poolSize}`)
  log(`  machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)

  // The benchmark's machinery: a private cluster, its dataset, Portico launched as it launches it.
  const cluster = await startCluster({ port: options.pgPort, log: (line) => log(`  ${line}`) })
  cleanup.add(() => cluster.stop())
  const loading = performance.now()
  await loadDataset(cluster.adminUrl, DATABASE, scale, [portico.role])
  log(`  dataset ${scale.name} loaded (${((performance.now() - loading) / 1000).toFixed(1)} s)`)
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'portico-soak-'))
  cleanup.add(() => rmSync(workDir, { recursive: true, force: true }))
  const target = startTarget(portico, { databaseUrl: cluster.url(DATABASE, portico.role), port: await freePort(55601), poolSize: options.poolSize, workDir })
  cleanup.add(() => target.stop())
  await target.ready()
  log(`  Portico ready on ${target.baseUrl} (pid ${target.pid}, RSS ${mb(currentRss(target.pid))})`)

  // Every operation answered once, without errors: the load then expects exactly these bodies.
  const params = operationParams(scale)
  const requests: MixRequest[] = []
  const expectBodies = new Set<string>()
  for (const operation of options.operations) {
    const request = portico.request(operation, params[operation])
    const body = await fetchText(target, request.path, request.body)
    portico.canonical(operation, JSON.parse(body))
    requests.push(request)
    expectBodies.add(body)
  }
  const mix = { baseUrl: target.baseUrl, requests, expectBodies, connections: options.connections, pid: target.pid, sampleSeconds: 5 }

  // Warm-up, then (without --rate) the calibration: the mix at full speed.
  let rate = options.rate
  const calibration = await runMix({ ...mix, seconds: options.warmupSeconds + (rate === undefined ? options.calibrationSeconds : 0) })
  const calibrationProblems = calibration.errors + calibration.timeouts + calibration.non2xx + calibration.mismatches
  if (rate === undefined) {
    const measured = summarizeWindow(calibration.responses, options.warmupSeconds, calibration.seconds)
    rate = Math.max(1, Math.round(measured.requestsPerSecond * options.share * 10) / 10)
    log(`  calibration: ${measured.requestsPerSecond.toFixed(1)} req/s at full speed over ${options.calibrationSeconds} s (p50 ${ms(measured.p50)} ms, p99 ${ms(measured.p99)} ms); soak at ${Math.round(options.share * 100)}%: ${rate} req/s`)
  } else {
    log(`  warm-up done; soak at ${rate} req/s (--rate)`)
  }
  if (calibrationProblems) log(`  warm-up/calibration had ${calibrationProblems} errors (${calibration.errors} connection, ${calibration.timeouts} timeouts, ${calibration.non2xx} non-2xx, ${calibration.mismatches} different bodies)`)

  // The soak.
  log(`  soaking for ${options.durationSeconds} s...`)
  const peakResettable = resetPeakRss(target.pid)
  const sampleSeconds = Math.min(5, options.durationSeconds / 10)
  const soak = await runMix({ ...mix, seconds: options.durationSeconds, rate, sampleSeconds })
  const all = summarizeWindow(soak.responses, 0, Infinity)
  const errors = soak.errors + soak.timeouts + soak.non2xx + soak.mismatches
  const exit = target.exitStatus()
  const [start, middle, end] = [rssAt(soak.rss, 0), rssAt(soak.rss, soak.seconds / 2), rssAt(soak.rss, soak.seconds)]

  log(
    '',
    `Soak: ${options.durationSeconds} s at ${rate} req/s, mix ${options.operations.join(', ')}`,
    `  requests  ${all.requests.toLocaleString('en-US')} (${(all.requests / soak.seconds).toFixed(1)} req/s achieved)`,
    `  errors    ${errors} (${soak.errors} connection errors, ${soak.timeouts} timeouts, ${soak.non2xx} non-2xx, ${soak.mismatches} different bodies)`,
    `  latency   p50 ${ms(all.p50)} ms, p99 ${ms(all.p99)} ms`,
    `  RSS       start ${mb(start)}, middle ${mb(middle)}, end ${mb(end)} (peak ${peakResettable ? 'during the soak' : 'since the server started'} ${mb(peakRss(target.pid))})`,
    `  machine   load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs, shared with the load generator)`,
    '',
    `  window         requests   req/s    p50 ms   p99 ms   RSS at end   RSS min-max (sampled every ${sampleSeconds} s)`,
  )
  const width = soak.seconds / options.windows
  for (let w = 0; w < options.windows; w++) {
    const from = w * width
    const to = (w + 1) * width
    // The last window also takes the responses that arrived as the run was ending.
    const s = summarizeWindow(soak.responses, from, w === options.windows - 1 ? Infinity : to)
    const label = `${from.toFixed(0)}-${to.toFixed(0)} s`
    const range = rssRange(soak.rss, from, to)
    log(`  ${label.padEnd(13)} ${String(s.requests).padStart(9)} ${(s.requests / width).toFixed(1).padStart(7)} ${ms(s.p50).padStart(9)} ${ms(s.p99).padStart(8)}   ${mb(rssAt(soak.rss, to)).padStart(10)}   ${range ? `${mb(range.min)} - ${mb(range.max)}` : 'n/a'}`)
  }
  if (exit) {
    log('', `Portico (pid ${target.pid}) EXITED during the soak (${exit.code ?? exit.signal}); its last output:`, target.output().trim().split('\n').slice(-15).join('\n'))
    return 1
  }
  return errors > 0 ? 1 : 0
}

async function main(): Promise<void> {
  let options: SoakOptions | null
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
    console.error(`\n${signal}: stopping Portico and the private cluster...`)
    void cleanup.run().finally(() => process.exit(130))
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  let code = 1
  try {
    code = await runSoak(options, cleanup, (...lines) => lines.forEach((l) => console.log(l)))
  } catch (error) {
    console.error(`\nsoak failed: ${(error as Error).stack ?? error}`)
  } finally {
    await cleanup.run()
  }
  process.exit(code)
}

await main()
