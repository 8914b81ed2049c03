/** The one PostgreSQL connection pool the server runs its queries on. */
import pg from 'pg'
import type { Logger } from '../log.js'
import { fixTypeParsers } from './type-parsers.js'

export interface PoolConfig {
  databaseUrl: string
  poolSize: number
  /** How long a query waits for a free client, and a new connection for the server's answer. */
  connectionTimeoutMs: number
  idleTimeoutMs: number
  /** PostgreSQL cancels a statement running longer (statement_timeout); 0: no limit. */
  statementTimeoutMs: number
}

/** The session settings Portico's reads rely on. */
const SESSION_OPTIONS = '-c TimeZone=UTC -c IntervalStyle=iso_8601'

export function createPool(config: PoolConfig, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectionTimeoutMs,
    idleTimeoutMillis: config.idleTimeoutMs,
    // Shows up in pg_stat_activity, so a DBA can tell Portico's sessions apart.
    application_name: 'portico',
    // Timestamps and intervals are read as PostgreSQL's text (src/model/exact-temporal.ts,
    // text-read-types.ts): timestamps in UTC, intervals as ISO-8601 durations. PGlite ignores
    // startup options; servePGlite (./demo-database.ts) sets the same on its one session.
    // statement_timeout: a slow query is cancelled in the database, not just abandoned.
    options: `${SESSION_OPTIONS} -c statement_timeout=${config.statementTimeoutMs}`,
  })
  // A pooled client that is idle can still fail (server restart, network cut, admin terminating
  // the backend). pg emits that as 'error' on the pool, and an EventEmitter 'error' without a
  // listener would crash the process; the pool has already dropped the client, so log and go on.
  pool.on('error', (error) => {
    logger.error({ err: error }, 'idle PostgreSQL connection failed; the pool will open a new one when needed')
  })
  // On every connection from the first (see ./type-parsers.ts).
  fixTypeParsers(pool)

  return pool
}
