/**
 * Full-text searches name a text search configuration in every statement (../planner/full-text.ts):
 * the configured default and each column's `@textSearchConfig` are checked once at start, so a
 * misspelt one stops the start with a line naming it instead of failing every search.
 */
import { ConfigError } from '../errors.js'
import type { Query } from '../introspect/catalog.js'
import type { Datamodel } from './datamodel.js'

export async function checkTextSearchConfigs(query: Query, datamodel: Datamodel, configured: string | undefined): Promise<void> {
  const uses = new Map<string, string>()
  if (configured) uses.set(configured, 'textSearchConfig')
  for (const model of datamodel.models.values()) {
    for (const column of model.columns.values()) {
      if (column.textSearchConfig && !uses.has(column.textSearchConfig)) {
        uses.set(column.textSearchConfig, `@textSearchConfig of ${model.table.schema}.${model.table.name}.${column.name}`)
      }
    }
  }
  for (const [name, where] of uses) {
    try {
      await query('SELECT $1::text::regconfig', [name])
    } catch (error) {
      throw new ConfigError(`${where}: "${name}" is not a text search configuration of the database (${(error as Error).message}); see \\dF in psql`)
    }
  }
}
