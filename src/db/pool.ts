/**
 * The one PostgreSQL connection pool the server runs its queries on, and what it learns of the
 * database's health: an outage is logged once (when connecting first fails, and when it works
 * again), not once per failed request; so is a pool that runs out of connections.
 */
import pg from 'pg'
import type { Logger } from '../log.js'
import type { ClientError } from '../errors.js'
import { classifyDatabaseFailure, clientErrorFor, type DatabaseFailure } from './connection-errors.js'
import { fixTypeParsers } from './type-parsers.js'

export interface PoolConfig {
  databaseUrl: string
  poolSize: number
  /** How long a query waits for a free client, and a new connection for the server's answer. */
  connectionTimeoutMs: number
  idleTimeoutMs: number
  /** PostgreSQL cancels a statement running longer (statement_timeout); 0: no limit. */
  statementTimeoutMs: number
  /** How long end() lets running statements finish before closing their connections (default 3 s). */
  endGraceMs?: number
  /** false: no startup `options` (a transaction pooler refuses them; see ./pooler.ts). */
  startupOptions?: boolean
}

/** The session settings Portico's reads rely on. */
const SESSION_OPTIONS = '-c TimeZone=UTC -c IntervalStyle=iso_8601'

/** Repeated warnings (connections lost, pool exhausted) are logged at most this often, with a count. */
const REPEAT_LOG_INTERVAL_MS = 10_000

/** The database's health as the pool sees it when it opens connections. */
export interface DatabaseHealth {
  /** False from a failed connection attempt until a new connection succeeds. */
  readonly available: boolean
  /** When `available` last changed (Date.now()); 0 if never. */
  readonly changedAt: number
}

const healthOf = new WeakMap<pg.Pool, Health>()

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
    options: config.startupOptions === false ? undefined : `${SESSION_OPTIONS} -c statement_timeout=${config.statementTimeoutMs}`,
    // A healthy server answers every statement within statement_timeout (with its result or the
    // cancellation). No answer by then, plus connectionTimeoutMs for the network, means the
    // server or the way to it is gone without a word (a cut cable, a frozen host): without this,
    // the request would wait for TCP to give up, many minutes later.
    query_timeout: config.statementTimeoutMs > 0 ? config.statementTimeoutMs + config.connectionTimeoutMs : undefined,
  })
  const health = new Health(pool, config, logger)
  healthOf.set(pool, health)
  // A pooled client that is idle can still fail (server restart, network cut, admin terminating
  // the backend). pg emits that as 'error' on the pool, and an EventEmitter 'error' without a
  // listener would crash the process; the pool has already dropped the client, so log and go on.
  pool.on('error', (error) => health.connectionLost(error))
  pool.on('connect', (client) => {
    // A connection that breaks while checked out (a crash, a reset) fails its query, and pg also
    // emits 'error' on the client, which the pool listens to only while the client is idle: with
    // no listener of its own, that would crash the process. The query's caller handles the error.
    client.on('error', (error) => health.connectionLost(error))
    // A new connection is the proof that the database is back after an outage.
    health.connected()
  })
  observeConnects(pool, health)
  boundEnd(pool, config.endGraceMs ?? 3_000)
  // On every connection from the first (see ./type-parsers.ts).
  fixTypeParsers(pool)

  return pool
}

/** What the pool has seen of the database's health; undefined for a pool createPool did not make. */
export function databaseHealth(pool: pg.Pool): DatabaseHealth | undefined {
  return healthOf.get(pool)
}

/**
 * The client error for a query that failed because of the database (down, or no connection free),
 * recorded for the logs; undefined for any other error (which is the query's own). A busy pool
 * while connecting fails is a database that cannot be reached: its slots are taken by attempts.
 */
export function databaseFailure(pool: pg.Pool, error: unknown): ClientError | undefined {
  const failure = classifyDatabaseFailure(error)
  if (!failure) return undefined
  const health = healthOf.get(pool)
  health?.queryFailed(failure, error)
  return clientErrorFor(failure === 'busy' && health?.available === false ? 'unavailable' : failure)
}

/**
 * Every checkout goes through pool.connect: the planner's, Prisma's adapter's (transactions), and
 * pool.query's (readiness, Prisma's single statements). Watching it there sees every failure to
 * connect, whoever asked, without changing what the caller gets.
 */
