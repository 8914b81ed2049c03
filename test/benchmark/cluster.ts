/**
 * A private PostgreSQL 15 cluster for the benchmark: initdb + pg_ctl in a temporary folder, on a
 * free port, with pg_stat_statements preloaded. The shared server on 5432 is never touched: its
 * statistics would mix with other work, and resetting them would disturb whoever uses it.
 */
import { execFile } from 'node:child_process'
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const PG_BIN = process.env.PORTICO_BENCH_PG_BIN ?? '/usr/lib/postgresql/15/bin'
const DIR_PREFIX = 'portico-bench-pg-'
/** Written next to the data folder: the pid of the benchmark that owns the cluster. */
const OWNER_FILE = 'owner.pid'

export interface Cluster {
  port: number
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication, local only). */
  adminUrl: string
  /** A URL for another database and/or role on this cluster. */
  url(database: string, user?: string): string
  /** The cluster's server log, for error messages. */
  logFile: string
  /** Stops the server and removes its folder. */
  stop(): Promise<void>
  /**
   * Stops the server but keeps its data, as an outage would (tests of how clients cope): 'fast'
   * ends every session with an error and shuts down cleanly, 'immediate' kills the server as a
   * crash does (recovery on the next start).
   */
  stopServer(mode?: 'fast' | 'immediate'): Promise<void>
  /**
   * Starts the stopped server again, on the same port and data. With `wait: false` it returns once
   * the server is launched, before it accepts connections (to time a client's recovery from the
   * very moment it does).
   */
  startServer(options?: { wait?: boolean }): Promise<void>
}

export interface ClusterOptions {
  /** First port to try; the next free one is taken. */
  port?: number
  /** shared_buffers; the full dataset is about 0.5 GB with its indexes. */
  sharedBuffers?: string
  log?: (line: string) => void
}

/**
 * initdb refuses to run as root, so when we are root every PostgreSQL binary runs as the `postgres`
 * OS user (runuser), in a folder that user owns.
 */
function asOwner(binary: string, args: string[]): [string, string[]] {
  const file = path.join(PG_BIN, binary)
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', file, ...args]]
  return [file, args]
}

async function pg(binary: string, args: string[]): Promise<string> {
  const [file, argv] = asOwner(binary, args)
  try {
    const { stdout } = await run(file, argv, { maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string }
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`)
  }
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => {})
  await stopStaleClusters(log)
  const port = await freePort(options.port ?? 55433)
  const dir = await postgresTempDir(DIR_PREFIX)
  writeFileSync(path.join(dir, OWNER_FILE), String(process.pid))
  const dataDir = path.join(dir, 'data')
  const logFile = path.join(dir, 'server.log')
  const removeDir = () => rmSync(dir, { recursive: true, force: true })
  const startServer = async ({ wait = true }: { wait?: boolean } = {}) => {
    await pg('pg_ctl', ['-D', dataDir, '-l', logFile, ...(wait ? ['-w', '-t', '60'] : ['-W']), 'start'])
  }

  try {
    // --no-sync and the settings below trade durability for speed: the cluster is thrown away at
    // the end, and none of them changes how reads are planned or executed.
    await pg('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'])
    appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      [
        '',
        '# portico benchmark',
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        `shared_preload_libraries = 'pg_stat_statements'`,
        // Count statements at the top level, utility statements (BEGIN, SET, ...) included, so
        // the report can show them apart from the data statements.
        `pg_stat_statements.track = top`,
        `pg_stat_statements.track_utility = on`,
        `pg_stat_statements.max = 10000`,
        `shared_buffers = '${options.sharedBuffers ?? '512MB'}'`,
        `maintenance_work_mem = '256MB'`,
        `max_wal_size = '4GB'`,
        `fsync = off`,
        `synchronous_commit = off`,
        `full_page_writes = off`,
        // JIT compiles expensive plans on every execution (tens of ms); API servers usually turn it
        // off, and it would make the nested operation's timings depend on cost estimates.
        `jit = off`,
        `max_connections = 100`,
        '',
      ].join('\n'),
    )
    await startServer()
  } catch (error) {
    await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {})
    const serverLog = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : ''
    removeDir()
    throw new Error(`${(error as Error).message}${serverLog ? `\n${serverLog}` : ''}`)
  }
  log(`private PostgreSQL 15 on 127.0.0.1:${port} (${dir})`)

  let stopped: Promise<void> | undefined
  const url = (database: string, user = 'postgres') => `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${encodeURIComponent(database)}`
  return {
    port,
    adminUrl: url('postgres'),
    url,
    logFile,
    stopServer: async (mode = 'fast') => {
      await pg('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop'])
    },
    startServer,
    stop() {
      stopped ??= (async () => {
        // fast: disconnect clients and stop; nothing here needs to survive.
        await pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']).catch(async () => {
          await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {})
        })
        removeDir()
      })()
      return stopped
    },
  }
}

/**
 * A benchmark killed with SIGKILL cannot stop its cluster; the next run does it: any of our
 * folders whose owner process is gone is stopped and removed.
 */
async function stopStaleClusters(log: (line: string) => void): Promise<void> {
  const tmp = os.tmpdir()
  for (const name of readdirSync(tmp)) {
    if (!name.startsWith(DIR_PREFIX)) continue
    const dir = path.join(tmp, name)
    const ownerFile = path.join(dir, OWNER_FILE)
    const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN
    if (Number.isInteger(owner) && alive(owner)) continue
    const dataDir = path.join(dir, 'data')
    if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
      await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {})
    }
    rmSync(dir, { recursive: true, force: true })
    log(`removed a cluster left by an earlier run: ${dir}`)
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The first port from `start` on which nothing listens on 127.0.0.1. */
/** A new temporary folder the postgres user owns when we are root (initdb and pg_ctl run as postgres). */
export async function postgresTempDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
    chownSync(dir, uid, gid)
  }
  return dir
}

export async function freePort(start: number): Promise<number> {
  for (let port = start; port < start + 200; port++) {
    if (await canListen(port)) return port
  }
  throw new Error(`no free port in ${start}..${start + 199}`)
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)))
  })
}
