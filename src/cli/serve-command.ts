/** `portico serve`: introspect, build and serve until SIGTERM/SIGINT. */
import { DEFAULT_SCHEMAS, type PorticoConfig } from '../config/config.js'
import { createGateway } from '../gateway.js'
import { createLogger } from '../log.js'
import { listen } from '../serve/http-server.js'
import { watchSchema } from '../serve/schema-watch.js'
import { installShutdown } from '../serve/shutdown.js'
import { startTracing } from '../serve/tracing.js'
import { openDatabase } from './database.js'
import { createProgress } from './progress.js'

export interface ServeOptions {
  /** Rebuild and swap the schema when the database's structure changes (src/serve/schema-watch.ts). */
  watch?: boolean
}

export async function runServe(config: PorticoConfig, options: ServeOptions = {}): Promise<void> {
  const progress = createProgress()
  const logger = createLogger(config.logLevel)
  const database = await openDatabase(config, progress)
  // Before the gateway, whose plugins trace into the provider registered here (when enabled).
  const tracing = await startTracing(database.config.tracing, { logger })
  try {
    if (tracing.destination) progress(`tracing: spans to ${tracing.destination}`)
    const gateway = await createGateway({ databaseUrl: database.url, config: database.config, logger, onProgress: progress })
    // Rebuilds log through the logger, not the start-up progress lines.
    const build = () => createGateway({ databaseUrl: database.url, config: database.config, logger, onProgress: (message) => logger.debug(message) })
    const watch = options.watch ? await watchSchema({ initial: gateway, build, databaseUrl: database.url, schemas: database.config.schemas ?? DEFAULT_SCHEMAS, logger }) : undefined
    const server = await listen(watch ? watch.handler : gateway.yoga, { host: config.host, port: config.port, logger })
    installShutdown(
      [
        { name: 'http server', close: server.close },
        { name: 'database pool', close: watch ? watch.close : gateway.close },
        { name: 'embedded database', close: database.close },
        // Last: the spans of the requests finished during shutdown are exported too.
        { name: 'tracing', close: tracing.close },
      ],
      logger,
    )
    const models = [...gateway.datamodel.models.keys()]
    progress(`serving ${models.length} types (${models.join(', ')}) from ${database.embedded ? 'the embedded demo database' : 'the database'}`)
    progress(`GraphiQL and GraphQL over HTTP: ${server.url}`)
    if (watch) progress(`watching the database for structure changes (${watch.mode === 'event trigger' ? 'event trigger: at once' : 'polling every 2 s'})`)
    progress('health: /healthz (process), /readyz (database and schema); Ctrl-C to stop')
  } catch (error) {
    await tracing.close().catch(() => {})
    await database.close().catch(() => {})
    throw error
  }
}
