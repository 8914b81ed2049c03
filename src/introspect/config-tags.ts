/**
 * Smart tags from portico.config.json, for databases whose comments you cannot (or would rather
 * not) change: the same tags as in comments, by the object's qualified name. A tag given here
 * replaces the comment's values of that tag.
 *
 *   "smartTags": {
 *     "tables":      { "app.person_summary": { "primaryKey": "id", "foreignKey": "(id) references app.person (id)" } },
 *     "columns":     { "app.person.password_hash": { "omit": true } },
 *     "constraints": { "app.post.post_author_fkey": { "fieldName": "writer", "foreignFieldName": "writings" } }
 *   }
 *
 * The older `primaryKeys` setting is `tables.<name>.primaryKey`. A name that matches nothing is
 * returned as a warning for the start-up log (a typo must not silently do nothing), not an error:
 * one config file may serve databases that differ.
 */
import type { Catalog } from './catalog.js'
import type { TagValue, Tags } from './smart-tags.js'

export type ConfigTags = Record<string, TagValue | TagValue[]>

export interface SmartTagsConfig {
  tables?: Record<string, ConfigTags>
  columns?: Record<string, ConfigTags>
  constraints?: Record<string, ConfigTags>
}

export function applyConfigTags(catalog: Catalog, config: SmartTagsConfig = {}, primaryKeys: Record<string, string[]> = {}): string[] {
  const problems: string[] = []
  const tables: Record<string, ConfigTags> = { ...config.tables }
  for (const [table, columns] of Object.entries(primaryKeys)) tables[table] = { primaryKey: columns.join(','), ...tables[table] }
  for (const [name, tags] of Object.entries(tables)) {
    const relation = catalog.byName.get(name)
    if (relation) merge(relation.tags, tags)
    else problems.push(`smartTags.tables / primaryKeys: "${name}" is no table or view of the exposed schemas; ignored`)
  }
  for (const [name, tags] of Object.entries(config.columns ?? {})) {
    const [relationName, column] = splitLast(name)
    const found = catalog.byName.get(relationName)?.columns.find((c) => c.name === column)
    if (found) merge(found.tags, tags)
    else problems.push(`smartTags.columns: "${name}" is no column of the exposed schemas (write schema.table.column); ignored`)
  }
  for (const [name, tags] of Object.entries(config.constraints ?? {})) {
    const [relationName, constraint] = splitLast(name)
    const relation = catalog.byName.get(relationName)
    const found = relation?.foreignKeys.find((k) => k.name === constraint) ?? relation?.uniqueKeys.find((k) => k.name === constraint)
    if (found) merge(found.tags, tags)
    else problems.push(`smartTags.constraints: "${name}" is no foreign key or unique key of the exposed schemas (write schema.table.constraint); ignored`)
  }
  return problems
}

function merge(target: Tags, tags: ConfigTags): void {
  for (const [tag, value] of Object.entries(tags)) target[tag] = Array.isArray(value) ? [...value] : [value]
}

function splitLast(name: string): [string, string] {
  const dot = name.lastIndexOf('.')
  return [name.slice(0, dot), name.slice(dot + 1)]
}
