/**
 * GraphQL `where` input -> a SQL condition on one table alias. The inputs are shaped like
 * Prisma's (see ../schema/filters.ts) and mean what Prisma's mean: `not` is SQL's `<>`,
 * `every` holds for no related rows, `mode: INSENSITIVE` ignores case, and a null operand
 * is no condition. Values are parameters cast to the column's type.
 */
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import type { FunctionInfo } from '../model/functions.js'
import { column, columnType, tableName, toText, type Params } from './sql.js'
import { callSql } from './compile-function.js'
import { joinCondition } from './joins.js'
import { jsonCondition } from './json-filter.js'
import { fullTextCondition } from './full-text.js'

type Input = Record<string, unknown>

export function compileWhere(datamodel: Datamodel, model: ModelInfo, alias: string, input: Input | null | undefined, params: Params): string {
  if (!input) return 'TRUE'
  const conditions: string[] = []
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue
    if (key === 'AND') conditions.push(all((value as Input[]).map((item) => compileWhere(datamodel, model, alias, item, params))))
    else if (key === 'OR') conditions.push(any((value as Input[]).map((item) => compileWhere(datamodel, model, alias, item, params))))
    else if (key === 'NOT') conditions.push(`NOT (${compileWhere(datamodel, model, alias, value as Input, params)})`)
    else {
      const relation = model.relations.find((r) => r.name === key)
      const computed = datamodel.computed.get(model.name)?.get(key)
      if (relation) conditions.push(relationCondition(datamodel, model, alias, relation.name, value as Input, params))
      else if (computed) conditions.push(computedCondition(datamodel, model, alias, computed, value as Input, params))
      else conditions.push(scalarCondition(model, alias, key, dbValues(datamodel, model, key, value as Input), params))
    }
  }
  return all(conditions)
}

/** Enum values by GraphQL name -> the database's labels (`PG_13` -> 'PG-13'). */
export function enumLabels(datamodel: Datamodel, enumName: string): Map<string, string> {
  return datamodel.enums.get(enumName) ?? new Map()
}

/** A value of an enum column as the database stores it; other values unchanged. */
export function toDbValue(datamodel: Datamodel, model: ModelInfo, field: string, value: unknown): unknown {
  const scalar = model.scalars.find((f) => f.name === field)
  if (scalar?.kind !== 'enum') return value
  const labels = enumLabels(datamodel, scalar.type)
  const one = (v: unknown) => (typeof v === 'string' ? (labels.get(v) ?? v) : v)
  return Array.isArray(value) ? value.map(one) : one(value)
}

function dbValues(datamodel: Datamodel, model: ModelInfo, field: string, filter: Input): Input {
  return Object.fromEntries(Object.entries(filter).map(([op, v]) => [op, op === 'mode' || op === 'isNull' || op === 'isEmpty' ? v : toDbValue(datamodel, model, field, v)]))
}

const all = (items: string[]) => (items.length === 0 ? 'TRUE' : items.length === 1 ? items[0]! : items.map((c) => `(${c})`).join(' AND '))
const any = (items: string[]) => (items.length === 0 ? 'FALSE' : items.length === 1 ? items[0]! : items.map((c) => `(${c})`).join(' OR '))

const likePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

function scalarCondition(model: ModelInfo, alias: string, field: string, filter: Input, params: Params): string {
  const type = columnType(model, field)
  if (type === 'tsvector') return fullTextCondition(model, alias, field, filter, params)
  return valueCondition(column(model, alias, field), type, filter, params)
}

/**
 * A computed field's condition (`@filterable`, ../model/functions.ts): the function of the row,
 * called with its defaults, compared as a column of its type would be.
 */
function computedCondition(datamodel: Datamodel, model: ModelInfo, alias: string, fn: FunctionInfo, filter: Input, params: Params): string {
  const result = fn.returns as Extract<FunctionInfo['returns'], { kind: 'scalar' | 'array' }>
  const scalar = result.kind === 'array' ? result.element : result
  const labels = scalar.enum ? datamodel.enums.get(scalar.enum) : undefined
  const label = (v: unknown) => (labels && typeof v === 'string' ? (labels.get(v) ?? v) : v)
  const values = Object.fromEntries(Object.entries(filter).map(([op, v]) => [op, op === 'mode' || op === 'isNull' || op === 'isEmpty' || !labels ? v : Array.isArray(v) ? v.map(label) : label(v)]))
  const json = scalar.base === 'json' || scalar.base === 'jsonb'
  const type = result.kind === 'array' ? `${scalar.cast}[]` : json ? scalar.base : scalar.cast
  return valueCondition(callSql(datamodel, params, fn, {}, { model, alias }), type, values, params)
}

