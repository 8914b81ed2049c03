/**
 * A real PgBouncer (Debian's 1.18) in transaction mode on a loopback port, in front of a
 * PostgreSQL server, for the pooler tests and the fleet. Trust authentication, as the test
 * servers have. PgBouncer will not run as root: it then runs as the `postgres` OS user (-u).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { anyFreePort, until } from './portico-process.js'

export const PGBOUNCER = '/usr/sbin/pgbouncer'

export function pgbouncerUnavailable(): string | undefined {
  return existsSync(PGBOUNCER) ? undefined : `no ${PGBOUNCER} (apt-get install pgbouncer)`
}

export interface PgBouncer {
  port: number
  /** A URL for `database` (any database of the server behind it) through the pooler. */
  url(database: string, user?: string): string
  stop(): Promise<void>
}

export async function startPgBouncer(server: { host: string; port: number }, options: { poolSize?: number } = {}): Promise<PgBouncer> {
  const port = await anyFreePort()
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-pgbouncer-'))
  const ini = path.join(dir, 'pgbouncer.ini')
  writeFileSync(path.join(dir, 'users.txt'), '"postgres" ""\n')
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${server.host} port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 500',
      `default_pool_size = ${options.poolSize ?? 2}`,
      // pg sends none of these; Prisma's adapter neither. Listed so that no client is refused for it.
      'ignore_startup_parameters = extra_float_digits',
      '',
    ].join('\n'),
  )
  const root = process.getuid?.() === 0
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    for (const file of [dir, ini, path.join(dir, 'users.txt')]) chownSync(file, uid, gid)
  }
  const child: ChildProcess = spawn(PGBOUNCER, [...(root ? ['-u', 'postgres'] : []), ini], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    await until(() => canConnect(port), 10_000)
  } catch {
    child.kill('SIGKILL')
    throw new Error(`pgbouncer did not start:\n${log}`)
  }
  return {
    port,
    url: (database, user = 'postgres') => `postgres://${user}@127.0.0.1:${port}/${database}`,
    async stop() {
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
