/** `portico serve`: introspect, build and serve until SIGTERM/SIGINT. */
import type { Server } from 'node:http'
import { DEFAULT_SCHEMAS, type PorticoConfig } from '../config/config.js'
import { createGateway } from '../gateway.js'
import { createLogger } from '../log.js'
import { listen } from '../serve/http-server.js'
import { watchSchema } from '../serve/schema-watch.js'
import { attachWatchedWebSocket } from '../serve/watched-websocket.js'
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
    // WebSocket: one server on the HTTP server. Watching, it is the process's, not a gateway's: each
    // operation runs on the gateway current when it starts, and carries on there after a swap
    // (src/serve/watched-websocket.ts).
    const attach = (http: Server) => {
      if (!watch) return (gateway.live.attach(http), { close: gateway.live.close })
      return attachWatchedWebSocket(http, watch, {
        path: gateway.yoga.graphqlEndpoint,
        maxPerConnection: database.config.live.maxSubscriptionsPerConnection,
        maxPayloadBytes: database.config.limits.maxBodyBytes,
        logger,
      })
    }
    const server = await listen(watch ? watch.handler : gateway.yoga, { host: config.host, port: config.port, logger, attach })
    const ticker = database.embedded && config.demo.tickMs > 0 ? await startTicker(database.url, config.demo.tickMs, progress) : undefined
    installShutdown(
      [
        { name: 'http server', close: server.close },
        { name: 'database pool', close: watch ? watch.close : gateway.close },
        { name: 'demo readings', close: async () => ticker?.stop() },
        { name: 'embedded database', close: database.close },
        // Last: the spans of the requests finished during shutdown are exported too.
        { name: 'tracing', close: tracing.close },
      ],
      logger,
    )
    const models = [...gateway.datamodel.models.keys()]
    progress(`serving ${models.length} types (${models.join(', ')}) from ${database.embedded ? 'the embedded demo database' : 'the database'}`)
    progress(`GraphiQL and GraphQL over HTTP: ${server.url}`)
    if (ticker) progress(`demo: a new reading per sensor every ${config.demo.tickMs} ms (demo.tickMs, PORTICO_DEMO_TICK_MS=0: off)`)
    if (watch) progress(`watching the database for structure changes (${watch.mode === 'event trigger' ? 'event trigger: at once' : 'polling every 2 s'})`)
    progress('health: /healthz (process), /readyz (database and schema); Ctrl-C to stop')
  } catch (error) {
    await tracing.close().catch(() => {})
    await database.close().catch(() => {})
    throw error
  }
}

async function startTicker(url: string, intervalMs: number, log: (message: string) => void) {
  const { startDemoTicker } = await import('../db/demo-ticker.js')
  return startDemoTicker({ url, intervalMs, log })
}
