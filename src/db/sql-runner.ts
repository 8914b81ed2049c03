/**
 * Runs the planner's statements on the pool (the same pool, and so the same session settings, as
 * Prisma's driver adapter), as named prepared statements: PostgreSQL parses and plans each
 * statement once per connection, not on every request. The planner's SQL for one query shape is
 * always the same text (values are parameters), so a name is a hash of the text. Prisma's raw
 * queries cannot be prepared; measured on 100 lookups in one request, preparing gave +50%.
 */
import { createHash } from 'node:crypto'
import type pg from 'pg'
import { ClientError } from '../errors.js'
import { RequestSession } from './request-session.js'
import { queryWithSettings, type SettingsStatement } from './settings-then-query.js'
import { databaseFailure } from './pool.js'
import { classifyDatabaseFailure, isConnectionError } from './connection-errors.js'
import { currentReadTarget, type ReadTarget } from './read-replicas.js'

export interface SqlRunner {
  /** `write`: the statement changes rows (inside a request's transaction it gets a savepoint). */
  query(sql: string, values: unknown[], options?: { write?: boolean }): Promise<Record<string, unknown>[]>
}

/** SQLSTATE query_canceled: here, statement_timeout (Portico cancels nothing else). */
const STATEMENT_TIMEOUT = '57014'
const INSUFFICIENT_PRIVILEGE = '42501'

/** Per connection, at most this many prepared statements; beyond it, statements run unprepared. */
const PREPARED_PER_CONNECTION = 500

export interface SqlRunnerOptions {
  /** false: unnamed statements only, as a transaction pooler (PgBouncer) needs. */
  preparedStatements?: boolean
  /** A read replica failed: take it out of rotation (./read-replicas.ts). */
  onReplicaFailure?: (target: ReadTarget) => void
}

/**
 * client.query(config) through its callback rather than pg's promise (`new Promise(...).catch(...)`):
 * measured under iot's load (1,000 readings, 144 KB of JSON a request, `node --trace-gc-nvp`), pg's
 * promise let the answer's text survive a young collection three times as often (46-59 MB promoted
 * to the old generation in 8 s instead of 156-178 MB), where only a full collection frees it.
 */
function queryWithCallback(client: pg.PoolClient, config: pg.QueryConfig): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    client.query(config, (error: Error | undefined, result: pg.QueryResult) => (error ? reject(error) : resolve(result)))
  })
}

export function createSqlRunner(pool: pg.Pool, onQuery?: (sql: string) => void, runnerOptions: SqlRunnerOptions = {}): SqlRunner {
  const preparing = runnerOptions.preparedStatements !== false
  const prepared = new WeakMap<pg.PoolClient, Set<string>>()
  const names = new Map<string, string>()
  const nameOf = (sql: string) => {
    let name = names.get(sql)
    if (name === undefined) {
      if (names.size >= 10_000) names.clear()
      names.set(sql, (name = `portico_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`))
    }
    return name
  }
  // Each connection's names carry its own number: on a real server names are per session anyway,
  // but the embedded demo's connections share PGlite's one session (src/db/demo-database.ts), where
  // a second connection preparing the same name fails with "prepared statement ... already exists".
  const connectionIds = new WeakMap<pg.PoolClient, number>()
  let connections = 0
  const execute = async (client: pg.PoolClient, sql: string, values: unknown[], settings?: SettingsStatement) => {
    let id = connectionIds.get(client)
    if (id === undefined) connectionIds.set(client, (id = ++connections))
    const name = `${nameOf(sql)}_${id}`
    let ready = prepared.get(client)
    if (!ready) prepared.set(client, (ready = new Set()))
    const prepare = preparing && (ready.has(name) || ready.size < PREPARED_PER_CONNECTION)
    const config = { name: prepare ? name : undefined, text: sql, values }
    const result = settings ? await queryWithSettings(client, config, settings) : await queryWithCallback(client, config)
    if (prepare) ready.add(name)
    return result.rows
  }
  const run = async (target: pg.Pool, sql: string, values: unknown[], options?: { write?: boolean }) => {
    // With authorization on, the request's own connection and transaction (./request-session.ts),
    // or, for a query's reads, the caller's settings sent with each read.
    const session = RequestSession.current()
    const withSettings = options?.write ? undefined : session?.readWithSettings()
    let client: pg.PoolClient | undefined
    try {
      if (session && !withSettings) return await session.query((sessionClient) => execute(sessionClient, sql, values), options)
      client = await (withSettings?.pool ?? target).connect()
      const rows = await execute(client, sql, values, withSettings?.settings)
      client.release()
      return rows
    } catch (error) {
      // A connection that failed mid-query is not given back for reuse.
      client?.release(isConnectionError(error) ? (error as Error) : undefined)
      throw error
    }
  }
  return {
    async query(sql, values, options) {
      onQuery?.(sql)
      // A read-only operation routed to a replica (./read-replicas.ts); else the primary.
      const routed = currentReadTarget()
      let target = routed?.pool ?? pool
      try {
        try {
          return await run(target, sql, values, options)
        } catch (error) {
          // A replica that cannot be reached: out of rotation, and this read runs on the primary
          // (outside a request session only: a session's transaction is bound to its connection).
          if (!routed?.replica || classifyDatabaseFailure(error) !== 'unavailable') throw error
          runnerOptions.onReplicaFailure?.(routed)
          if (RequestSession.current()) throw error
          target = pool
          return await run(pool, sql, values, options)
        }
      } catch (error) {
        // The database down or out of free connections: say so and to retry (the pool logs it once).
        const unavailable = databaseFailure(target, error)
        if (unavailable) throw unavailable
        if ((error as { code?: string }).code === STATEMENT_TIMEOUT) {
          throw new ClientError('The query took too long and was cancelled (statement timeout): ask for fewer rows or narrow the filters.', 'STATEMENT_TIMEOUT')
        }
        // GRANTs and row-level security refusing the caller's role; PostgreSQL's message names the
        // object ("permission denied for table film"), never the statement.
        if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) {
          throw new ClientError(`Permission denied: ${(error as Error).message}`, 'FORBIDDEN')
        }
        throw error
      }
    },
  }
}
