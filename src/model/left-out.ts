/**
 * The columns the API does not serve, and why: every column of the exposed schemas should reach
 * the API unless a smart tag hides it (`@omit`). Start-up logs each one; the tests assert there
 * are none on every fixture database.
 */
import type { Catalog } from '../introspect/catalog.js'
import { isOmitted } from './omit.js'
import type { ModelInfo } from './datamodel.js'

export interface LeftOutColumn {
  table: string
  column: string
  type: string
  reason: string
}

export function leftOutColumns(models: Iterable<ModelInfo>, catalog: Catalog): LeftOutColumn[] {
  const served = new Map([...models].map((m) => [`${m.table.schema}.${m.table.name}`, m]))
  const left: LeftOutColumn[] = []
  for (const relation of catalog.relations) {
    const table = `${relation.schema}.${relation.name}`
    if (isOmitted(relation.tags, table)) continue
    const model = served.get(table)
    for (const column of relation.columns) {
      if (model?.fieldByColumn.has(column.name) || isOmitted(column.tags, `${table}.${column.name}`)) continue
      const reason = model ? 'the column has no field (its type is not served)' : 'the table or view is not served'
      left.push({ table, column: column.name, type: column.domain ?? column.type, reason })
    }
  }
  return left
}
