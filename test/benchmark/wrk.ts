/**
 * The load generator: wrk (Debian's `wrk` package), a C program in its own process, so the
 * harness never measures itself (autocannon in the harness's own Node process saturated before
 * the limit server did on light operations). ./wrk-post.lua sends the same POST every time and
 * prints what the harness reads.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wrk-post.lua')

const found = () => spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).stdout.trim()

/** wrk's path; installed with apt-get when missing and we are root, else a clear error. */
export function ensureWrk(log: (line: string) => void = console.log): string {
  let wrk = found()
  if (wrk) return wrk
  if (process.getuid?.() !== 0) throw new Error('wrk is not installed: `sudo apt-get install -y wrk` (the benchmark drives its load with it)')
  log('  installing wrk (apt-get install -y wrk)')
  execFileSync('apt-get', ['install', '-y', '-q', 'wrk'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  wrk = found()
  if (!wrk) throw new Error('apt-get install wrk did not install wrk')
  return wrk
}

export interface WrkOptions {
  url: string
  body: string
  headers?: Record<string, string>
  connections: number
  threads: number
  seconds: number
  /** A request slower than this counts as a timeout (nested at 32 in flight takes seconds). */
  timeoutSeconds?: number
}

export interface WrkResult {
  requests: number
  durationSeconds: number
  /** Socket errors (connect, read, write), non-2xx/3xx statuses and timeouts. */
  errors: number
  non2xx: number
  timeouts: number
  latencyMs: { p50: number; p99: number; mean: number; max: number }
}

let bodies = 0

export function runWrk(wrk: string, options: WrkOptions): Promise<WrkResult> {
  const bodyFile = path.join(os.tmpdir(), `portico-bench-body-${process.pid}-${bodies++}.json`)
  writeFileSync(bodyFile, options.body)
  const headers = Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n')
  const threads = Math.min(options.threads, options.connections)
  const args = ['-t', String(threads), '-c', String(options.connections), '-d', `${options.seconds}s`, '--timeout', `${options.timeoutSeconds ?? 120}s`, '-s', SCRIPT, options.url]
  return new Promise((resolve, reject) => {
    const child = spawn(wrk, args, { env: { ...process.env, WRK_BODY_FILE: bodyFile, WRK_HEADERS: headers }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      rmSync(bodyFile, { force: true })
      const line = /WRK_RESULT (\{.*\})/.exec(output)?.[1]
      if (code !== 0 || !line) return reject(new Error(`wrk exited ${code}: ${output.slice(-2000)}`))
      const r = JSON.parse(line) as Record<string, number>
      const ms = (us: number) => us / 1000
      resolve({
        requests: r.requests!,
        durationSeconds: r.durationUs! / 1e6,
        errors: r.connect! + r.read! + r.write! + r.status! + r.timeout!,
        non2xx: r.status!,
        timeouts: r.timeout!,
        latencyMs: { p50: ms(r.p50!), p99: ms(r.p99!), mean: ms(r.mean!), max: ms(r.max!) },
      })
    })
  })
}
