/**
 * createPortico: the gateway `portico serve` runs, as a value to mount in an existing Node server
 * (`http.createServer(portico.handler)`, or under a path of an Express/Fastify app), with the
 * same configuration (a config file, the environment, then the options given here) and
 * extensions given as functions as well as files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { GraphQLSchema } from 'graphql'
import { openDatabase } from './cli/database.js'
import { loadConfig, type ConfigInput, type PorticoConfig } from './config/config.js'
import { createGateway, type Gateway } from './gateway.js'
import { createLogger, type Logger } from './log.js'
import type { PorticoApi } from './schema/extend.js'
import type { PorticoServer } from './serve/compiled-lane.js'

export interface CreatePorticoOptions {
  /** PostgreSQL URL; else the config's (DATABASE_URL, the config file), else the embedded demo database. */
  databaseUrl?: string
  /** Configuration, as portico.config.json holds it (highest precedence); extension paths relative to `cwd`. */
  config?: Partial<ConfigInput>
  /** A config file to read first (default: portico.config.json in `cwd`, if there is one). */
  configFile?: string
  /** Environment variables to read configuration from (default: process.env). */
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Extensions as functions, called after those of the config's files. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  extensions?: ((builder: any, portico: PorticoApi<any>) => void)[]
  /** Default: pino JSON lines on stderr at the config's logLevel. */
  logger?: Logger
  /** Called with every SQL statement sent. */
  onQuery?: (sql: string) => void
}

export interface PorticoInstance {
  /** The server (Yoga, with the compiled lane in front): `yoga.fetch(request)` for fetch-style servers. */
  yoga: PorticoServer
  /** A Node request listener serving `/graphql`, `/healthz`, `/readyz`: `http.createServer(portico.handler)`. */
  handler: (request: IncomingMessage, response: ServerResponse) => void
  schema: GraphQLSchema
  config: PorticoConfig
  gateway: Gateway
  /** Closes the pool (and the embedded database, if one was started). */
  close(): Promise<void>
}

export async function createPortico(options: CreatePorticoOptions = {}): Promise<PorticoInstance> {
  const flags = { ...options.config, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}) }
  const config = loadConfig({ file: options.configFile, flags, env: options.env, cwd: options.cwd })
  const logger = options.logger ?? createLogger(config.logLevel)
  const database = await openDatabase(config, (message) => logger.info(message))
  try {
    const gateway = await createGateway({
      databaseUrl: database.url,
      config: database.config,
      logger,
      onProgress: (message) => logger.info(message),
      onQuery: options.onQuery,
      extensions: options.extensions,
    })
    return {
      yoga: gateway.yoga,
      handler: (request, response) => void gateway.yoga(request, response),
      schema: gateway.schema,
      config: database.config,
      gateway,
      async close() {
        await gateway.close()
        await database.close()
      },
    }
  } catch (error) {
    await database.close().catch(() => {})
    throw error
  }
}
