/**
 * The opt-in shared response cache (`cache` in the config): Yoga's response-cache plugin, stored
 * in Redis when `redisUrl` is set (every Portico process shares it), else in this process's memory.
 *
 * - Keyed by document, variables and session: the session is a hash of the verified token's role
 *   and claims (none without auth), so one caller never gets another's answer.
 * - TTL: `cache.ttlMs`, lowered per type by `cache.ttlPerType` or a table's `@cacheTtl 30`
 *   smart comment (seconds); the shortest TTL of the types an answer contains wins.
 * - Invalidation: every mutation of Portico's, once it committed, drops the cached answers that
 *   contain its type or a type related to it (a nested write or ON DELETE CASCADE reaches those),
 *   and, by the plugin itself, those containing the entities it returned. Entities are told
 *   apart by `nodeId`. Writes by other clients (plain SQL, other apps) invalidate where change
 *   triggers are installed: every process hears them on its LISTEN connection and calls
 *   `invalidateTables` (./cache-row-events.ts). Elsewhere the TTL bounds how stale an answer can be.
 *
 * An answer read before a write whose invalidation ran meanwhile is not stored (./cache-generations.ts).
 *
 * Compiled reads (./use-compiled-reads.ts) compile the document the cache plugin hands on (with
 * its `__typename`/`nodeId` additions), so cached answers come from the one-statement path too.
 */
import { createHash } from 'node:crypto'
import { getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { createInMemoryCache, useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache'
import { createRedisCache } from '@envelop/response-cache-redis'
import { Redis } from 'ioredis'
import type { Datamodel } from '../model/datamodel.js'
import { rootFieldName } from '../model/inflect.js'
import type { Logger } from '../log.js'
import { identityOf } from './use-auth.js'
import { CacheGenerations } from './cache-generations.js'

export interface ResponseCacheConfig {
  ttlMs: number
  ttlPerType: Record<string, number>
  redisUrl?: string
  redisKeyPrefix: string
}

export interface ResponseCache {
  /** Yoga's plugin: place it before useCompiledReads. */
  plugin: Plugin
  /** Invalidates after each mutation: place it last (after the request transaction commits). */
  invalidation: Plugin
  /** Drops every cached answer containing these tables' types ("schema.table"): for row events. */
  invalidateTables(tables: string[]): Promise<void>
  /** Every table ("schema.table") whose answers it may hold. */
  tables: readonly string[]
  close(): Promise<void>
}

const MUTATIONS = ['create', 'createMany', 'update', 'updateMany', 'delete', 'deleteMany', 'upsert'] as const

export function createResponseCache(config: ResponseCacheConfig, datamodel: Datamodel, logger: Logger): ResponseCache {
  const redis = config.redisUrl ? new Redis(config.redisUrl, { keyPrefix: config.redisKeyPrefix, lazyConnect: false, maxRetriesPerRequest: 2 }) : undefined
  redis?.on('error', (error) => logger.warn({ err: error }, 'response cache: Redis error (answers are computed without the cache meanwhile)'))
  const store: Cache = redis ? (createRedisCache({ redis }) as Cache) : createInMemoryCache()
  const cache = tolerant(store, logger)

  const ttlPerType: Record<string, number> = {}
  for (const model of datamodel.models.values()) if (model.cacheTtlSeconds !== undefined) ttlPerType[model.name] = model.cacheTtlSeconds * 1000
  Object.assign(ttlPerType, config.ttlPerType)

  // Each mutation field's types to invalidate: its model and the models related to it.
  const typesOf = new Map<string, string[]>()
  const byTable = new Map<string, string[]>()
  for (const model of datamodel.models.values()) {
    const related = [model.name, ...new Set(model.relations.map((r) => r.type))]
    for (const kind of MUTATIONS) typesOf.set(rootFieldName[kind](model.name), related)
    byTable.set(`${model.table.schema}.${model.table.name}`, related)
  }
  // An answer read before a write is not stored after the write's invalidation (./cache-generations.ts).
  const generations = new CacheGenerations()
  const invalidateTypes = (types: Iterable<string>) => {
    const unique = [...new Set(types)]
    generations.invalidated(unique)
    return cache.invalidate(unique.map((typename) => ({ typename })))
  }

  const plugin = useResponseCache({
    cache: generations.guard(cache),
    ttl: config.ttlMs,
    ttlPerSchemaCoordinate: ttlPerType,
    idFields: ['nodeId'],
    includeExtensionMetadata: false,
    session: (request) => {
      const identity = identityOf(request)
      return identity ? createHash('sha256').update(`${identity.role}\u0000${JSON.stringify(identity.claims)}`).digest('base64url') : null
    },
  })

  const invalidation: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName)
      if (operation?.operation !== 'mutation') return
      const types = operation.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? (typesOf.get(s.name.value) ?? []) : []))
      setExecuteFn(async (executeArgs) => {
        try {
          return await executeFn(executeArgs)
        } finally {
          // Also after an error: part of a multi-field mutation may have committed.
          await invalidateTypes(types)
        }
      })
    },
  }

  return {
    plugin,
    invalidation,
    tables: [...byTable.keys()],
    async invalidateTables(tables) {
      await invalidateTypes(tables.flatMap((t) => byTable.get(t) ?? []))
    },
    async close() {
      await redis?.quit().catch(() => {})
    },
  }
}

/** A cache whose failures (Redis down) cost a miss and a log line, never a failed request. */
function tolerant(store: Cache, logger: Logger): Cache {
  let warned = 0
  const warn = (error: unknown) => {
    if (Date.now() - warned < 10_000) return
    warned = Date.now()
    logger.warn({ err: error }, 'response cache unavailable: serving without it')
  }
  return {
    get: async (key) => {
      try {
        return await store.get(key)
      } catch (error) {
        warn(error)
        return undefined
      }
    },
    set: async (...args) => {
      try {
        await store.set(...args)
      } catch (error) {
        warn(error)
      }
    },
    invalidate: async (entities) => {
      try {
        await store.invalidate(entities)
      } catch (error) {
        warn(error)
      }
    },
  }
}
