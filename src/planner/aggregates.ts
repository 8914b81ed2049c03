/**
 * Which columns aggregate how, and the SQL of an aggregate in its served form: sum and avg over
 * numeric columns (int sums as BigInt text, exact decimals as text), min and max over numbers,
 * dates and times, text and enums, non-NULL and distinct counts over every column with equality.
 * Shared by the schema (the aggregate types) and the compiler.
 */
import { allows, isOpaqueText, type Datamodel, type DMMFField, type ModelInfo } from '../model/datamodel.js'
import { elementValue } from './column-value.js'
import { choice, sql, type Sql } from './sql-text.js'

export type AggregateFunction = 'sum' | 'avg' | 'min' | 'max'

/** Counts per column: `nonNullCount` of the rows where it is not NULL, `distinctCount` of its distinct non-NULL values. */
export type CountFunction = 'nonNullCount' | 'distinctCount'

/** The SQL of each count: a fixed list, so no function name comes from a request. */
export const COUNT_SQL: Record<CountFunction, (column: Sql) => Sql> = {
  nonNullCount: (column) => sql`count(${column})`,
  distinctCount: (column) => sql`count(DISTINCT ${column})`,
}

/** The name of each aggregate function: the only text a request's choice of function can write. */
const AGGREGATE_NAMES: Record<AggregateFunction, Sql> = { sum: sql`sum`, avg: sql`avg`, min: sql`min`, max: sql`max` }

/**
 * Columns whose values PostgreSQL can tell equal (what DISTINCT needs): every type but json (jsonb
 * has equality, json has none) and the text-read types with no useful equality (tsvector,
 * geometric types, macaddr: ../model/datamodel.ts isOpaqueText); arrays of such types neither.
 */
export function countableFields(model: ModelInfo): DMMFField[] {
  return aggregatable(model).filter((f) => {
    const type = model.columns.get(f.name)?.type
    return type !== undefined && type.replace(/\[\]$/, '') !== 'json' && !isOpaqueText(model, f)
  })
}

/** Columns `@omit aggregate` (on them or their table) does not keep out of aggregates and groups. */
const aggregatable = (model: ModelInfo) => model.scalars.filter((f) => allows(model, f.name, 'aggregate'))

const NUMERIC = new Set(['Int', 'BigInt', 'Float', 'Decimal'])

export function numericFields(model: ModelInfo): DMMFField[] {
  return aggregatable(model).filter((f) => !f.isList && NUMERIC.has(f.type) && !model.columns.get(f.name)?.type.startsWith('money'))
}

/** Columns with an order PostgreSQL's min/max know: numbers, dates and times, text, enums. */
export function rangeFields(model: ModelInfo): DMMFField[] {
  return aggregatable(model).filter((f) => {
    if (f.isList) return false
    const type = model.columns.get(f.name)?.type ?? ''
    if (NUMERIC.has(f.type) || f.kind === 'enum') return !type.startsWith('money')
    return /^(text|character|date|time|timestamp)/.test(type)
  })
}

/** The GraphQL type an aggregate of `field` is served as (its own type for min/max). */
export function aggregateType(fn: AggregateFunction, field: DMMFField, own: string): string {
  if (fn === 'min' || fn === 'max') return own
  if (field.type === 'Float') return 'Float'
  if (fn === 'sum') return field.type === 'Decimal' ? 'Decimal' : 'BigInt'
  return 'Decimal'
}

/**
 * `fn(alias.column)` in served form. Sums and averages of floating-point columns are computed in
 * numeric and rounded once: a float sum depends on the order rows arrive in (which the plan
 * decides), so the same question could get answers differing in the last digits.
 */
export function aggregateSql(datamodel: Datamodel, model: ModelInfo, fn: AggregateFunction, field: DMMFField, column: Sql): Sql {
  // Looked up here, where the SQL is written: the type says AggregateFunction, the table makes sure.
  const name = choice(AGGREGATE_NAMES, fn)
  if (fn === 'min' || fn === 'max') return elementValue(datamodel, model, field, model.columns.get(field.name)!.type)(sql`${name}(${column})`)
  return field.type === 'Float' ? sql`${name}(${column}::numeric)::float8` : sql`${name}(${column})::text`
}
