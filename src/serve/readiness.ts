/** Whether this instance should receive traffic: schema built and database answering. */
import type pg from 'pg'

export interface Readiness {
  check(): Promise<boolean>
  /** Why the last check said "not ready"; for operators, never for GraphQL clients. */
  reason?: string
}

export interface PoolReadinessOptions {
  /** How long `SELECT 1` may take before the database counts as unavailable. */
  timeoutMs?: number
  /** How long an answer is reused, so probes under load do not hammer the database. */
  cacheMs?: number
}

export function poolReadiness(pool: pg.Pool, isSchemaBuilt: () => boolean, options: PoolReadinessOptions = {}): Readiness {
  const { timeoutMs = 1_000, cacheMs = 1_000 } = options
  let cached: { ready: boolean; at: number } | undefined
  let running: Promise<boolean> | undefined

  const probe = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), timeoutMs)
    })
    try {
      // pool.query returns its client to the pool whenever it finishes, even after we gave up.
      await Promise.race([pool.query('SELECT 1'), timeout])
      return true
    } catch (error) {
      readiness.reason =
        (error as Error).message === 'timeout'
          ? `database did not answer SELECT 1 within ${timeoutMs} ms`
          : // The code, not the message: a message may name hosts or users.
            `database unavailable (${(error as { code?: string }).code ?? 'connection failed'})`
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
      if (cached && Date.now() - cached.at < cacheMs) return cached.ready
      // Concurrent probes share one query.
      running ??= probe().then((ready) => {
        cached = { ready, at: Date.now() }
        if (ready) readiness.reason = undefined
        running = undefined
        return ready
      })
      return running
    },
  }
  return readiness
}