function observeConnects(pool: pg.Pool, health: Health): void {
  type Callback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void
  const connect = pool.connect.bind(pool) as { (): Promise<pg.PoolClient>; (callback: Callback): void }
  const observe = (error: unknown) => {
    const failure = classifyDatabaseFailure(error)
    if (failure) health.connectFailed(failure, error)
  }
  pool.connect = ((callback?: Callback) => {
    if (!callback) {
      return connect().catch((error: unknown) => {
        observe(error)
        throw error
      })
    }
    connect((error, client, done) => {
      if (error) observe(error)
      callback(error, client, done)
    })
  }) as typeof pool.connect
}

/**
 * pg-pool's end() waits for every checked-out client to come back, so one statement still running
 * (its HTTP request already cut by the server's grace period at shutdown) would hold the process
 * until statement_timeout, past the shutdown's own deadline. Here end() waits up to `graceMs`,
 * then closes the connections still in use: their statements fail, their clients come back, and
 * end() resolves.
 */
function boundEnd(pool: pg.Pool, graceMs: number): void {
  const inUse = new Set<pg.PoolClient>()
  pool.on('acquire', (client) => inUse.add(client))
  pool.on('release', (_error: Error | undefined, client: pg.PoolClient) => inUse.delete(client))
  pool.on('remove', (client) => inUse.delete(client as pg.PoolClient))
  const end = pool.end.bind(pool) as () => Promise<void>
  pool.end = ((callback?: (error?: Error) => void) => {
    const force = setTimeout(() => {
      for (const client of inUse) void (client as unknown as pg.Client).end().catch(() => {})
    }, graceMs)
    const ended = end().finally(() => clearTimeout(force))
    if (!callback) return ended
    ended.then(() => callback(), callback)
  }) as typeof pool.end
}

class Health implements DatabaseHealth {
  available = true
  changedAt = 0
  private downSince = 0
  private failures = 0
  /** Errors already counted (the caller that gets one may report it again). */
  private readonly seen = new WeakSet<object>()
  private readonly repeated = new Map<string, { loggedAt: number; count: number }>()

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: PoolConfig,
    private readonly logger: Logger,
  ) {}

  connectFailed(failure: DatabaseFailure, error: unknown): void {
    if (!this.firstTime(error)) return
    if (failure === 'busy') return this.busy()
    if (!this.available) {
      this.failures++
      return
    }
    this.available = false
    this.changedAt = this.downSince = Date.now()
    this.failures = 1
    this.logger.error(
      { err: error },
      'cannot connect to the database: requests fail with DATABASE_UNAVAILABLE and /readyz answers 503 until a connection succeeds (logged once per outage)',
    )
  }

  /** A statement failed: its connection broke (the server may be fine), or the pool was full. */
  queryFailed(failure: DatabaseFailure, error: unknown): void {
    if (failure === 'unavailable') this.connectionLost(error)
    else if (this.firstTime(error)) this.busy()
  }

  /** A connection broke: seen by its query, by the pool (idle), or by our listener (checked out). */
  connectionLost(error: unknown): void {
    if (!this.firstTime(error)) return
    // During an outage, lost connections are part of it, already logged.
    if (!this.available) {
      this.failures++
      return
    }
    this.rateLimited('lost', (count) =>
      this.logger.error({ err: error, count }, 'a PostgreSQL connection failed (server restart, network cut or terminated backend); the pool opens new ones as needed'),
    )
  }

  connected(): void {
    if (this.available) return
    this.available = true
    this.changedAt = Date.now()
    this.logger.info({ downMs: this.changedAt - this.downSince, failures: this.failures }, 'the database accepts connections again')
  }

  private busy(): void {
    this.rateLimited('busy', (count) =>
      this.logger.warn(
        { count, poolSize: this.config.poolSize, waiting: this.pool.waitingCount },
        `no pooled connection became free within connectionTimeoutMs (${this.config.connectionTimeoutMs} ms): requests fail with DATABASE_BUSY; raise poolSize if the database has room for more connections`,
      ),
    )
  }

  /** Logs the first of a kind at once, then at most every REPEAT_LOG_INTERVAL_MS with how many there were. */
  private rateLimited(kind: string, log: (count: number) => void): void {
    const now = Date.now()
    const state = this.repeated.get(kind) ?? { loggedAt: -Infinity, count: 0 }
    this.repeated.set(kind, state)
    state.count++
    if (now - state.loggedAt < REPEAT_LOG_INTERVAL_MS) return
    log(state.count)
    state.loggedAt = now
    state.count = 0
  }

  private firstTime(error: unknown): boolean {
    if (typeof error !== 'object' || error === null) return true
    if (this.seen.has(error)) return false
    this.seen.add(error)
    return true
  }
}
