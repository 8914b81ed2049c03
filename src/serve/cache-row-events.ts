/**
 * Row events invalidate the response cache: a write by any client (psql, another app) to a table
 * with change triggers drops the cached answers containing that table's type (and the types
 * related to it, as a mutation of Portico's does). Every process does it on its own LISTEN
 * connection (src/live/change-listener.ts): with Redis they drop the same keys (harmless, and no
 * process depends on another being up); in memory each process must drop its own.
 *
 * - Whole types, not entities: an UPDATE can move a row into a cached list that never held it
 *   (a `where` it now matches), and an INSERT or DELETE changes lists without naming an entity.
 * - The notifications that arrive together (one statement's keys may come in several) are one
 *   invalidation, and bursts of writes coalesce while one is in flight.
 * - After the LISTEN connection was lost and is back, every watched table is invalidated: the
 *   notifications sent meanwhile are gone.
 */
import type { ChangeFeed } from '../live/change-feed.js'
import type { Logger } from '../log.js'
import type { ResponseCache } from './use-response-cache.js'

export type InvalidationCause = 'row_event' | 'resync'

export interface CacheRowEventOptions {
  feed: ChangeFeed
  cache: Pick<ResponseCache, 'invalidateTables' | 'tables'>
  logger: Logger
  /** Called once the cache dropped the tables' answers (metrics; tests wait on it). */
  onInvalidated?: (cause: InvalidationCause, tables: string[]) => void
}

/** Starts invalidating; returns the function that stops it. */
export function invalidateOnRowEvents(options: CacheRowEventOptions): () => void {
  const { feed, cache, logger } = options
  const known = new Set(cache.tables)
  const pending = new Map<string, InvalidationCause>()
  let running: Promise<void> | undefined
  let stopped = false

  const flush = async () => {
    while (pending.size && !stopped) {
      const batch = [...pending]
      pending.clear()
      const tables = batch.map(([table]) => table)
      try {
        await cache.invalidateTables(tables)
      } catch (error) {
        // The cache tolerates its store's failures; anything else must not stop later invalidations.
        logger.warn({ err: error, tables }, 'response cache: invalidation after a row event failed')
        continue
      }
      const cause: InvalidationCause = batch.some(([, c]) => c === 'resync') ? 'resync' : 'row_event'
      options.onInvalidated?.(cause, tables)
    }
  }
  const schedule = (tables: string[], cause: InvalidationCause) => {
    for (const table of tables) if (known.has(table) && pending.get(table) !== 'resync') pending.set(table, cause)
    if (!pending.size || running) return
    // A macrotask later: the other notifications of the same statement arrive first.
    running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(flush)
      .finally(() => {
        running = undefined
        // Scheduled while the last round was finishing.
        if (pending.size && !stopped) schedule([], 'row_event')
      })
  }

  const stops = [
    feed.onChange((event) => schedule([event.table], 'row_event')),
    feed.onResync(() => schedule(cache.tables.filter((table) => feed.watches(table)), 'resync')),
  ]
  return () => {
    stopped = true
    for (const stop of stops) stop()
  }
}
