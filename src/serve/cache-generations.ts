/**
 * The response cache's guard against storing an answer read before a write it has already heard
 * of: a query misses, reads the rows, a write commits meanwhile and its invalidation (a
 * mutation's, or a row event's) runs, and then the query's answer, read before the write, would
 * be stored after the invalidation and served until its TTL ends.
 *
 * Each invalidation raises a generation and marks its types with it. A miss notes the generation
 * per cache key (the first of a request's lookups: Yoga's plugin looks up on the params, then
 * Envelop's right before executing); the answer is stored only if none of its types was
 * invalidated since, and the note is cleared. Concurrent misses of one key share the oldest note,
 * and the answers after the first one stored are not stored (at worst, a miss more). A note whose
 * answer is never stored (an error, a mutation's lookup) is forgotten after MAX_EXECUTION_MS.
 * Per process, which suffices: every process invalidates on hearing a write itself, so an answer
 * stored before a process heard of the write is dropped by that process's own invalidation.
 */
import type { Cache } from '@graphql-yoga/plugin-response-cache'

/** Longer than any query runs: a miss older than this is forgotten. */
const MAX_EXECUTION_MS = 60_000

interface Miss {
  generation: number
  at: number
}

export class CacheGenerations {
  private generation = 0
  private readonly invalidatedAt = new Map<string, number>()
  private readonly misses = new Map<string, Miss>()

  /** Marks these types invalidated now: answers containing them that missed before are not stored. */
  invalidated(typenames: Iterable<string>): void {
    this.generation += 1
    for (const typename of typenames) this.invalidatedAt.set(typename, this.generation)
  }

  /** The store, guarded: the plugin's lookups, stores and invalidations go through it. */
  guard(store: Cache): Cache {
    return {
      get: async (key) => {
        const found = await store.get(key)
        if (found == null) this.missed(key)
        return found
      },
      set: (key, data, entities, ttl) => {
        const list = [...entities]
        const since = this.stored(key)
        if (since === undefined || list.some((entity) => (this.invalidatedAt.get(entity.typename) ?? 0) > since)) return
        return store.set(key, data, list, ttl)
      },
      // The plugin's own invalidation by a mutation's returned entities.
      invalidate: (entities) => {
        const list = [...entities]
        this.invalidated(list.map((entity) => entity.typename))
        return store.invalidate(list)
      },
    }
  }

  private missed(key: string): void {
    const now = Date.now()
    const miss = this.misses.get(key)
    if (!miss || now - miss.at >= MAX_EXECUTION_MS) this.misses.set(key, { generation: this.generation, at: now })
    if (this.misses.size > 10_000) for (const [k, m] of this.misses) if (now - m.at >= MAX_EXECUTION_MS) this.misses.delete(k)
  }

  /** The generation the answer's execution started at; undefined when unknown (then it is not stored). */
  private stored(key: string): number | undefined {
    const miss = this.misses.get(key)
    this.misses.delete(key)
    return miss && Date.now() - miss.at < MAX_EXECUTION_MS ? miss.generation : undefined
  }
}
