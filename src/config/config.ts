/**
 * Portico's one typed configuration: defaults < config file < environment < command-line flags.
 * Validated once at start; every problem is reported in one readable line per field.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { z } from 'zod'
import { manifestProblem } from '../serve/persisted-operations-manifest.js'

const TABLE_NAME = /^[^.]+\.[^.]+$/

/** A URL pg can use; never echoes the URL itself (it may hold a password). */
function checkDatabaseUrl(url: string, ctx: z.RefinementCtx): void {
  const problem = databaseUrlProblem(url)
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem}; write it as postgres://user:password@host:5432/database` })
}

function databaseUrlProblem(url: string): string | undefined {
  if (!/^postgres(ql)?:\/\//.test(url)) return 'must start with postgres:// or postgresql://'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'is not a valid URL (is the port a number, and are @ : / ? # in the password percent-encoded?)'
  }
  try {
    decodeURIComponent(parsed.username)
    decodeURIComponent(parsed.password)
    decodeURIComponent(parsed.pathname)
  } catch {
    return 'has a malformed percent-escape (write % itself as %25)'
  }
  return undefined
}

/** One object's tags: `{ "name": "person", "omit": ["create", "delete"], "unique": ["a", "b,c"] }`. */
function tagsSchema() {
  const value = z.union([z.string(), z.literal(true)])
  return z.record(z.string().regex(/^\w+$/, 'a tag name is a word, without @'), z.union([value, z.array(value).min(1)]))
}

