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
}

const SESSION_SETTINGS = `SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'`

export function createPool(config: PoolConfig, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectionTimeoutMs,
    idleTimeoutMillis: config.idleTimeoutMs,
    // Shows up in pg_stat_activity, so a DBA can tell Portico's sessions apart.
    application_name: 'portico',
  })
  // A pooled client that is idle can still fail (server restart, network cut, admin terminating
  // the backend). pg emits that as 'error' on the pool, and an EventEmitter 'error' without a
  // listener would crash the process; the pool has already dropped the client, so log and go on.
  pool.on('error', (error) => {
    logger.error({ err: error }, 'idle PostgreSQL connection failed; the pool will open a new one when needed')
  })
  // On every connection from the first (see ./type-parsers.ts).
  fixTypeParsers(pool)
  // Timestamps and intervals are read as PostgreSQL's text (src/model/exact-temporal.ts,
  // text-read-types.ts): timestamps in UTC, intervals as ISO-8601 durations. A SET rather than
  // startup options, which PGlite (the embedded database) ignores.
  pool.on('connect', (client) => {
    client.query(SESSION_SETTINGS).catch((error: unknown) => logger.error({ err: error }, 'could not apply Portico session settings'))
  })
  return pool
}
