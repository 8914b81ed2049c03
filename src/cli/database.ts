/** The database a command works on: the configured URL, or else the embedded demo. */
import type { PorticoConfig } from '../config/config.js'

export interface CommandDatabase {
  url: string
  config: PorticoConfig
  /** True when this is the embedded demo database. */
  embedded: boolean
  close(): Promise<void>
}

/** The demo holds the reference database's schema. */
const DEMO_SCHEMAS = ['api']

export async function openDatabase(config: PorticoConfig, progress: (message: string) => void): Promise<CommandDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, config, embedded: false, close: async () => {} }
  progress('no database configured (--database-url or DATABASE_URL): starting the embedded demo database')
  // Imported only when needed: PGlite is large, and most runs name a database.
  const { startDemoDatabase } = await import('../db/demo-database.js')
  const demo = await startDemoDatabase({ log: progress })
  return {
    url: demo.url,
    config: { ...config, schemas: config.schemas ?? DEMO_SCHEMAS },
    embedded: true,
    close: demo.close,
  }
}
