/** The SQL condition that joins a row of `model` (as `alias`) to its related rows of `target`. */
import type { ModelInfo } from '../model/datamodel.js'
import { column } from './sql.js'

export function joinCondition(model: ModelInfo, alias: string, relation: string, target: ModelInfo, targetAlias: string): string {
  const join = model.joins.get(relation)
  if (!join) throw new Error(`${model.name}.${relation} has no join columns`)
  return join.from.map((from, i) => `${column(target, targetAlias, join.to[i]!)} = ${column(model, alias, from)}`).join(' AND ')
}
