/**
 * Portico behind a transaction pooler (PgBouncer in `pool_mode = transaction`): each transaction,
 * or single statement, may run on another server connection. So, on the pooler's connections:
 * - no named prepared statements (PgBouncer 1.18 does not carry them across server connections):
 *   the SQL runner sends unnamed ones (../db/sql-runner.ts);
 * - no startup `options` (PgBouncer refuses the parameter), so the session settings Portico's
 *   reads rely on (./pool.ts: TimeZone UTC, IntervalStyle iso_8601) must be the server's own for
 *   Portico's role or database; this check says so at start, with the statements to run;
 * - the request session sets role and claims with set_config(..., true), transaction-local
 *   (./request-session.ts), so nothing leaks to the next client of a server connection.
 * Introspection and LISTEN keep using `databaseUrl`, a direct connection.
 */
import type pg from 'pg'

const UTC_NAMES = new Set(['utc', 'etc/utc', 'uct', 'etc/uct', 'gmt', 'etc/gmt', 'zulu', 'etc/zulu', 'universal', 'etc/universal', 'greenwich', 'etc/greenwich'])

export class PoolerSettingsError extends Error {
  override name = 'PoolerSettingsError'
}

/** Throws, naming the statements that fix it, when the pooler's sessions lack Portico's settings. */
export async function checkPoolerSessions(pool: pg.Pool): Promise<{ statementTimeout: string }> {
  const { rows } = await pool.query<{ zone: string; style: string; timeout: string; user: string; db: string }>(
    `SELECT current_setting('TimeZone') AS zone, current_setting('IntervalStyle') AS style, current_setting('statement_timeout') AS timeout, current_user AS user, current_database() AS db`,
  )
  const { zone, style, timeout, user, db } = rows[0]!
  const fixes: string[] = []
  if (!UTC_NAMES.has(zone.toLowerCase())) fixes.push(`ALTER ROLE "${user}" IN DATABASE "${db}" SET TimeZone = 'UTC';`)
  if (style !== 'iso_8601') fixes.push(`ALTER ROLE "${user}" IN DATABASE "${db}" SET IntervalStyle = 'iso_8601';`)
  if (fixes.length > 0) {
    throw new PoolerSettingsError(
      `through poolerUrl, sessions have TimeZone ${zone} and IntervalStyle ${style}; Portico needs UTC and iso_8601, and a transaction pooler cannot set them per connection: run ${fixes.join(' ')} (then reconnect the pooler's server connections: RECONNECT in PgBouncer's console)`,
    )
  }
  return { statementTimeout: timeout }
}
