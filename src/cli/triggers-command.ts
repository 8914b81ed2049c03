/**
 * `portico triggers install --tables a,b` / `portico triggers uninstall --tables a,b`: the change
 * triggers of live data (src/live/triggers.ts). Tables are "schema.table", or "table" in the
 * exposed schemas; their keys (primary or declared in the config) are what the triggers send.
 */
import type { PorticoConfig } from '../config/config.js'
import { createGateway } from '../gateway.js'
import { createLogger } from '../log.js'
import { installTriggers, qualifiedName, resolveTables, uninstallTriggers } from '../live/triggers.js'
import { openDatabase } from './database.js'
import { createProgress } from './progress.js'

export async function runTriggers(config: PorticoConfig, action: 'install' | 'uninstall', tables: string[]): Promise<void> {
  const progress = createProgress()
  const database = await openDatabase(config, progress)
  try {
    const gateway = await createGateway({ databaseUrl: database.url, config: database.config, logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel), onProgress: () => {} })
    try {
      const models = resolveTables(gateway.datamodel.models.values(), tables)
      await (action === 'install' ? installTriggers : uninstallTriggers)(gateway.pool, models)
      for (const model of models) {
        const keys = model.key.length ? `keys ${model.key.join(', ')}` : 'no key: changes notify the table only'
        progress(`${action === 'install' ? 'installed' : 'removed'} the change triggers of ${qualifiedName(model)}${action === 'install' ? ` (${keys})` : ''}`)
      }
    } finally {
      await gateway.close()
    }
  } finally {
    await database.close()
  }
}
