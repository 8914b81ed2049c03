/**
 * Load generation with autocannon, in this process: a fixed number of keep-alive connections
 * (32), each sending the same POST as soon as its previous answer arrived.
 *
 * Warm-up and measurement are one continuous run: only responses that arrive after the warm-up
 * count. Two separate runs would restart all 32 connections at once, and on a slow operation
 * (2 s per request at 32 in flight) a short measurement would then see a single synchronised wave
 * of answers instead of the steady state.
 */
import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  body: string
  connections: number
  warmupSeconds: number
  durationSeconds: number
  /** When set, every response body must be exactly this (else it counts as a mismatch). */
  expectBody?: string
  /** Called when the warm-up ends, before responses count (e.g. to reset statement statistics). */
  onMeasureStart?: () => Promise<void> | void
}

export interface LoadResult {
  /** 2xx responses that arrived during the measurement. */
  requests: number
  durationSeconds: number
  requestsPerSecond: number
  latencyMs: { p50: number; p99: number; mean: number; max: number }
  /** Over the whole run, warm-up included: connection errors, timeouts, non-2xx, bodies unlike expectBody. */
  errors: number
  timeouts: number
  non2xx: number
  mismatches: number
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = []
    let measuring = false
    let measureStart = 0
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: options.body,
        connections: options.connections,
        pipelining: 1,
        duration: options.warmupSeconds + options.durationSeconds,
        // A slow target (seconds per nested request at 32 in flight) must not be cut off as a timeout.
        timeout: 120,
        ...(options.expectBody === undefined ? {} : { expectBody: options.expectBody }),
      },
      (error, result) => {
        clearTimeout(timer)
        if (error) return reject(error as Error)
        const seconds = measuring ? (performance.now() - measureStart) / 1000 : 0
        const sorted = latencies.sort((a, b) => a - b)
        resolve({
          requests: sorted.length,
          durationSeconds: seconds,
          requestsPerSecond: seconds > 0 ? sorted.length / seconds : 0,
          latencyMs: {
            p50: percentile(sorted, 0.5),
            p99: percentile(sorted, 0.99),
            mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : 0,
            max: sorted.at(-1) ?? 0,
          },
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          mismatches: result.mismatches,
        })
      },
    )
    // autocannon 8 emits (client, statusCode, bytes, responseTime); @types/autocannon omits the client.
    ;(instance as NodeJS.EventEmitter).on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (measuring && statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
    })
    const timer = setTimeout(() => {
      void Promise.resolve(options.onMeasureStart?.())
        .catch((error: unknown) => console.error(`measurement start: ${(error as Error).message}`))
        .finally(() => {
          measuring = true
          measureStart = performance.now()
        })
    }, options.warmupSeconds * 1000)
  })
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
export async function runSequential(options: { url: string; body: string; requests: number; warmup: number; expectBody?: string }): Promise<SequentialResult> {
  const times: number[] = []
  let mismatches = 0
  for (let i = 0; i < options.warmup + options.requests; i++) {
    const since = performance.now()
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
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
