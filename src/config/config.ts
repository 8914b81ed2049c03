/**
 * Portico's one typed configuration: defaults < config file < environment < command-line flags.
 * Validated once at start; every problem is reported in one readable line per field.
 */
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'

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

export const configSchema = z
  .object({
    /** PostgreSQL connection URL; none means the embedded demo database. */
    databaseUrl: z.string().superRefine(checkDatabaseUrl).optional(),
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
    /** Keys declared for tables and views that have no primary key, e.g. {"api.iotawatt": ["device","sensor","timestamp"]}. */
    primaryKeys: z
      .record(z.string(), z.array(z.string().min(1)).min(1))
      .superRefine((keys, ctx) => {
        for (const table of Object.keys(keys)) {
          if (!TABLE_NAME.test(table)) ctx.addIssue({ code: 'custom', path: [table], message: 'write tables as "schema.table"' })
        }
      })
      .default({}),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Per-operation limits, checked before anything runs (graphql-armor): each answers with a clear error. */
    limits: z
      .object({
        maxDepth: z.number().int().min(1).default(15),
        /** 100 aliased lookups in one request is a normal batching client; 200 leaves room. */
        maxAliases: z.number().int().min(0).default(200),
        maxTokens: z.number().int().min(1).default(20_000),
        maxDirectives: z.number().int().min(0).default(50),
        /** graphql-armor's cost: objects, scalars and depth (not list sizes; maxPageSize bounds those). It grows fast with depth: a 30 x 100 albums-with-tracks page costs about 105,000. */
        maxCost: z.number().int().min(1).default(1_000_000),
        /** Largest request body accepted (Content-Length), in bytes; larger is a 413. */
        maxBodyBytes: z.number().int().min(1).default(1_000_000),
      })
      .strict()
      .prefault({}),
    /** Production mode: no introspection, no GraphiQL (NODE_ENV=production sets it). */
    production: z.boolean().default(false),
    /** No mutations in the schema: a read-only API. */
    readOnly: z.boolean().default(false),
    /** How long a create's idempotency key remembers its first result. */
    idempotencyWindowMs: z.number().int().min(0).default(24 * 60 * 60 * 1000),
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

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export const DEFAULT_CONFIG_FILE = 'portico.config.json'

/** Environment variables and the config keys they set. */
const ENVIRONMENT: Record<string, { key: keyof ConfigInput; parse: (value: string) => unknown }> = {
  DATABASE_URL: { key: 'databaseUrl', parse: String },
  PORTICO_SCHEMAS: { key: 'schemas', parse: splitList },
  HOST: { key: 'host', parse: String },
  PORT: { key: 'port', parse: Number },
  PORTICO_POOL_SIZE: { key: 'poolSize', parse: Number },
  PORTICO_DEFAULT_PAGE_SIZE: { key: 'defaultPageSize', parse: Number },
  PORTICO_MAX_PAGE_SIZE: { key: 'maxPageSize', parse: Number },
  PORTICO_LOG_LEVEL: { key: 'logLevel', parse: String },
  PORTICO_STATEMENT_TIMEOUT_MS: { key: 'statementTimeoutMs', parse: Number },
  NODE_ENV: { key: 'production', parse: (value) => value === 'production' },
  PORTICO_READ_ONLY: { key: 'readOnly', parse: (value) => value === 'true' || value === '1' },
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
  const fromFile = readConfigFile(options.file ?? env.PORTICO_CONFIG, cwd)
  const fromEnv: Record<string, unknown> = {}
  for (const [name, { key, parse }] of Object.entries(ENVIRONMENT)) {
    const value = env[name]
    if (value !== undefined && value !== '') fromEnv[key] = parse(value)
  }
  const flags = Object.fromEntries(Object.entries(options.flags ?? {}).filter(([, v]) => v !== undefined))
  const result = configSchema.safeParse({ ...fromFile, ...fromEnv, ...flags })
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
