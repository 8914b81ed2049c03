/**
 * A streaming replica of a private cluster (./private-cluster.ts), as an operator makes one:
 * `pg_basebackup -R` (which writes standby.signal and primary_conninfo) into a folder of its own,
 * then `pg_ctl start` on another loopback port. Hot standby is on by default in PostgreSQL 15, so
 * it answers reads. Like the cluster, it runs as the `postgres` OS user when we are root.
 */
import { execFile } from 'node:child_process'
import { appendFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { freePort, PG_BIN, postgresTempDir, type Cluster } from '../benchmark/cluster.ts'
import { withClient } from './private-cluster.js'

const run = promisify(execFile)

export interface Replica {
  port: number
  url(database: string): string
  /** Stops the server (fast), keeping its data: an outage. */
  stopServer(): Promise<void>
  startServer(): Promise<void>
  /** Stops it and removes its folder. */
  stop(): Promise<void>
}

async function asPostgres(binary: string, args: string[]): Promise<void> {
  const file = path.join(PG_BIN, binary)
  const [command, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]
  try {
    await run(command, argv, { maxBuffer: 16 * 1024 * 1024 })
  } catch (error) {
    const e = error as { stderr?: string; message: string }
    throw new Error(`${binary} ${args.join(' ')} failed: ${e.stderr || e.message}`)
  }
}

export async function startReplica(primary: Cluster): Promise<Replica> {
  const port = await freePort(primary.port + 1 + Math.floor(Math.random() * 50))
  const dir = await postgresTempDir('portico-replica-')
  const dataDir = path.join(dir, 'data')
  const logFile = path.join(dir, 'server.log')
  await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '--no-sync', '-c', 'fast'])
  // The copied postgresql.conf has the primary's port and socket folder: this one has its own.
  appendFileSync(path.join(dataDir, 'postgresql.conf'), `\n# replica\nport = ${port}\nunix_socket_directories = '${dir}'\nhot_standby = on\nwal_receiver_status_interval = 1s\n`)
  const startServer = async () => {
    await asPostgres('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'])
  }
  await startServer()
  let stopped: Promise<void> | undefined
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`
  return {
    port,
    url,
    stopServer: () => asPostgres('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']),
    startServer,
    stop() {
      stopped ??= (async () => {
        await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => {})
        rmSync(dir, { recursive: true, force: true })
      })()
      return stopped
    },
  }
}

/** Waits until the replica has replayed everything the primary had written when this was called. */
export async function caughtUp(primary: Cluster, replica: Replica, timeoutMs = 30_000): Promise<void> {
  const target = await withClient(primary.adminUrl, async (c) => (await c.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn as string)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const done = await withClient(replica.url('postgres'), async (c) => (await c.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [target])).rows[0].done as boolean).catch(() => false)
    if (done) return
    if (Date.now() > deadline) throw new Error(`replica on ${replica.port} did not replay ${target} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
