/** Whether this instance should receive traffic: schema built and database answering. */
import type pg from 'pg'
import { databaseHealth } from '../db/pool.js'

export interface Readiness {
  check(): Promise<boolean>
  /** Why the last check said "not ready"; for operators, never for GraphQL clients. */
  reason?: string
}

export interface PoolReadinessOptions {
  /** How long `SELECT 1` may take before the database counts as unavailable. */
  timeoutMs?: number
  /**
   * How long a "ready" is reused, so probes under load do not hammer the database. A "not ready"
   * is not reused: the next probe asks again, so an instance is back in service as soon as its
   * database is (probes of a database that is down cost a refused connection, or share one wait).
   */
  cacheMs?: number
}

export function poolReadiness(pool: pg.Pool, isSchemaBuilt: () => boolean, options: PoolReadinessOptions = {}): Readiness {
  const { timeoutMs = 1_000, cacheMs = 1_000 } = options
  /** The last "ready" answer. */
  let cached: { at: number } | undefined
  let running: Promise<boolean> | undefined

  const probe = async (): Promise<boolean> => {
    // Every connection busy: the probe queues behind the requests, and a timeout says the pool is
    // saturated, not that the database is silent. Either way this instance should get less traffic.
    const max = pool.options?.max ?? 10
    const saturated = pool.idleCount === 0 && pool.totalCount >= max
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)
    })
    try {
      // pool.query returns its client to the pool whenever it finishes, even after we gave up.
      await Promise.race([pool.query('SELECT 1'), timeout])
      return true
    } catch (error) {
      if ((error as Error).message !== 'timeout') {
        // The code, not the message: a message may name hosts or users.
        readiness.reason = `database unavailable (${(error as { code?: string }).code ?? 'connection failed'})`
      } else {
        readiness.reason = saturated ? `no pooled connection became free within ${timeoutMs} ms (all ${max} in use)` : `database did not answer SELECT 1 within ${timeoutMs} ms`
      }
      return false
    } finally {
      clearTimeout(timer)
    }
  }

  const readiness: Readiness = {
    async check() {
      if (!isSchemaBuilt()) {
        readiness.reason = 'GraphQL schema not built yet'
        return false
      }
      // A "ready" from before requests found the database gone is not reused: out of service at once.
      const health = databaseHealth(pool)
      if (cached && Date.now() - cached.at < cacheMs && (!health || (health.available && health.changedAt <= cached.at))) return true
      // Concurrent probes share one query.
      running ??= probe().then((ready) => {
        cached = ready ? { at: Date.now() } : undefined
        if (ready) readiness.reason = undefined
        running = undefined
        return ready
      })
      return running
    },
  }
  return readiness
}
