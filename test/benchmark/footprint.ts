/**
 * A server's footprint: how long from spawning it to its first answer, and how much memory it
 * holds once it answers (idle). `npm run bench` reports both for every target; run alone, it
 * measures Portico on a database:
 *
 *     node --import tsx test/benchmark/footprint.ts postgres://postgres@127.0.0.1/db [schemas]
 *
 * RSS is read from /proc/<pid>/status (VmRSS now, VmHWM the peak so far), so this is Linux only.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export interface FootprintOptions {
  /** The request that must succeed (HTTP 200, a body without `errors`); default `{ __typename }`. */
  body?: string
  cwd?: string
  /** Give up after this long (default 120 s). */
  timeoutMs?: number
  /** How long to wait after the first answer before reading RSS, so start-up garbage can go (default 1 s). */
  settleMs?: number
}

export interface Footprint {
  /** From spawn to the first successful answer at `url`. */
  startupMs: number
  /** VmRSS after the first answer and `settleMs` of idling. */
  idleRssMb: number
  /** VmHWM at that moment: the most the process held during start-up. */
  startupPeakRssMb: number
  /**
   * CPU time (user + system, children it waited for included) spent up to the first answer: unlike
   * startupMs, it hardly depends on what else the machine is running.
   */
  startupCpuMs: number
}

/**
 * Spawns `command args` with `env` (added to this process's environment), POSTs `options.body`
 * to `url` every 25 ms until it answers, reads its memory, then stops it (SIGTERM, SIGKILL after
 * 10 s). Fails with the server's output if it exits or times out first.
 */
export async function measureFootprint(command: string, args: string[], env: Record<string, string>, url: string, options: FootprintOptions = {}): Promise<Footprint> {
  const body = options.body ?? JSON.stringify({ query: '{ __typename }' })
  const started = performance.now()
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  let exited: string | undefined
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => resolve(void (exited = String(code ?? signal)))))
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000)
    for (;;) {
      if (exited !== undefined) throw new Error(`${command} exited (${exited}) before answering:\n${output}`)
      if (Date.now() > deadline) throw new Error(`${command} did not answer ${url} within ${options.timeoutMs ?? 120_000} ms:\n${output}`)
      if (await answers(url, body)) break
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const startupMs = performance.now() - started
    const startupCpuMs = cpuMsOf(child.pid!)
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 1_000))
    const memory = memoryOf(child.pid!)
    return { startupMs: Math.round(startupMs), idleRssMb: memory.rssMb, startupPeakRssMb: memory.peakMb, startupCpuMs }
  } finally {
    if (exited === undefined) {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exit
      clearTimeout(killer)
    }
  }
}

async function answers(url: string, body: string): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5_000) })
    const text = await response.text()
    return response.status === 200 && !(JSON.parse(text) as { errors?: unknown }).errors
  } catch {
    return false // not listening yet
  }
}

/** VmRSS and VmHWM of a process, in MB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) }
}

/** utime + stime + cutime + cstime of a process, in ms (/proc/<pid>/stat counts clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * 10
}

/** `portico serve` on a database, production mode, as the benchmark starts it. */
export function porticoCommand(databaseUrl: string, schemas: string, port: number): { command: string; args: string[]; env: Record<string, string>; url: string } {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
  return {
    command: process.execPath,
    args: [path.join(repoRoot, 'bin', 'portico.mjs'), 'serve', '--database-url', databaseUrl, '--schemas', schemas, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn'],
    env: { NODE_ENV: 'production' },
    url: `http://127.0.0.1:${port}/graphql`,
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const [databaseUrl, schemas = 'public', port = '4517'] = process.argv.slice(2)
  if (!databaseUrl) {
    process.stderr.write('usage: node --import tsx test/benchmark/footprint.ts DATABASE_URL [schemas] [port]\n')
    process.exit(2)
  }
  const target = porticoCommand(databaseUrl, schemas, Number(port))
  const footprint = await measureFootprint(target.command, target.args, target.env, target.url)
  process.stdout.write(`start-up to first answer ${footprint.startupMs} ms (${footprint.startupCpuMs} ms of CPU), idle RSS ${footprint.idleRssMb} MB (start-up peak ${footprint.startupPeakRssMb} MB)\n`)
}
