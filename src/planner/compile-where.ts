/**
 * GraphQL `where` input -> a SQL condition on one table alias. The inputs are shaped like
 * Prisma's (see ../schema/filters.ts) and mean what Prisma's mean: `not` is SQL's `<>`,
 * `every` holds for no related rows, `mode: INSENSITIVE` ignores case, and a null operand
 * is no condition. Values are parameters cast to the column's type.
 */
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import type { FunctionInfo } from '../model/functions.js'
import { arrayType, column, columnType, join, tableName, toText, type Params } from './sql.js'
import { choice, sql, trusted, type Sql } from './sql-text.js'
import { callSql } from './compile-function.js'
import { joinCondition } from './joins.js'
import { jsonCondition } from './json-filter.js'
import { fullTextCondition } from './full-text.js'

type Input = Record<string, unknown>

export function compileWhere(datamodel: Datamodel, model: ModelInfo, alias: Sql, input: Input | null | undefined, params: Params): Sql {
  if (!input) return sql`TRUE`
  const conditions: Sql[] = []
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue
    if (key === 'AND') conditions.push(all((value as Input[]).map((item) => compileWhere(datamodel, model, alias, item, params))))
    else if (key === 'OR') conditions.push(any((value as Input[]).map((item) => compileWhere(datamodel, model, alias, item, params))))
    else if (key === 'NOT') conditions.push(sql`NOT (${compileWhere(datamodel, model, alias, value as Input, params)})`)
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

const all = (items: Sql[]): Sql => (items.length === 0 ? sql`TRUE` : items.length === 1 ? items[0]! : join(items.map((c) => sql`(${c})`), sql` AND `))
const any = (items: Sql[]): Sql => (items.length === 0 ? sql`FALSE` : items.length === 1 ? items[0]! : join(items.map((c) => sql`(${c})`), sql` OR `))

/** The comparison operators, in the order they are written; each one's SQL from this fixed table. */
export const COMPARISONS = ['equals', 'not', 'lt', 'lte', 'gt', 'gte'] as const
export const COMPARISON_SQL: Record<(typeof COMPARISONS)[number], Sql> = { equals: sql`=`, not: sql`<>`, lt: sql`<`, lte: sql`<=`, gt: sql`>`, gte: sql`>=` }

const likePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

function scalarCondition(model: ModelInfo, alias: Sql, field: string, filter: Input, params: Params): Sql {
  const type = columnType(model, field)
  if (type === 'tsvector') return fullTextCondition(model, alias, field, filter, params)
  return valueCondition(column(model, alias, field), type, filter, params)
}

/**
 * A computed field's condition (`@filterable`, ../model/functions.ts): the function of the row,
 * called with its defaults, compared as a column of its type would be.
 */
function computedCondition(datamodel: Datamodel, model: ModelInfo, alias: Sql, fn: FunctionInfo, filter: Input, params: Params): Sql {
  const result = fn.returns as Extract<FunctionInfo['returns'], { kind: 'scalar' | 'array' }>
  const scalar = result.kind === 'array' ? result.element : result
  const labels = scalar.enum ? datamodel.enums.get(scalar.enum) : undefined
  const label = (v: unknown) => (labels && typeof v === 'string' ? (labels.get(v) ?? v) : v)
  const values = Object.fromEntries(Object.entries(filter).map(([op, v]) => [op, op === 'mode' || op === 'isNull' || op === 'isEmpty' || !labels ? v : Array.isArray(v) ? v.map(label) : label(v)]))
  const json = scalar.base === 'json' || scalar.base === 'jsonb'
  // The result's type as the catalog's format_type() wrote it (../model/functions.ts), names quoted.
  const type = trusted(result.kind === 'array' ? `${scalar.cast}[]` : json ? scalar.base : scalar.cast)
  return valueCondition(callSql(datamodel, params, fn, {}, { model, alias }), type, values, params)
}

/** Conditions on the value `col` of type `type` (format_type's text, `[]` for arrays), values cast to it. */
function valueCondition(col: Sql, type: Sql, filter: Input, params: Params): Sql {
  if (type === 'json' || type === 'jsonb') return jsonCondition(col, type, filter, params)
  // One value cast to the type; several as one array parameter (text[] for an array's values).
  const one = (v: unknown) => params.add(toText(v), type)
  const several = (vs: unknown[]) => params.add(vs.map(toText), arrayType(type))
  const conditions: Sql[] = []
  if (filter.isNull === true) conditions.push(sql`${col} IS NULL`)
  if (filter.isNull === false) conditions.push(sql`${col} IS NOT NULL`)
  if (type.endsWith('[]')) {
    // The element type: the array type's text without its brackets.
    const element = trusted(type.slice(0, -2))
    const array = (values: unknown) => one(values)
    if (filter.has != null) conditions.push(sql`${params.add(String(filter.has), element)} = ANY(${col})`)
    if (filter.hasEvery != null) conditions.push(sql`${col} @> ${array(filter.hasEvery)}`)
    if (filter.hasSome != null) conditions.push(sql`${col} && ${array(filter.hasSome)}`)
    if (filter.isEmpty != null) conditions.push(filter.isEmpty ? sql`cardinality(${col}) = 0` : sql`cardinality(${col}) > 0`)
    if (filter.equals != null) conditions.push(sql`${col} = ${array(filter.equals)}`)
    return all(conditions)
  }
  const insensitive = filter.mode === 'insensitive'
  const lhs = insensitive ? sql`lower(${col})` : col
  const value = (v: unknown) => {
    const placeholder = one(v)
    return insensitive ? sql`lower(${placeholder})` : placeholder
  }
  for (const op of COMPARISONS) if (filter[op] != null) conditions.push(sql`${lhs} ${choice(COMPARISON_SQL, op)} ${value(filter[op])}`)
  const list = (values: unknown[]) => {
    return several(insensitive ? values.map((v) => String(v).toLowerCase()) : values)
  }
  if (filter.in != null) conditions.push(sql`${lhs} = ANY(${list(filter.in as unknown[])})`)
  if (filter.notIn != null) conditions.push(sql`${lhs} <> ALL(${list(filter.notIn as unknown[])})`)
  const like = insensitive ? sql`ILIKE` : sql`LIKE`
  const text = (v: unknown, before: string, after: string) => params.add(`${before}${likePattern(String(v))}${after}`, sql`text`)
  if (filter.contains != null) conditions.push(sql`${col} ${like} ${text(filter.contains, '%', '%')}`)
  if (filter.startsWith != null) conditions.push(sql`${col} ${like} ${text(filter.startsWith, '', '%')}`)
  if (filter.endsWith != null) conditions.push(sql`${col} ${like} ${text(filter.endsWith, '%', '')}`)
  return all(conditions)
}

function relationCondition(datamodel: Datamodel, model: ModelInfo, alias: Sql, relation: string, filter: Input, params: Params): Sql {
  const field = model.relations.find((r) => r.name === relation)!
  const target = datamodel.models.get(field.type)!
  const inner = params.alias()
  const related = (condition: Sql) =>
    sql`EXISTS (SELECT 1 FROM ${tableName(target)} ${inner} WHERE ${joinCondition(model, alias, relation, target, inner)} AND (${condition}))`
  const nested = (value: unknown) => compileWhere(datamodel, target, inner, value as Input, params)
  const conditions: Sql[] = []
  if (field.isList) {
    if (filter.some) conditions.push(related(nested(filter.some)))
    if (filter.none) conditions.push(sql`NOT ${related(nested(filter.none))}`)
    if (filter.every) conditions.push(sql`NOT ${related(sql`NOT coalesce((${nested(filter.every)}), FALSE)`)}`)
  } else {
    if (filter.is) conditions.push(related(nested(filter.is)))
    if (filter.isNot) conditions.push(sql`NOT ${related(nested(filter.isNot))}`)
    if (filter.isNull === true) conditions.push(sql`NOT ${related(sql`TRUE`)}`)
    if (filter.isNull === false) conditions.push(related(sql`TRUE`))
  }
  return all(conditions)
}
