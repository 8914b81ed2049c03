/** The SQL condition that joins a row of `model` (as `alias`) to its related rows of `target`. */
import type { ModelInfo } from '../model/datamodel.js'
import { column, join as joinSql, sql, type Sql } from './sql.js'

export function joinCondition(model: ModelInfo, alias: Sql, relation: string, target: ModelInfo, targetAlias: Sql): Sql {
  const join = model.joins.get(relation)
  if (!join) throw new Error(`${model.name}.${relation} has no join columns`)
  return joinSql(join.from.map((from, i) => sql`${column(target, targetAlias, join.to[i]!)} = ${column(model, alias, from)}`), sql` AND `)
}
