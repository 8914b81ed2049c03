/**
 * What the benchmark needs to know about a target (how to start it, how to ask it each operation,
 * how to read its answers), and the child process that runs it. Each target is its own process,
 * so its CPU and memory are its own and measurable (/proc/<pid>).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import type { CanonicalAnswers, OperationName, OperationParams } from '../operations.ts'

export type TargetName = 'portico' | 'portico-auth' | 'postgraphile' | 'limit'

export interface LaunchOptions {
  databaseUrl: string
  port: number
  poolSize: number
  /** A scratch folder for the run (config files). */
  workDir: string
}

export interface Launch {
  file: string
  args: string[]
  env?: Record<string, string>
  cwd?: string
}

export interface HttpRequest {
  path: string
  body: string
  /** More headers (a bearer token), besides content-type and accept. */
  headers?: Record<string, string>
}

export interface TargetDefinition {
  name: TargetName
  label: string
  /** The database role it logs in as: pg_stat_statements counts per role. */
  role: string
  /** Every role its statements run as, when not only `role` (a token's role under authorization). */
  statementRoles?: readonly string[]
  launch(options: LaunchOptions): Launch
  /** GET this path answers readyStatus (default 200) once the server can serve. */
  readyPath: string
  readyStatus?: number
  /** The HTTP request (POST, JSON) for an operation; the same bytes on every request. */
  request<O extends OperationName>(operation: O, params: OperationParams[O]): HttpRequest
  /** A parsed response body in the operation's canonical form (throws on errors in it). */
  canonical<O extends OperationName>(operation: O, body: unknown): CanonicalAnswers[O]
  /**
   * Operations it cannot do, each with the reason: it is not sent them, its row says "n/a" and
   * it is left out of the ratios (e.g. PostGraphile's amber preset has no group-by).
   */
  unsupported?: Partial<Record<OperationName, string>>
}

/** Why `definition` takes no part in `operation`, or undefined when it does. */
export function unsupportedReason(definition: TargetDefinition, operation: OperationName): string | undefined {
  return definition.unsupported?.[operation]
}

export interface RunningTarget {
  definition: TargetDefinition
  pid: number
  baseUrl: string
  /** The last lines the server printed, for error messages. */
  output(): string
  /** How the process ended, once it has. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined
  /** Resolves once the readiness URL answers (Portico introspects and generates first); fails if the process exits. */
  ready(timeoutMs?: number): Promise<void>
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>
}

/**
 * Spawns a target. It returns at once, so the caller can register stop() before waiting for
 * ready(): a benchmark that fails meanwhile must not leave a server behind.
 */
export function startTarget(definition: TargetDefinition, options: LaunchOptions): RunningTarget {
  const launch = definition.launch(options)
  const child = spawn(launch.file, launch.args, {
    cwd: launch.cwd,
    env: { ...serverEnvironment(), NODE_ENV: 'production', ...launch.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let tail = ''
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal }
      resolve()
    }),
  )
  child.once('error', (error) => {
    tail += `\n${error.message}`
  })

  const baseUrl = `http://127.0.0.1:${options.port}`
  const running: RunningTarget = {
    definition,
    pid: child.pid ?? -1,
    baseUrl,
    output: () => tail,
    exitStatus: () => exited,
    stop: () => stopChild(child, exit, () => exited !== undefined),
    async ready(timeoutMs = 180_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (exited) throw new Error(`${definition.label} exited (${exited.code ?? exited.signal}) before it was ready:\n${tail}`)
        if (Date.now() > deadline) throw new Error(`${definition.label} was not ready after ${timeoutMs / 1000} s:\n${tail}`)
        try {
          const response = await fetch(baseUrl + definition.readyPath, { signal: AbortSignal.timeout(2_000) })
          await response.arrayBuffer()
          if (response.status === (definition.readyStatus ?? 200)) return
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    },
  }
  return running
}

/**
 * Our environment less what would configure a server behind the command line's back (Portico
 * reads DATABASE_URL, PORT, HOST and PORTICO_*; environment variables beat its config file).
 */
function serverEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of Object.keys(env)) {
    if (key.startsWith('PORTICO_') || key.startsWith('PG') || ['DATABASE_URL', 'PORT', 'HOST'].includes(key)) delete env[key]
  }
  return env
}

async function stopChild(child: ChildProcess, exit: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return
  child.kill('SIGTERM')
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  await exit
  clearTimeout(killer)
}

/** The `data` of a GraphQL response, failing with its errors if it has any. */
export function graphqlData(label: string, body: unknown): Record<string, any> {
  const response = body as { data?: Record<string, any> | null; errors?: { message: string; path?: unknown[] }[] }
  if (response.errors?.length) {
    const messages = response.errors.slice(0, 5).map((e) => `${e.message}${e.path ? ` (at ${e.path.join('.')})` : ''}`)
    throw new Error(`${label} answered with errors: ${messages.join('; ')}`)
  }
  if (!response.data) throw new Error(`${label} answered without data: ${JSON.stringify(body).slice(0, 500)}`)
  return response.data
}
