/**
 * Load generation with wrk (./wrk.ts), a C program in its own process: a fixed number of
 * keep-alive connections (32), each sending the same POST as soon as its previous answer arrived.
 * The load generator must not be the bottleneck: autocannon, in the harness's own Node process,
 * saturated before the limit server did on light operations.
 *
 * A warm-up run, then the measured run. Every target's answer to every operation was checked
 * before any timing (./check.ts); while timing, wrk counts non-2xx answers and the harness checks
 * a sample, one request every SAMPLE_EVERY_MS, byte for byte against the checked answer.
 * The server's CPU time (utime + stime from /proc/<pid>/stat) over the measured run, divided by
 * the requests, is its CPU per request: robust to other load on the machine, unlike req/s.
 */
import { machineCpu, processCpuMs, processesCpuMs } from './stats.ts'
import { runWrk } from './wrk.ts'

const SAMPLE_EVERY_MS = 250

export interface LoadOptions {
  /** wrk's path (ensureWrk()). */
  wrk: string
  url: string
  body: string
  headers?: Record<string, string>
  connections: number
  /** wrk threads (1 is enough for tens of thousands of requests per second, and leaves the servers a core). */
  threads: number
  warmupSeconds: number
  durationSeconds: number
  /** The server's process, whose CPU time is read. */
  pid: number
  /** The other servers' processes, idle meanwhile: their CPU over the run is reported, to show they were. */
  otherPids?: readonly number[]
  /** When set, every sampled response body must be exactly this (else it counts as a mismatch). */
  expectBody?: string
  /** Called when the warm-up ends, before the measured run (e.g. to reset statement statistics). */
  onMeasureStart?: () => Promise<void> | void
}

export interface LoadResult {
  /** Responses that arrived during the measured run (wrk's, plus the sampled ones). */
  requests: number
  durationSeconds: number
  requestsPerSecond: number
  latencyMs: { p50: number; p99: number; mean: number; max: number }
  /** The server's CPU time (user + system, all its threads) per request, in ms; null where /proc cannot say. */
  serverCpuMsPerRequest: number | null
  /** The server's CPU time over the run, as a share of one core (100 = one core busy all the time). */
  serverCpuPercent: number | null
  /** The whole machine's busy share over the run (100 = every core busy): near 100, nothing is left to gain. */
  machineBusyPercent: number | null
  /** The other servers' CPU over the run, as a share of one core: near 0 when they left the machine to this one. */
  othersCpuPercent: number
  /** Responses checked byte for byte during the measured run. */
  sampled: number
  /** Over the warm-up and the measured run: socket errors, timeouts, non-2xx, sampled bodies unlike expectBody. */
  errors: number
  timeouts: number
  non2xx: number
  mismatches: number
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const wrk = (seconds: number) =>
    runWrk(options.wrk, { url: options.url, body: options.body, headers: options.headers, connections: options.connections, threads: options.threads, seconds })
  const warmup = await wrk(options.warmupSeconds)
  await options.onMeasureStart?.()
  let sampling = true
  let sampled = 0
  let mismatches = 0
  const sampler = (async () => {
    while (sampling) {
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS))
      if (!sampling) break
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
        body: options.body,
        signal: AbortSignal.timeout(120_000),
      }).catch(() => null)
      const text = response ? await response.text().catch(() => null) : null
      sampled++
      if (response?.status !== 200 || (options.expectBody !== undefined && text !== options.expectBody)) mismatches++
    }
  })()
  const cpuBefore = processCpuMs(options.pid)
  const othersBefore = processesCpuMs(options.otherPids ?? [])
  const machineBefore = machineCpu()
  const since = performance.now()
  const run = await wrk(options.durationSeconds).finally(() => (sampling = false))
  const wall = performance.now() - since
  const cpuAfter = processCpuMs(options.pid)
  const othersAfter = processesCpuMs(options.otherPids ?? [])
  const machineAfter = machineCpu()
  await sampler
  const requests = run.requests + sampled
  const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore
  return {
    requests,
    durationSeconds: run.durationSeconds,
    requestsPerSecond: run.requests / run.durationSeconds,
    latencyMs: run.latencyMs,
    serverCpuMsPerRequest: cpu === null || requests === 0 ? null : cpu / requests,
    serverCpuPercent: cpu === null ? null : (100 * cpu) / wall,
    machineBusyPercent:
      machineBefore && machineAfter && machineAfter.total > machineBefore.total
        ? (100 * (machineAfter.busy - machineBefore.busy)) / (machineAfter.total - machineBefore.total)
        : null,
    othersCpuPercent: (100 * (othersAfter - othersBefore)) / wall,
    sampled,
    errors: warmup.errors + run.errors,
    timeouts: warmup.timeouts + run.timeouts,
    non2xx: warmup.non2xx + run.non2xx,
    mismatches,
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
}

export interface SequentialResult {
  /** Timed requests (after the untimed warm-up ones). */
  requests: number
  /** Client-measured, one request at a time over 127.0.0.1: request sent to last byte read. */
  latencyMs: { mean: number; p50: number; min: number; max: number }
  /** Responses unlike expectBody (or not 200). */
  mismatches: number
}

/**
 * One request at a time, no concurrency: what a single request costs when nothing else runs
 * (the server's work plus a loopback round trip). `warmup` untimed requests first.
 */
export async function runSequential(options: { url: string; body: string; headers?: Record<string, string>; requests: number; warmup: number; expectBody?: string }): Promise<SequentialResult> {
  const times: number[] = []
  let mismatches = 0
  for (let i = 0; i < options.warmup + options.requests; i++) {
    const since = performance.now()
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: options.body,
      signal: AbortSignal.timeout(120_000),
    })
    const text = await response.text()
    const elapsed = performance.now() - since
    if (response.status !== 200 || (options.expectBody !== undefined && text !== options.expectBody)) mismatches++
    if (i >= options.warmup) times.push(elapsed)
  }
  const sorted = times.sort((a, b) => a - b)
  return {
    requests: sorted.length,
    latencyMs: {
      mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
      p50: percentile(sorted, 0.5),
      min: sorted[0] ?? 0,
      max: sorted.at(-1) ?? 0,
    },
    mismatches,
  }
}