export const configSchema = z
  .object({
    /** PostgreSQL connection URL; none means the embedded demo database. */
    databaseUrl: z.string().superRefine(checkDatabaseUrl).optional(),
    /**
     * A transaction pooler (PgBouncer) in front of the same database: requests' statements go
     * through it, introspection and LISTEN use databaseUrl directly (src/db/pooler.ts).
     */
    poolerUrl: z.string().superRefine(checkDatabaseUrl).optional(),
    /** Named prepared statements for the planner's SQL; default: on, off with poolerUrl. */
    preparedStatements: z.boolean().optional(),
    /** Database schemas to expose. */
    schemas: z.array(z.string().min(1)).min(1).optional(),
    host: z.string().min(1).default('localhost'),
    port: z.number().int().min(0).max(65535).default(4000),
    poolSize: z.number().int().min(1).max(1000).default(10),
    /** How long a request waits for a free pooled connection, and for a new connection to open. */
    connectionTimeoutMs: z.number().int().min(100).default(5_000),
    idleTimeoutMs: z.number().int().min(1_000).default(30_000),
    /** A statement running longer is cancelled by PostgreSQL (statement_timeout); 0: no limit. */
    statementTimeoutMs: z.number().int().min(0).default(30_000),
    defaultPageSize: z.number().int().min(1).default(20),
    maxPageSize: z.number().int().min(1).default(100),
    /**
     * The text search configuration (e.g. "english") of full-text searches on tsvector columns
     * whose comment names none (`@textSearchConfig`); none: PostgreSQL's default_text_search_config.
     */
    textSearchConfig: z.string().min(1).optional(),
    /** Keys declared for tables and views that have no primary key, e.g. {"api.iotawatt": ["device","sensor","timestamp"]}. */
    primaryKeys: z
      .record(z.string(), z.array(z.string().min(1)).min(1))
      .superRefine((keys, ctx) => {
        for (const table of Object.keys(keys)) {
          if (!TABLE_NAME.test(table)) ctx.addIssue({ code: 'custom', path: [table], message: 'write tables as "schema.table"' })
        }
      })
      .default({}),
    /**
     * Smart tags given here instead of in database comments (src/introspect/config-tags.ts), by
     * qualified name: tables "schema.table", columns "schema.table.column", constraints
     * "schema.table.constraint". E.g. {"columns": {"app.person.password_hash": {"omit": true}}}.
     */
    smartTags: z
      .object({
        tables: z.record(z.string().regex(TABLE_NAME, 'write tables as "schema.table"'), tagsSchema()).default({}),
        columns: z.record(z.string().regex(/^[^.]+\.[^.]+\.[^.]+$/, 'write columns as "schema.table.column"'), tagsSchema()).default({}),
        constraints: z.record(z.string().regex(/^[^.]+\.[^.]+\.[^.]+$/, 'write constraints as "schema.table.constraint"'), tagsSchema()).default({}),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Per-operation limits, checked before anything runs (src/serve/use-limits.ts): each answers with a clear error. */
    limits: z
      .object({
        maxDepth: z.number().int().min(1).default(15),
        /** 100 aliased lookups in one request is a normal batching client; 200 leaves room. */
        maxAliases: z.number().int().min(0).default(200),
        maxTokens: z.number().int().min(1).default(20_000),
        maxDirectives: z.number().int().min(0).default(50),
        /**
         * Cost: 1 per field, a list's page size (first/last, else defaultPageSize; at most maxPageSize)
         * times its items' cost (src/serve/list-cost.ts). 100 aliased lookups cost ~300, a 100-row
         * page of 100-row pages ~20,000 + 10,000 per column; three nested 100-row pages over 1,000,000.
         */
        maxCost: z.number().int().min(1).default(250_000),
        /** Largest request body accepted (Content-Length), in bytes; larger is a 413. */
        maxBodyBytes: z.number().int().min(1).default(1_000_000),
        /**
         * Most rows one updateMany/deleteMany may touch: beyond it the write is rolled back with an
         * error giving the count (src/schema/bulk-writes.ts).
         */
        maxBulkRows: z.number().int().min(1).default(10_000),
      })
      .strict()
      .prefault({}),
    /** Documents run by id from a manifest file (src/serve/use-persisted-operations.ts); with `only`, nothing else runs. */
    persistedOperations: z
      .object({
        /** A JSON manifest: {"<id>": "<document>"} (Relay, GraphQL Codegen) or Apollo's persisted query manifest. */
        file: z.string().min(1).optional(),
        only: z.boolean().default(false),
      })
      .strict()
      .superRefine((persisted, ctx) => {
        if (persisted.only && !persisted.file) ctx.addIssue({ code: 'custom', path: ['file'], message: 'only: true needs the manifest file of the operations to run' })
        const problem = persisted.file ? manifestProblem(persisted.file) : undefined
        if (problem) ctx.addIssue({ code: 'custom', path: ['file'], message: problem })
      })
      .optional(),
    /**
     * Refuse the requests any web page can make a browser send here without a CORS preflight
     * (cross-site request forgery): POSTs without a Content-Type or with text/plain,
     * application/x-www-form-urlencoded or multipart/form-data, unless they carry one of
     * `requestHeaders` (src/serve/use-csrf-prevention.ts). No GraphQL client sends those.
     */
    csrfPrevention: z
      .object({
        enabled: z.boolean().default(true),
        /** Headers a page can only send after a preflight: one of them lets such a request through. */
        requestHeaders: z
          .array(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name'))
          .min(1)
          .default(['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name']),
        /** GETs too must carry one of requestHeaders (refuses plain GETs: links, curl, CDNs; queries only, GET runs no mutation). */
        checkGet: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Production mode: no introspection, no GraphiQL (NODE_ENV=production sets it). */
    production: z.boolean().default(false),
    /**
     * updateMany/deleteMany with no filter run on every row without `all: true`. Off: such a call is
     * refused (UNFILTERED_BULK_WRITE), so one cannot empty a table by accident.
     */
    allowUnfilteredBulkWrites: z.boolean().default(false),
    /** No mutations in the schema: a read-only API. */
    readOnly: z.boolean().default(false),
    /**
     * Streaming replicas (postgres:// URLs) for read-only operations: round robin among the healthy
     * ones, the primary when none is (src/db/read-replicas.ts). Mutations always go to the primary.
     */
    readReplicas: z.array(z.string().superRefine(checkDatabaseUrl)).default([]),
    /** How often each replica's health and replay position are checked. */
    replicaCheckIntervalMs: z.number().int().min(50).default(1_000),
    /** Redis, shared by every Portico process: the response cache's store (`cache`), and published events across replicas (src/live/pubsub.ts). Env PORTICO_REDIS_URL. */
    redisUrl: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
    /**
     * The response cache (src/serve/use-response-cache.ts): off unless `enabled`. In Redis when
     * redisUrl is set, else in this process's memory. TTLs in milliseconds; a table's
     * `@cacheTtl 30` smart comment (seconds) sets its type's, `ttlPerType` overrides.
     */
    cache: z
      .object({
        enabled: z.boolean().default(false),
        ttlMs: z.number().int().min(0).default(60_000),
        ttlPerType: z.record(z.string(), z.number().int().min(0)).default({}),
        redisKeyPrefix: z.string().default('portico:cache:'),
      })
      .strict()
      .prefault({}),
    /** How long a create's idempotency key remembers its first result. */
    idempotencyWindowMs: z.number().int().min(0).default(24 * 60 * 60 * 1000),
    /** Where idempotency keys are kept, shared by every Portico process ("schema.table"; created on first use). */
    idempotencyTable: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'write it as "schema.table" in lower-case letters, digits and underscores')
      .default('portico.idempotency_keys'),
    /**
     * Authorization through PostgreSQL: verify the request's `Authorization: Bearer` JWT, then run
     * all its statements in one transaction as the token's role, with its claims in
     * `request.jwt.claims` (src/db/request-session.ts). Absent: no authentication, the pool's user.
     */
    auth: z
      .object({
        /** HS256/384/512 shared secret (env PORTICO_JWT_SECRET). */
        jwtSecret: z.string().min(32, 'must be at least 32 characters: a shorter HMAC secret can be guessed').optional(),
        /** Or a JWKS URL for RS256/ES256/EdDSA tokens (env PORTICO_JWKS_URL); keys are cached. */
        jwksUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
        /** Accepted algorithms; default: HS* with a secret, the asymmetric ones with a JWKS. */
        algorithms: z.array(z.string().min(1)).min(1).optional(),
        /** Required `iss` and `aud` (env PORTICO_JWT_ISSUER, PORTICO_JWT_AUDIENCE). */
        issuer: z.string().min(1).optional(),
        audience: z.string().min(1).optional(),
        /** The claim holding the PostgreSQL role; a dotted path for nested claims. */
        roleClaim: z.string().min(1).default('role'),
        /** The roles a token may name: anything else is a 403 (env PORTICO_JWT_ROLES, comma-separated). */
        roles: z.array(z.string().min(1)).min(1),
        /** The role of a valid token without a role claim; none: such a token is a 403. */
        defaultRole: z.string().min(1).optional(),
        /** The role of requests without a token; none: they are a 401 (env PORTICO_ANONYMOUS_ROLE). */
        anonymousRole: z.string().min(1).optional(),
        /** Slack for clocks on `exp` and `nbf`, in seconds. */
        clockToleranceSeconds: z.number().int().min(0).default(30),
        /** How long fetched JWKS keys are used before they are fetched again. */
        jwksCacheMs: z.number().int().min(1_000).default(600_000),
        /** A token naming an unknown key refetches the key set (rotation), at most this often. */
        jwksCooldownMs: z.number().int().min(0).default(30_000),
      })
      .strict()
      .superRefine((auth, ctx) => {
        if (!auth.jwtSecret === !auth.jwksUrl) ctx.addIssue({ code: 'custom', message: 'give exactly one of jwtSecret (HS256) and jwksUrl (RS256/ES256)' })
        if (auth.defaultRole && !auth.roles.includes(auth.defaultRole)) ctx.addIssue({ code: 'custom', path: ['defaultRole'], message: 'must be one of roles' })
      })
      .optional(),
    /**
     * OpenTelemetry traces: a span per GraphQL operation, a child span per SQL statement
     * (src/serve/tracing.ts). Absent, or `enabled` false: off, nothing installed, nothing costs.
     */
    tracing: z
      .object({
        /** Env PORTICO_TRACING=otlp|console switches it on with that exporter. */
        enabled: z.boolean().default(false),
        /** `otlp`: OTLP over HTTP to a collector; `console`: spans printed on stdout. */
        exporter: z.enum(['otlp', 'console']).default('otlp'),
        /** The collector's base URL, traces going to <endpoint>/v1/traces (env OTEL_EXPORTER_OTLP_ENDPOINT); default http://localhost:4318. */
        endpoint: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
        serviceName: z.string().min(1).default('portico'),
      })
      .strict()
      .optional(),
    /** Live data: `@live` queries, `<type>Changed` subscriptions, their transports (src/live/, src/serve/). */
    live: z
      .object({
        /** How often live queries are re-run (those reading only tables with change triggers: only after a change). */
        intervalMs: z.number().int().min(10).default(1_000),
        /** Subscriptions (live queries and subscription fields) open at once in this process; more are refused. */
        maxSubscriptions: z.number().int().min(1).default(20_000),
        /** Subscriptions open at once on one WebSocket or one single-connection SSE stream. */
        maxSubscriptionsPerConnection: z.number().int().min(1).default(100),
        /** Results waiting for a slow consumer; when full, its subscription ends with an error. */
        queueSize: z.number().int().min(1).default(32),
        /** Tables whose change triggers are installed at start ("schema.table"), as `portico triggers install` does. */
        triggers: z.array(z.string().regex(TABLE_NAME, 'write tables as "schema.table"')).default([]),
        /** Topics of `portico.publish` that clients may subscribe to (`Subscription.published(topic:)`). */
        topics: z.array(z.string().regex(/^[\w.:-]{1,100}$/, 'a topic is letters, digits, _ . : -')).default([]),
        /** The direct connection for LISTEN when databaseUrl goes through a transaction pooler (env PORTICO_LISTEN_URL). */
        listenUrl: z.string().superRefine(checkDatabaseUrl).optional(),
      })
      .strict()
      .prefault({}),
    /** The embedded demo database (no databaseUrl): what `portico serve` does with it. */
    demo: z
      .object({
        /**
         * Every tickMs, one new reading per device and sensor (src/db/demo-ticker.ts), so live
         * queries and the dashboard move; 0: none (env PORTICO_DEMO_TICK_MS). Unused with a databaseUrl.
         */
        tickMs: z.number().int().refine((ms) => ms === 0 || ms >= 100, 'must be 0 (off) or at least 100').default(3_000),
      })
      .strict()
      .prefault({}),
    /**
     * Extension modules, each default-exporting `(builder, portico) => void` (src/schema/extend.ts):
     * paths relative to the config file (flags: to the working directory); `.ts` files are fine.
     */
    extensions: z
      .array(z.string().min(1))
      .superRefine((files, ctx) => {
        files.forEach((file, i) => {
          if (!existsSync(file)) ctx.addIssue({ code: 'custom', path: [i], message: `extension file ${file} does not exist` })
        })
      })
      .default([]),
    /** The Apollo Federation 2 subgraph served at /graphql (`_service`, `_entities`). */
    federation: z
      .object({
        /** Serve the subgraph's fields and directives; false serves the plain schema. */
        enabled: z.boolean().default(true),
        /** Types that are entities (`@key` on their key); default: every type with a key. */
        entities: z.array(z.string().min(1)).optional(),
        /** Types ("Film") or fields ("Film.title") marked @shareable. */
        shareable: z.array(z.string().min(1)).default([]),
        /** Types or fields marked @inaccessible: composed, but hidden from the supergraph's clients. */
        inaccessible: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((c) => c.defaultPageSize <= c.maxPageSize, { message: 'defaultPageSize must not exceed maxPageSize', path: ['defaultPageSize'] })

export type PorticoConfig = z.infer<typeof configSchema>

/** The schemas exposed when none are configured. */
export const DEFAULT_SCHEMAS = ['public']
export type ConfigInput = z.input<typeof configSchema>

// Bad configuration: start-up stops with the message (exit 2). Raised below config/ too, so it lives in the leaf.
export { ConfigError } from '../errors.js'
import { ConfigError } from '../errors.js'

export const DEFAULT_CONFIG_FILE = 'portico.config.json'

/** Environment variables and the config keys they set. */
const ENVIRONMENT: Record<string, { key: keyof ConfigInput | `auth.${string}` | `live.${string}` | `demo.${string}`; parse: (value: string) => unknown }> = {
  PORTICO_JWT_SECRET: { key: 'auth.jwtSecret', parse: String },
  PORTICO_JWKS_URL: { key: 'auth.jwksUrl', parse: String },
  PORTICO_JWT_ISSUER: { key: 'auth.issuer', parse: String },
  PORTICO_JWT_AUDIENCE: { key: 'auth.audience', parse: String },
  PORTICO_JWT_ROLES: { key: 'auth.roles', parse: splitList },
  PORTICO_ANONYMOUS_ROLE: { key: 'auth.anonymousRole', parse: String },
  DATABASE_URL: { key: 'databaseUrl', parse: String },
  PORTICO_POOLER_URL: { key: 'poolerUrl', parse: String },
  PORTICO_SCHEMAS: { key: 'schemas', parse: splitList },
  HOST: { key: 'host', parse: String },
  PORT: { key: 'port', parse: Number },
  PORTICO_POOL_SIZE: { key: 'poolSize', parse: Number },
  PORTICO_DEFAULT_PAGE_SIZE: { key: 'defaultPageSize', parse: Number },
  PORTICO_MAX_PAGE_SIZE: { key: 'maxPageSize', parse: Number },
  PORTICO_TEXT_SEARCH_CONFIG: { key: 'textSearchConfig', parse: String },
  PORTICO_LOG_LEVEL: { key: 'logLevel', parse: String },
  PORTICO_STATEMENT_TIMEOUT_MS: { key: 'statementTimeoutMs', parse: Number },
  PORTICO_REDIS_URL: { key: 'redisUrl', parse: String },
  PORTICO_LISTEN_URL: { key: 'live.listenUrl', parse: String },
  NODE_ENV: { key: 'production', parse: (value) => value === 'production' },
  PORTICO_READ_ONLY: { key: 'readOnly', parse: (value) => value === 'true' || value === '1' },
  PORTICO_DEMO_TICK_MS: { key: 'demo.tickMs', parse: Number },
  PORTICO_READ_REPLICAS: { key: 'readReplicas', parse: splitList },
}

/**
 * The tracing members the environment sets: PORTICO_TRACING=otlp|console switches tracing on with
 * that exporter (`off`: off), and OpenTelemetry's standard OTEL_EXPORTER_OTLP_ENDPOINT is honoured.
 */
function tracingFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const members: Record<string, unknown> = {}
  const mode = env.PORTICO_TRACING
  if (mode === 'off' || mode === 'false' || mode === '0') members.enabled = false
  else if (mode) Object.assign(members, { enabled: true, exporter: mode })
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) members.endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT
  return Object.keys(members).length > 0 ? members : undefined
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

export interface LoadConfigOptions {
  /** Explicit config file (--config / PORTICO_CONFIG); a missing explicit file is an error. */
  file?: string
  /** Values from command-line flags, highest precedence. */
  flags?: Partial<ConfigInput>
  env?: NodeJS.ProcessEnv
  cwd?: string
}

export function loadConfig(options: LoadConfigOptions = {}): PorticoConfig {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const configFile = options.file ?? env.PORTICO_CONFIG
  const fromFile = readConfigFile(configFile, cwd)
  // Extension files are relative to the file that names them; the flags' to the working directory.
  if (Array.isArray(fromFile.extensions)) {
    const dir = dirname(resolve(cwd, configFile ?? DEFAULT_CONFIG_FILE))
    fromFile.extensions = fromFile.extensions.map((file: unknown) => (typeof file === 'string' ? resolve(dir, file) : file))
  }
  const merged: Record<string, unknown> = { ...fromFile }
  for (const [name, { key, parse }] of Object.entries(ENVIRONMENT)) {
    const value = env[name]
    if (value === undefined || value === '') continue
    // "auth.jwtSecret": one member of a section, the file's other members kept.
    const [section, member] = key.split('.') as [string, string | undefined]
    if (member === undefined) merged[section] = parse(value)
    else merged[section] = { ...(merged[section] as object | undefined), [member]: parse(value) }
  }
  const tracing = tracingFromEnv(env)
  if (tracing) merged.tracing = { ...(merged.tracing as object | undefined), ...tracing }
  const flags = Object.fromEntries(Object.entries(options.flags ?? {}).filter(([, v]) => v !== undefined))
  // --extension adds to the config file's list.
  if (Array.isArray(flags.extensions)) {
    flags.extensions = [...((merged.extensions as string[] | undefined) ?? []), ...flags.extensions.map((file: string) => resolve(cwd, file))]
  }
  const result = configSchema.safeParse({ ...merged, ...flags })
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(config)'}: ${issue.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

function readConfigFile(explicit: string | undefined, cwd: string): Record<string, unknown> {
  const path = resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE)
  if (!existsSync(path)) {
    if (explicit) throw new ConfigError(`config file ${path} does not exist`)
    return {}
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be an object')
    const { $schema: _ignored, ...rest } = parsed as Record<string, unknown>
    return rest
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(error as Error).message}`)
  }
}

/** The URL with its password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    // pg also takes the password as a query parameter.
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***')
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}
