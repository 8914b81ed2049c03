/**
 * A running Portico against one database: introspect -> model -> schema -> serve, in that order.
 * `serve` uses it to start the HTTP server; tests use it to call `yoga.fetch()` in process.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GraphQLSchema } from 'graphql'
import type pg from 'pg'
import { DEFAULT_SCHEMAS, type PorticoConfig } from './config/config.js'
import { checkConnection } from './db/connection-errors.js'
import { createPool } from './db/pool.js'
import { createSqlRunner } from './db/sql-runner.js'
import { createPrismaAdapter } from './db/prisma-adapter.js'
import { introspectDatabase } from './introspect/introspect-database.js'
import type { Logger } from './log.js'
import { describeDatamodel, type Datamodel } from './model/datamodel.js'
import { checkTextSearchConfigs } from './model/text-search-configs.js'
import { loadGeneratedClient, type PrismaClientLike } from './model/generate-client.js'
import { lazyPrismaClient } from './model/lazy-prisma-client.js'
import { pothosDatamodelOf, sameDatamodel } from './model/pothos-datamodel.js'
import { buildGraphQLSchemas } from './schema/build-schema.js'
import { IdempotencyTable } from './db/idempotency-store.js'
import { Idempotency } from './schema/idempotency.js'
import { ReadReplicas } from './db/read-replicas.js'
import { checkPoolerSessions } from './db/pooler.js'
import { useReadRouting } from './serve/use-read-routing.js'
import { createResponseCache, type ResponseCache } from './serve/use-response-cache.js'
import { invalidateOnRowEvents } from './serve/cache-row-events.js'
import { ReadPlanner } from './planner/read-planner.js'
import { useCompiledReads } from './serve/use-compiled-reads.js'
import { useLimits } from './serve/use-limits.js'
import { useRequestGuards } from './serve/use-request-guards.js'
import { useBodyLimit } from './serve/use-body-limit.js'
import { useCSRFPrevention } from './serve/use-csrf-prevention.js'
import { usePersistedOperations } from './serve/use-persisted-operations.js'
import { createMetrics } from './serve/metrics.js'
import { recordPrismaQuery, tracedRequestFields, traceSqlRunner, useTracing } from './serve/tracing.js'
import { useRequestLog } from './serve/use-request-log.js'
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection'
import type { Plugin } from 'graphql-yoga'
import { poolReadiness } from './serve/readiness.js'
import { checkRoles } from './auth/check-roles.js'
import { createTokenVerifier } from './auth/verify-token.js'
import { useAuth } from './serve/use-auth.js'
import { useRequestTransaction } from './serve/use-request-transaction.js'
import { createPorticoYoga } from './serve/yoga.js'
import { createLive, type Live } from './live/live.js'
import { withLiveDirective } from './schema/live-directive.js'
import { createLaneLink, createPorticoServer, type PorticoServer } from './serve/compiled-lane.js'
import { useRequestScope } from './serve/use-request-scope.js'
import { applyExtensions, createExtensionApi, type LoadedExtension, type PorticoExtension } from './schema/extend.js'
import { loadExtension } from './schema/load-extension.js'
import { createRequestContext } from './schema/request-context.js'
import { ExtensionError } from './errors.js'

export interface GatewayOptions {
  databaseUrl: string
  config: PorticoConfig
  logger: Logger
  /** Human-readable progress of the long steps. */
  onProgress?: (message: string) => void
  /** Called with every SQL statement sent, by the planner or Prisma (tests count them). */
  onQuery?: (sql: string) => void
  /**
   * The committed prisma/schema.prisma text introspection starts from (it keeps its renames) and
   * compares with; default: the project's, prisma/schema.prisma in the working directory (COMMITTED_PRISMA_SCHEMA).
   */
  committedPrismaSchema?: string
  /** Extensions given as functions (a library user's); those of `config.extensions` are loaded from their files. */
  extensions?: PorticoExtension[]
}

