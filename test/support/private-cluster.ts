/**
 * A PostgreSQL cluster of a test's own, for tests that stop and start the server (outages): the
 * shared server on 5432 must never go down under other test files. It is the benchmark's cluster
 * (../benchmark/cluster.ts: initdb + pg_ctl, as the `postgres` OS user when run as root), sized
 * for tests. Tests `skip` when this machine has no PostgreSQL binaries, with `unavailableReason`.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { PG_BIN, startCluster, type Cluster } from '../benchmark/cluster.ts'

export type { Cluster }

/**
 * Why no private cluster can be started here, or undefined when one can. In CI (`CI=true`) a
 * missing binary is an error, not a reason to skip: `.ci/run` installs PostgreSQL 15, so a test
 * file that needs a cluster fails rather than passing by skipping.
 */
export function privateClusterUnavailable(): string | undefined {
  const reason = unavailableReason()
  if (reason && process.env.CI) throw new Error(`a private PostgreSQL cluster is required in CI: ${reason}`)
  return reason
}

function unavailableReason(): string | undefined {
  for (const binary of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(path.join(PG_BIN, binary))) return `no ${binary} in ${PG_BIN} (set PORTICO_BENCH_PG_BIN to PostgreSQL's bin folder)`
  }
  if (process.getuid?.() === 0) {
    // initdb refuses to run as root; the cluster then runs as the `postgres` OS user.
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' })
    } catch {
      return 'running as root and there is no `postgres` OS user to run initdb as'
    }
  }
  return undefined
}

/**
 * Starts a small cluster on a free port. The first port tried is random, far from the benchmark's
 * (55433): while a test keeps its server stopped, another test file looking for a free port must
 * not take that one.
 */
export function startPrivateCluster(): Promise<Cluster> {
  return startCluster({ port: 56_000 + Math.floor(Math.random() * 3_000), sharedBuffers: '32MB' })
}

/** Creates database `name` on the cluster and runs `sql` in it (a multi-statement script). */
export async function createClusterDatabase(cluster: Cluster, name: string, sql: string): Promise<string> {
  await withClient(cluster.adminUrl, (client) => client.query(`CREATE DATABASE ${name}`))
  const url = cluster.url(name)
  await withClient(url, (client) => client.query(sql))
  return url
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {}) // a server stopping under it must not crash the test process
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}
