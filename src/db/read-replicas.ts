/**
 * Read replicas: read-only operations go to streaming replicas, round robin among the healthy
 * ones; everything else, and every read when no replica is healthy, goes to the primary.
 *
 * Health is checked every `checkIntervalMs` on each replica (`pg_is_in_recovery()`, how far it
 * has replayed the WAL) and on the primary (how far it has written): a replica that does not
 * answer, or is not a standby, is out of rotation until a check succeeds again. A replica whose
 * connection fails during a read is taken out at once, and the read runs again on the primary.
 *
 * Read-your-writes: a mutation's answer carries the primary's WAL insert position after its
 * COMMIT (`pg_current_wal_insert_lsn()`, which is at or past the commit record even with
 * synchronous_commit off); a read sent with that position is answered by a replica known to have
 * replayed it, else by the primary. What a replica has replayed is known from its last check, so
 * a just-written position goes to the primary until the next check sees it replayed.
 *
 * Which pool a statement uses is decided once per operation (../serve/use-read-routing.ts) and
 * found by the SQL runner and the request session through AsyncLocalStorage, as the session is.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type pg from 'pg'
import type { Logger } from '../log.js'
import { createPool, type PoolConfig } from './pool.js'

export interface ReplicaState {
  /** host:port, for metrics and logs (never credentials). */
  name: string
  healthy: boolean
  /** WAL position replayed at the last check. */
  replayed?: bigint
  /** Bytes of WAL the primary has written that this replica had not replayed, at the last check. */
  lagBytes?: number
  /** Seconds since the last transaction it replayed committed on the primary; 0 when caught up. */
  lagSeconds?: number
}

export interface ReadTarget {
  pool: pg.Pool
  /** The replica chosen, or undefined for the primary. */
  replica?: Replica
}

export interface Replica extends ReplicaState {
  pool: pg.Pool
}

const current = new AsyncLocalStorage<ReadTarget>()

/** The pool chosen for the operation this code runs for, if it was routed (reads with replicas). */
export function currentReadTarget(): ReadTarget | undefined {
  return current.getStore()
}

export class ReadReplicas {
  readonly replicas: Replica[]
  private next = 0
  private timer?: NodeJS.Timeout
  private checking?: Promise<void>
  /** The primary's WAL write position at the last check. */
  private primaryLsn?: bigint

  constructor(
    private readonly primary: pg.Pool,
    urls: string[],
    config: Omit<PoolConfig, 'databaseUrl'>,
    private readonly logger: Logger,
    private readonly checkIntervalMs = 1_000,
  ) {
    this.replicas = urls.map((url) => ({ name: hostOf(url), healthy: false, pool: createPool({ ...config, databaseUrl: url }, logger.child({ replica: hostOf(url) })) }))
  }

  /** Checks every replica now, then every checkIntervalMs. */
  async start(): Promise<void> {
    await this.check()
    this.timer = setInterval(() => void this.check(), this.checkIntervalMs).unref()
  }

  /**
   * The pool for a read-only operation: the next healthy replica that has replayed `minLsn`
   * (when given), else the primary.
   */
  choose(minLsn?: bigint): ReadTarget {
    const n = this.replicas.length
    for (let i = 0; i < n; i++) {
      const replica = this.replicas[(this.next + i) % n]!
      if (!replica.healthy) continue
      if (minLsn !== undefined && (replica.replayed === undefined || replica.replayed < minLsn)) continue
      this.next = (this.next + i + 1) % n
      return { pool: replica.pool, replica }
    }
    return { pool: this.primary }
  }

  /** Runs `work` with its statements on `target`'s pool. */
  run<T>(target: ReadTarget, work: () => T): T {
    return current.run(target, work)
  }

  /** A replica's connection failed during a read: out of rotation until a check finds it well. */
  failed(replica: Replica): void {
    if (!replica.healthy) return
    replica.healthy = false
    this.logger.warn({ replica: replica.name }, 'a read replica failed: reads go to the other replicas or the primary until it answers again')
  }

  /** The primary's current WAL insert position (after a commit: at or past it). */
  async primaryPosition(): Promise<string> {
    const { rows } = await this.primary.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn')
    return rows[0]!.lsn
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await this.checking
    await Promise.all(this.replicas.map((r) => r.pool.end()))
  }

  private check(): Promise<void> {
    this.checking ??= this.checkAll().finally(() => (this.checking = undefined))
    return this.checking
  }

  private async checkAll(): Promise<void> {
    const timeout = Math.max(500, this.checkIntervalMs)
    try {
      const { rows } = await withTimeout(this.primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn'), timeout)
      this.primaryLsn = parseLsn(rows[0]!.lsn)
    } catch {
      // The primary's own health is the pool's and /readyz's business; the lag is unknown meanwhile.
    }
    await Promise.all(this.replicas.map((replica) => this.checkReplica(replica, timeout)))
  }

  private async checkReplica(replica: Replica, timeoutMs: number): Promise<void> {
    try {
      const { rows } = await withTimeout(
        replica.pool.query<{ standby: boolean; replayed: string | null; behind: number | null }>(
          `SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed,
                  extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 AS behind`,
        ),
        timeoutMs,
      )
      const { standby, replayed, behind } = rows[0]!
      if (!standby || replayed === null) throw new Error('not a standby: it does not replay a primary')
      replica.replayed = parseLsn(replayed)
      const lag = this.primaryLsn !== undefined && this.primaryLsn > replica.replayed ? this.primaryLsn - replica.replayed : 0n
      replica.lagBytes = Number(lag)
      // Time since the last replayed commit means nothing when there is nothing to replay.
      replica.lagSeconds = lag === 0n ? 0 : Math.max(0, behind ?? 0)
      if (!replica.healthy) this.logger.info({ replica: replica.name }, 'read replica in rotation')
      replica.healthy = true
    } catch (error) {
      if (replica.healthy) this.logger.warn({ replica: replica.name, reason: (error as Error).message }, 'read replica out of rotation: its health check failed')
      replica.healthy = false
    }
  }
}

/** `16/B374D848` -> a number that compares as PostgreSQL's pg_lsn does; undefined if malformed. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim())
  if (!match) throw new Error(`not a WAL position: ${text}`)
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`)
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || '5432'}`
  } catch {
    return '(unparsable URL)'
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
