/**
 * Statements counted where they run: PostgreSQL's pg_stat_statements, on a private cluster that
 * preloads it (./private-cluster.ts). Portico's own hooks (createGateway's onQuery) only see what
 * Portico chooses to report; the database sees everything a request costs, the auth session's
 * BEGIN, set_config() and COMMIT included.
 *
 * pg_stat_statements keeps counts per statement text, not a sequence: `read()` lists each
 * statement once per call, in no particular order. It counts every session of the database, so
 * a test must not run its own SQL on it between `reset()` and `read()`.
 */
import pg from 'pg'

export interface DatabaseStatements {
  /** Forgets what the database counted so far (for this database only). */
  reset(): Promise<void>
  /** Each statement the database ran since the last reset, once per call. */
  read(): Promise<string[]>
  close(): Promise<void>
}

/**
 * Counts the statements run in database `database` of the cluster `adminUrl` points to. The
 * counter's own queries run in the admin database, so they are never counted.
 */
export async function countStatementsAt(adminUrl: string, database: string): Promise<DatabaseStatements> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
  const { rows } = await admin.query<{ oid: number }>('SELECT oid FROM pg_database WHERE datname = $1', [database])
  if (!rows[0]) throw new Error(`no database ${database} on ${new URL(adminUrl).host}`)
  const dbid = rows[0].oid
  return {
    async reset() {
      await admin.query('SELECT pg_stat_statements_reset(0, $1::oid, 0)', [dbid])
    },
    async read() {
      const counted = await admin.query<{ query: string; calls: string }>('SELECT query, calls FROM pg_stat_statements WHERE dbid = $1::oid', [dbid])
      return counted.rows.flatMap((row) => Array.from({ length: Number(row.calls) }, () => row.query))
    },
    close: () => admin.end(),
  }
}