/** Conditions on the value `col` of type `type` (format_type's text, `[]` for arrays), values cast to it. */
function valueCondition(col: string, type: string, filter: Input, params: Params): string {
  if (type === 'json' || type === 'jsonb') return jsonCondition(col, type, filter, params)
  // One value cast to the type; several as one array parameter (text[] for an array's values).
  const one = (v: unknown) => params.add(toText(v), type)
  const several = (vs: unknown[]) => params.add(vs.map(toText), type.endsWith('[]') ? 'text[]' : `${type}[]`)
  const conditions: string[] = []
  if (filter.isNull === true) conditions.push(`${col} IS NULL`)
  if (filter.isNull === false) conditions.push(`${col} IS NOT NULL`)
  if (type.endsWith('[]')) {
    const element = type.slice(0, -2)
    const array = (values: unknown) => one(values)
    if (filter.has != null) conditions.push(`${params.add(String(filter.has), element)} = ANY(${col})`)
    if (filter.hasEvery != null) conditions.push(`${col} @> ${array(filter.hasEvery)}`)
    if (filter.hasSome != null) conditions.push(`${col} && ${array(filter.hasSome)}`)
    if (filter.isEmpty != null) conditions.push(filter.isEmpty ? `cardinality(${col}) = 0` : `cardinality(${col}) > 0`)
    if (filter.equals != null) conditions.push(`${col} = ${array(filter.equals)}`)
    return all(conditions)
  }
  const insensitive = filter.mode === 'insensitive'
  const lhs = insensitive ? `lower(${col})` : col
  const value = (v: unknown) => {
    const placeholder = one(v)
    return insensitive ? `lower(${placeholder})` : placeholder
  }
  const ops: [string, string][] = [['equals', '='], ['not', '<>'], ['lt', '<'], ['lte', '<='], ['gt', '>'], ['gte', '>=']]
  for (const [op, sql] of ops) if (filter[op] != null) conditions.push(`${lhs} ${sql} ${value(filter[op])}`)
  const list = (values: unknown[]) => {
    return several(insensitive ? values.map((v) => String(v).toLowerCase()) : values)
  }
  if (filter.in != null) conditions.push(`${lhs} = ANY(${list(filter.in as unknown[])})`)
  if (filter.notIn != null) conditions.push(`${lhs} <> ALL(${list(filter.notIn as unknown[])})`)
  const like = insensitive ? 'ILIKE' : 'LIKE'
  const text = (v: unknown, before: string, after: string) => params.add(`${before}${likePattern(String(v))}${after}`, 'text')
  if (filter.contains != null) conditions.push(`${col} ${like} ${text(filter.contains, '%', '%')}`)
  if (filter.startsWith != null) conditions.push(`${col} ${like} ${text(filter.startsWith, '', '%')}`)
  if (filter.endsWith != null) conditions.push(`${col} ${like} ${text(filter.endsWith, '%', '')}`)
  return all(conditions)
}

function relationCondition(datamodel: Datamodel, model: ModelInfo, alias: string, relation: string, filter: Input, params: Params): string {
  const field = model.relations.find((r) => r.name === relation)!
  const target = datamodel.models.get(field.type)!
  const inner = params.alias()
  const related = (condition: string) =>
    `EXISTS (SELECT 1 FROM ${tableName(target)} ${inner} WHERE ${joinCondition(model, alias, relation, target, inner)} AND (${condition}))`
  const nested = (value: unknown) => compileWhere(datamodel, target, inner, value as Input, params)
  const conditions: string[] = []
  if (field.isList) {
    if (filter.some) conditions.push(related(nested(filter.some)))
    if (filter.none) conditions.push(`NOT ${related(nested(filter.none))}`)
    if (filter.every) conditions.push(`NOT ${related(`NOT coalesce((${nested(filter.every)}), FALSE)`)}`)
  } else {
    if (filter.is) conditions.push(related(nested(filter.is)))
    if (filter.isNot) conditions.push(`NOT ${related(nested(filter.isNot))}`)
    if (filter.isNull === true) conditions.push(`NOT ${related('TRUE')}`)
    if (filter.isNull === false) conditions.push(related('TRUE'))
  }
  return all(conditions)
}