export interface Gateway {
  /** The server: the compiled lane in front of Yoga (./serve/compiled-lane.ts); `fetch` and a node:http handler. */
  yoga: PorticoServer
  /** The API, as schema.graphql prints it. */
  schema: GraphQLSchema
  /** The Apollo Federation subgraph of the same API (served unless federation is disabled). */
  subgraph: GraphQLSchema
  datamodel: Datamodel
  /** The read planner (tests read its counters: how many operations it compiled). */
  planner: ReadPlanner
  prismaSchema: string
  pool: pg.Pool
  prisma: PrismaClientLike
  /** Live data: live queries, change events, published events, and the WebSocket transport (src/live/live.ts). */
  live: Live
  /** The response cache, when enabled: row events from other writers invalidate through it. */
  cache?: Pick<ResponseCache, 'invalidateTables'>
  close(): Promise<void>
}

/** The extension files of the config, then those given as functions, in that order. */
async function loadExtensions(files: string[], functions: PorticoExtension[]): Promise<LoadedExtension[]> {
  const loaded: LoadedExtension[] = []
  for (const file of files) loaded.push(await loadExtension(file))
  functions.forEach((extend, i) => {
    if (typeof extend !== 'function') throw new ExtensionError(`extensions[${i}] must be a function (builder, portico) => void`)
    loaded.push({ source: `function ${extend.name || `#${i + 1}`}`, extend })
  })
  return loaded
}

/** A schema an extension made invalid (a field on a type it cannot extend, a bad select) says so. */
function buildExtendedSchemas<T>(build: () => T, extensions: LoadedExtension[]): T {
  try {
    return build()
  } catch (error) {
    if (extensions.length === 0 || error instanceof ExtensionError || (error as Error).name !== 'PothosSchemaError') throw error
    throw new ExtensionError(`the schema with extensions ${extensions.map((e) => e.source).join(', ')} is not valid: ${(error as Error).message}`)
  }
}

/**
 * The project's committed Prisma schema: in the working directory, where `portico introspect`
 * writes it (in this repository, the reference database's; installed, the user's project's).
 */
export const COMMITTED_PRISMA_SCHEMA = join(process.cwd(), 'prisma', 'schema.prisma')

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger, databaseUrl } = options
  const progress = options.onProgress ?? ((message: string) => logger.info(message))
  await checkConnection(databaseUrl, config.connectionTimeoutMs)
  if (config.poolerUrl) await checkConnection(config.poolerUrl, config.connectionTimeoutMs)
  // Before connecting: a missing or broken extension file is a configuration error.
  const extensions = await loadExtensions(config.extensions, options.extensions ?? [])
  let live: Live | undefined
  // Requests' statements go through the pooler when there is one (src/db/pooler.ts).
  const pool = createPool({ ...config, databaseUrl: config.poolerUrl ?? databaseUrl, startupOptions: !config.poolerUrl }, logger)
  let replicas: ReadReplicas | undefined
  let responseCache: ResponseCache | undefined
  try {
    if (config.poolerUrl) await checkPoolerSessions(pool)
    const committed = options.committedPrismaSchema ?? (existsSync(COMMITTED_PRISMA_SCHEMA) ? readFileSync(COMMITTED_PRISMA_SCHEMA, 'utf8') : undefined)
    // Its own short-lived pool, without statement_timeout: that limit is for clients' requests, and
    // catalog reads of a big database on a busy server may take longer than a tight one.
    const introspectionPool = createPool({ ...config, databaseUrl, poolSize: 2, statementTimeoutMs: 0 }, logger)
    const model = await introspectDatabase(introspectionPool, {
      schemas: config.schemas ?? DEFAULT_SCHEMAS,
      primaryKeys: config.primaryKeys,
      smartTags: config.smartTags,
      previous: committed,
      onProgress: progress,
    }).finally(() => introspectionPool.end())
    for (const note of model.notes) logger.info({ note }, 'introspection note')
    for (const warning of model.warnings) logger.warn({ warning }, 'introspection warning')
    progress(model.prismaSchema === committed ? 'the database matches the committed prisma/schema.prisma' : 'serving the structure introspected just now (it differs from the committed prisma/schema.prisma)')

    // Every statement, the planner's and Prisma's (writes), is counted for /metrics and the tests.
    // Read replicas, checked before the first request (src/db/read-replicas.ts).
    replicas = config.readReplicas.length > 0 ? new ReadReplicas(pool, config.readReplicas, config, logger, config.replicaCheckIntervalMs) : undefined
    await replicas?.start()
    const metrics = createMetrics(pool, replicas)
    const onQuery = (sql: string) => {
      metrics.countStatement()
      options.onQuery?.(sql)
    }
    // Tracing off: no span, no decorator, no plugin (src/serve/tracing.ts).
    const tracing = config.tracing?.enabled === true
    // The Pothos datamodel comes from the schema text; the Prisma client (writes only) is generated
    // meanwhile and waited for by the first write (./model/lazy-prisma-client.ts).
    const pothosDatamodel = pothosDatamodelOf(model.prismaSchema)
    const client = loadGeneratedClient(model.prismaSchema, progress).then((generated) => {
      const client = new generated.PrismaClient({ adapter: createPrismaAdapter(pool), log: [{ emit: 'event', level: 'query' }] })
      client.$on('query', (event) => onQuery(event.query))
      if (tracing) client.$on('query', recordPrismaQuery)
      if (!sameDatamodel(generated.datamodel, pothosDatamodel)) logger.warn('the Pothos datamodel read from schema.prisma differs from the generated one: please report this')
      return client
    })
    client.catch((error: unknown) => logger.error({ err: error }, 'the Prisma client could not be generated: writes fail until the next restart or schema change'))
    const prisma = lazyPrismaClient(client)
    const datamodel = describeDatamodel(pothosDatamodel, model.prismaSchema, model.catalog, { textSearchConfig: config.textSearchConfig })
    for (const { table, column, type, reason } of datamodel.leftOut) logger.warn({ table, column, type, reason }, `column ${table}.${column} is not served: ${reason}`)
    for (const { function: fn, reason } of datamodel.leftOutFunctions) logger.warn({ function: fn, reason }, `function ${fn} is not served: ${reason}`)
    await checkTextSearchConfigs((sql, params) => pool.query(sql, params), datamodel, config.textSearchConfig)
    progress(`building the GraphQL schema for ${datamodel.models.size} tables and views`)
    const sqlRunner = createSqlRunner(pool, onQuery, { preparedStatements: config.preparedStatements ?? !config.poolerUrl, onReplicaFailure: (target) => target.replica && replicas?.failed(target.replica) })
    const planner = new ReadPlanner(tracing ? traceSqlRunner(sqlRunner) : sqlRunner, datamodel, config)
    // Idempotency keys live in the database, so every process sees them (src/db/idempotency-store.ts).
    const idempotency = new Idempotency({
      table: new IdempotencyTable(config.idempotencyTable),
      direct: async (sql, ...values) => {
        const result = (await pool.query(sql, values)) as pg.QueryResult | pg.QueryResult[]
        return Array.isArray(result) ? [] : result.rows
      },
      windowMs: config.idempotencyWindowMs,
    })
    live = await createLive({ config, planner, pool, logger, databaseUrl, datamodel })
    const started = live
    const api = createExtensionApi({ sql: tracing ? traceSqlRunner(sqlRunner) : sqlRunner, planner, prisma, logger, publish: started.publish })
    const built = buildExtendedSchemas(
      () => buildGraphQLSchemas(prisma, planner, config, (builder) => applyExtensions(builder, extensions, api, datamodel), started.sources, idempotency),
      extensions,
    )
    // `@live` on queries (src/live/): known to validation, GraphiQL and codegen. Each schema is
    // still built when first asked for, and once.
    let schema: GraphQLSchema | undefined
    let subgraph: GraphQLSchema | undefined
    const schemas = {
      get schema() {
        return (schema ??= withLiveDirective(built.schema))
      },
      get subgraph() {
        return (subgraph ??= withLiveDirective(built.subgraph))
      },
    }
    // The served schema is built now (the other lazily): an extension's mistake stops start-up here.
    const served = buildExtendedSchemas(() => (config.federation.enabled ? schemas.subgraph : schemas.schema), extensions)
    if (config.auth) await checkRoles(pool, config.auth)
    // The shared response cache, opt-in (src/serve/use-response-cache.ts).
    const cache = config.cache.enabled ? createResponseCache({ ...config.cache, redisUrl: config.redisUrl }, datamodel, logger) : undefined
    responseCache = cache
    // Writes by any client to tables with change triggers invalidate it (./serve/cache-row-events.ts).
    const stopInvalidating = cache ? invalidateOnRowEvents({ feed: started.listener, cache, logger, onInvalidated: (cause) => metrics.countCacheInvalidation(cause) }) : undefined
    // With auth: the caller's identity first, and every operation in its own transaction as that
    // role, wrapping the compiled reads and the field-by-field execution alike (so, last).
    const verify = config.auth ? createTokenVerifier(config.auth) : undefined
    const authPlugins = verify ? { first: [useAuth(verify)], last: [useRequestTransaction(pool)] } : { first: [], last: [] }
    const lane = createLaneLink()
    const yoga = createPorticoYoga({
      schema: served,
      // Per request: its DataLoaders for extensions (./schema/request-context.ts).
      context: () => createRequestContext(),
      logger,
      readiness: poolReadiness(pool, () => true),
      // Production: clients get the API, not its map; the schema is published as SDL instead.
      graphiql: !config.production,
      // The request log first, so requests refused by the plugins after it (401, 413) are logged too;
      // then tracing, whose span wraps the whole operation.
      plugins: [
        useRequestLog(logger, { ...(tracing ? { fieldsOf: tracedRequestFields } : {}), shuttingDown: () => started.closing }),
        ...(tracing ? [useTracing()] : []),
        ...authPlugins.first,
        metrics.plugin,
        useBodyLimit(config.limits.maxBodyBytes),
        useRequestGuards(),
        ...(config.csrfPrevention.enabled ? [useCSRFPrevention(config.csrfPrevention)] : []),
        ...(config.persistedOperations?.file ? [usePersistedOperations(config.persistedOperations)] : []),
        useLimits(config),
        ...(config.production ? [useDisableIntrospection() as Plugin] : []),
        useCompiledReads(planner, logger, lane),
        ...(cache ? [cache.plugin] : []),
        ...authPlugins.last,
        // After the request transaction, so its wrapper is outside it (./serve/use-read-routing.ts).
        ...(replicas ? [useReadRouting(replicas, metrics.countRead)] : []),
        useRequestScope(),
        ...(cache ? [cache.invalidation] : []),
        // Last: @live, SSE's single-connection mode, and the subscribe pipeline's capture of results.
        ...started.plugins,
      ],
    })
    // The WebSocket and single-connection SSE operations go through Yoga (the lane never takes them).
    started.bind(yoga)
    const server = createPorticoServer(
      {
        yoga,
        schema: served,
        planner,
        config,
        logger,
        metrics,
        pool,
        ...(verify ? { verify } : {}),
        // Read replicas (and x-portico-min-lsn) and the response cache are Yoga plugins: with either,
        // every request goes through Yoga, which routes, caches and invalidates.
        enabled: !tracing && !replicas && !cache,
      },
      lane,
    )
    return {
      yoga: server,
      // The one served is built already; the other only if asked for (print, introspect, tests).
      get schema() {
        return schemas.schema
      },
      get subgraph() {
        return schemas.subgraph
      },
      datamodel,
      planner,
      prismaSchema: model.prismaSchema,
      pool,
      prisma,
      live: started,
      cache,
      async close() {
        stopInvalidating?.()
        await started.close()
        idempotency.close()
        await cache?.close()
        await replicas?.close()
        await prisma.$disconnect()
        await pool.end()
      },
    }
  } catch (error) {
    await live?.close().catch(() => {})
    await replicas?.close().catch(() => {})
    await responseCache?.close()
    await pool.end().catch(() => {})
    throw error
  }
}
