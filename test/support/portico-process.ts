/**
 * `portico serve` as a child process on a loopback port, as an operator runs it: for the tests
 * that need several processes (exactly-once writes across processes, the fleet). Each has an
 * empty working directory and only the configuration it is given (a config file of its own).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { repoRoot } from './test-database.js'

const BIN = path.join(repoRoot, 'bin', 'portico.mjs')

export interface PorticoProcess {
  port: number
  url: string
  child: ChildProcess
  /** stderr so far (JSON log lines and progress). */
  log(): string
  /** Resolves with the exit code and signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>
  /** SIGTERM, and wait for the exit (graceful shutdown). */
  stop(): Promise<void>
}

export interface StartOptions {
  /** Written to portico.config.json in the process's folder. */
  config: Record<string, unknown>
  port?: number
  env?: Record<string, string>
  startTimeoutMs?: number
}

export async function startPortico(options: StartOptions): Promise<PorticoProcess> {
  const port = options.port ?? (await anyFreePort())
  const cwd = mkdtempSync(path.join(tmpdir(), 'portico-process-'))
  writeFileSync(path.join(cwd, 'portico.config.json'), JSON.stringify({ host: '127.0.0.1', port, ...options.config }))
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|HOST|PORT|NODE_OPTIONS|NODE_ENV|PORTICO_.*)$/.test(key)))
  const child = spawn(process.execPath, [BIN, 'serve'], { cwd, env: { ...env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      rmSync(cwd, { recursive: true, force: true })
      resolve({ code, signal })
    }),
  )
  const started = await Promise.race([
    until(() => stderr.includes('GraphiQL and GraphQL over HTTP: '), options.startTimeoutMs ?? 120_000).then(() => true),
    exited.then(() => false),
  ])
  if (!started) throw new Error(`portico serve exited before serving:\n${stderr}`)
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    log: () => stderr,
    exited,
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}

export function anyFreePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
    probe.once('error', reject)
  })
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** A GraphQL POST over real HTTP: status, body and headers. */
export async function post(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) })
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: response.status, body, headers: response.headers }
}
