/**
 * A RowSelection (./extension-fields.ts) as SQL: a JSON object of the row's selected columns (in their
 * served forms, by Prisma field name), its selected relations (to-one an object or null, to-many
 * an array in key order) and relation counts under `_count`, read in the row's own statement.
 */
import type { Datamodel, DMMFField, ModelInfo } from '../model/datamodel.js'
import { joinCondition } from './joins.js'
import type { RowSelection } from './extension-fields.js'
import { column, join, jsonObject, sql, tableName, type Params, type Sql } from './sql.js'

/** A column in its served form (./compile-read.ts's columnValue, passed in: that module calls this one). */
export type ColumnReader = (datamodel: Datamodel, model: ModelInfo, alias: Sql, field: DMMFField) => Sql

export function rowSelectionJson(datamodel: Datamodel, params: Params, model: ModelInfo, selection: RowSelection, alias: Sql, columnValue: ColumnReader): Sql {
  const entries: [string, Sql][] = []
  for (const field of model.scalars) {
    if (selection.scalars === 'all' || selection.scalars.has(field.name)) entries.push([field.name, columnValue(datamodel, model, alias, field)])
  }
  const targetOf = (relation: string) => {
    const field = model.relations.find((r) => r.name === relation)!
    return { field, target: datamodel.models.get(field.type)! }
  }
  for (const [name, nested] of selection.relations) {
    const { field, target } = targetOf(name)
    const inner = params.alias()
    const object = rowSelectionJson(datamodel, params, target, nested, inner, columnValue)
    const where = joinCondition(model, alias, name, target, inner)
    if (!field.isList) entries.push([name, sql`(SELECT ${object} FROM ${tableName(target)} ${inner} WHERE ${where} LIMIT 1)`])
    else {
      const order = target.key.length ? sql` ORDER BY ${join(target.key.map((k) => column(target, inner, k)), sql`, `)}` : sql``
      entries.push([name, sql`(SELECT coalesce(json_agg(${object}${order}), '[]'::json) FROM ${tableName(target)} ${inner} WHERE ${where})`])
    }
  }
  if (selection.counts.size) {
    const counts = [...selection.counts].map((name): [string, Sql] => {
      const { target } = targetOf(name)
      const inner = params.alias()
      return [name, sql`(SELECT count(*)::int FROM ${tableName(target)} ${inner} WHERE ${joinCondition(model, alias, name, target, inner)})`]
    })
    entries.push(['_count', jsonObject(counts)])
  }
  // An empty select still makes an object: the resolver gets `{}`, not null.
  return entries.length ? jsonObject(entries) : sql`'{}'::json`
}
