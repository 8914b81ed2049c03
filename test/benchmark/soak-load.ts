/**
 * The soak's load: autocannon cycling through a mix of requests on keep-alive connections, at full
 * speed (warm-up, calibration) or capped at an overall rate (the soak), with every response
 * time-stamped so a long run can be cut into windows; the server's RSS sampled from /proc meanwhile.
 */
import autocannon from 'autocannon'
import { currentRss } from './stats.ts'

export interface MixRequest {
  path: string
  body: string
}

export interface MixOptions {
  baseUrl: string
  /** Each connection sends these in turn, over and over. */
  requests: MixRequest[]
  /** Every response body must be one of these (else it counts as a mismatch). */
  expectBodies: ReadonlySet<string>
  connections: number
  seconds: number
  /** Requests per second over all connections; none: as fast as the server answers. */
  rate?: number
  /** The server process, whose RSS is sampled every `sampleSeconds` (and at the start and the end). */
  pid: number
  sampleSeconds: number
}

export interface TimedResponse {
  /** Seconds since the run started, when the response arrived. */
  at: number
  /** Client-measured: request sent to last byte read. */
  ms: number
}

export interface MixResult {
  /** 2xx responses. */
  responses: TimedResponse[]
  seconds: number
  errors: number
  timeouts: number
  non2xx: number
  mismatches: number
  rss: { at: number; bytes: number | null }[]
}

export function runMix(options: MixOptions): Promise<MixResult> {
  return new Promise((resolve, reject) => {
    const responses: TimedResponse[] = []
    const rss: MixResult['rss'] = []
    const start = performance.now()
    const now = () => (performance.now() - start) / 1000
    const sample = () => rss.push({ at: now(), bytes: currentRss(options.pid) })
    sample()
    const sampler = setInterval(sample, options.sampleSeconds * 1000)
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        pipelining: 1,
        duration: options.seconds,
        ...(options.rate === undefined ? {} : { overallRate: options.rate }),
        // A slow operation queued behind others must not be cut off as a timeout.
        timeout: 120,
        requests: options.requests.map((r) => ({ method: 'POST' as const, path: r.path, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: r.body })),
        verifyBody: (body) => typeof body === 'string' && options.expectBodies.has(body),
      },
      (error, result) => {
        clearInterval(sampler)
        sample()
        if (error) return reject(error as Error)
        resolve({ responses, seconds: now(), errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, mismatches: result.mismatches, rss })
      },
    )
    // autocannon 8 emits (client, statusCode, bytes, responseTime); @types/autocannon omits the client.
    ;(instance as NodeJS.EventEmitter).on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) responses.push({ at: now(), ms: responseTime })
    })
  })
}

export interface WindowSummary {
  requests: number
  requestsPerSecond: number
  p50: number
  p99: number
}

/** Responses that arrived in [from, to) seconds: their count, rate and latency percentiles. */
export function summarizeWindow(responses: readonly TimedResponse[], from: number, to: number): WindowSummary {
  const sorted = responses.filter((r) => r.at >= from && r.at < to).map((r) => r.ms).sort((a, b) => a - b)
  const percentile = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]! : 0)
  return { requests: sorted.length, requestsPerSecond: to > from ? sorted.length / (to - from) : 0, p50: percentile(0.5), p99: percentile(0.99) }
}

/** The lowest and highest RSS sampled in [from, to] seconds: a leak raises the lowest (what is left after GC). */
export function rssRange(samples: MixResult['rss'], from: number, to: number): { min: number; max: number } | null {
  const bytes = samples.filter((s) => s.at >= from && s.at <= to && s.bytes !== null).map((s) => s.bytes!)
  return bytes.length ? { min: Math.min(...bytes), max: Math.max(...bytes) } : null
}

/** The RSS sample nearest to `at` seconds. */
export function rssAt(samples: MixResult['rss'], at: number): number | null {
  let best = samples[0]
  for (const s of samples) if (best === undefined || Math.abs(s.at - at) < Math.abs(best.at - at)) best = s
  return best?.bytes ?? null
}
