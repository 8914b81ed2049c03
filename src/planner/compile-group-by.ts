/**
 * `<list>GroupBy` -> one SQL statement: rows filtered by `where`, grouped by columns and/or a time
 * bucket (date_trunc by unit, or date_bin by interval, in a time zone), filtered by `having`,
 * ordered, paged, and written as the JSON asked for (`key`, `bucket`, `aggregates`).
 */
import type { PorticoConfig } from '../config/config.js'
import type { ModelInfo } from '../model/datamodel.js'
import { aggregatesJson, objectTypeOf, type CompileContext } from './compile-read.js'
import { columnValue } from './column-value.js'
import { COMPARISON_SQL, compileWhere } from './compile-where.js'
import { COUNT_SQL } from './aggregates.js'
import { directionSql } from './compile-order.js'
import { selectionOf, type SelectedField } from './selection.js'
import { column, int, join, jsonObject, literal, tableName, type Sql } from './sql.js'
import { choice, inTable, sql } from './sql-text.js'
import { badInput } from './client-errors.js'

export const BUCKET_UNITS = ['MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const

/** date_trunc's field for each unit: the only text a bucket's unit can write. */
const BUCKET_UNIT_SQL: Record<(typeof BUCKET_UNITS)[number], Sql> = {
  MINUTE: sql`'minute'`,
  HOUR: sql`'hour'`,
  DAY: sql`'day'`,
  WEEK: sql`'week'`,
  MONTH: sql`'month'`,
  QUARTER: sql`'quarter'`,
  YEAR: sql`'year'`,
}

interface GroupByArgs {
  by?: string[] | null
  bucket?: { column: string; unit?: (typeof BUCKET_UNITS)[number] | null; every?: string | null; timeZone?: string | null } | null
  where?: Record<string, unknown> | null
  having?: Record<string, unknown> | null
  orderBy?: Record<string, unknown>[] | null
  first?: number | null
  offset?: number | null
}

type Comparison = Partial<Record<keyof typeof COMPARISON_SQL, number>>

/**
 * The aggregates `having` and `orderBy` may name, and the SQL of each: a fixed list, so no function
 * name comes from a request. Sums and averages as exact numbers, as they are served (./aggregates.ts).
 */
const GROUP_AGGREGATES = new Map<string, (column: Sql) => Sql>([
  ['sum', (c) => sql`sum(${c}::numeric)`],
  ['avg', (c) => sql`avg(${c}::numeric)`],
  ['min', (c) => sql`min(${c}::numeric)`],
  ['max', (c) => sql`max(${c}::numeric)`],
  ['nonNullCount', (c) => COUNT_SQL.nonNullCount(c)],
  ['distinctCount', (c) => COUNT_SQL.distinctCount(c)],
])

function groupAggregate(fn: string): (column: Sql) => Sql {
  const aggregate = GROUP_AGGREGATES.get(fn)
  if (!aggregate) throw badInput(`${fn} is not an aggregate of groups`)
  return aggregate
}

/** date_trunc's field for a bucket's unit, from the fixed table: any other unit is refused. */
export function bucketUnitSql(unit: string): Sql {
  if (!inTable(BUCKET_UNIT_SQL, unit)) throw badInput(`bucket.unit: ${unit} is not one of ${BUCKET_UNITS.join(', ')}`)
  return BUCKET_UNIT_SQL[unit]
}

/** Groups of a model: at most this many times the maximum page size per request. */
export const GROUPS_PER_PAGE_FACTOR = 10

export function groupBySql(ctx: CompileContext, model: ModelInfo, field: SelectedField, sizes: Pick<PorticoConfig, 'maxPageSize'>): Sql {
  const args = field.args as GroupByArgs
  const by = args.by ?? []
  if (!by.length && !args.bucket) throw badInput('Give `by` (columns), `bucket` (a time bucket), or both.')
  const max = sizes.maxPageSize * GROUPS_PER_PAGE_FACTOR
  if (args.first != null && args.first < 0) throw badInput('Argument "first" must be a non-negative integer')
  if (args.first != null && args.first > max) {
    throw badInput(`first must be at most ${max} (${GROUPS_PER_PAGE_FACTOR} x maxPageSize groups); ask for the next groups with offset`)
  }
  if (args.offset != null && args.offset < 0) throw badInput('offset must not be negative.')
  const limit = args.first ?? max

  const c = ctx.params.alias()
  const col = (name: string) => column(model, c, name)
  const bucket = args.bucket ? bucketSql(ctx, model, args.bucket, c) : undefined
  const groupType = objectTypeOf(field)
  const pairs: [string, Sql][] = []
  for (const part of selectionOf(ctx.op, groupType, field.nodes).values()) {
    if (part.name === '__typename') pairs.push([part.key, literal(groupType.name)])
    else if (part.name === 'bucket') pairs.push([part.key, bucket && !bucket.local ? bucket.served : sql`NULL`])
    else if (part.name === 'localBucket') pairs.push([part.key, bucket?.local ? bucket.served : sql`NULL`])
    else if (part.name === 'aggregates') pairs.push([part.key, aggregatesJson(ctx, model, part, c)])
    else if (part.name === 'key') {
      const keyType = objectTypeOf(part)
      const keyPairs = [...selectionOf(ctx.op, keyType, part.nodes).values()].map((k): [string, Sql] => {
        if (k.name === '__typename') return [k.key, literal(keyType.name)]
        const scalar = model.scalars.find((s) => s.name === k.name)!
        return [k.key, by.includes(k.name) ? columnValue(ctx.datamodel, model, c, scalar) : sql`NULL`]
      })
      pairs.push([part.key, jsonObject(keyPairs)])
    }
  }
  const groups = [...by.map(col), ...(bucket ? [bucket.sql] : [])]
  const having = havingSql(ctx, args.having, col)
  const order = orderSql(args.orderBy, by, bucket?.sql, col)
  const where = compileWhere(ctx.datamodel, model, c, args.where, ctx.params)
  const page = sql`LIMIT ${int(limit)}${args.offset ? sql` OFFSET ${int(args.offset)}` : sql``}`
  const rows = sql`SELECT ${jsonObject(pairs)} AS j FROM ${tableName(model)} ${c} WHERE ${where} GROUP BY ${join(groups, sql`, `)}${having ? sql` HAVING ${having}` : sql``} ORDER BY ${order} ${page}`
  return sql`SELECT coalesce(json_agg(x.j ORDER BY x.rn), '[]'::json) FROM (SELECT y.j, row_number() OVER () AS rn FROM (${rows}) y) x`
}

/**
 * The bucket's SQL (to group and order by) and its served form: an instant (ISO-8601, Z for UTC)
 * for a timestamptz column, a wall-clock time (no zone: `local`) for a timestamp or date column,
 * whose values are bucketed as they are, with no zone to convert them to.
 */
function bucketSql(ctx: CompileContext, model: ModelInfo, bucket: NonNullable<GroupByArgs['bucket']>, c: Sql) {
  const type = model.columns.get(bucket.column)?.type ?? ''
  const value = column(model, c, bucket.column)
  if ((bucket.unit == null) === (bucket.every == null)) throw badInput('A bucket takes either `unit` or `every`.')
  const withZone = /with time zone$/.test(type)
  if (!withZone && bucket.timeZone != null) {
    throw badInput(`bucket.timeZone: ${bucket.column} has no time zone (a ${type.startsWith('date') ? 'date' : 'timestamp without time zone'}): its buckets are wall-clock times; leave out timeZone`)
  }
  // Only an instant has a zone to convert to; a parameter the statement does not use has no type
  // PostgreSQL can infer, which fails the whole statement.
  const zone = withZone ? ctx.params.add(bucket.timeZone ?? 'UTC', sql`text`) : sql``
  const local = withZone ? sql`(${value} AT TIME ZONE ${zone})` : sql`${value}::timestamp`
  const start = bucket.unit
    ? sql`date_trunc(${bucketUnitSql(bucket.unit)}, ${local})`
    : sql`date_bin(${ctx.params.add(bucket.every, sql`interval`)}, ${local}, timestamp '2000-01-01')`
  // Back to an instant for timestamptz: the bucket's start in the given zone.
  const bucketed = withZone ? sql`(${start} AT TIME ZONE ${zone})` : start
  const served = withZone ? sql`replace(to_json(${bucketed}) #>> '{}', '+00:00', 'Z')` : sql`(to_json(${bucketed}) #>> '{}')`
  return { sql: bucketed, served, local: !withZone }
}

/** `having: { count: { gt: 5 }, avg: { power: { gt: 100 } } }`: every condition must hold. */
function havingSql(ctx: CompileContext, having: GroupByArgs['having'], col: (name: string) => Sql): Sql | undefined {
  const conditions: Sql[] = []
  const compare = (value: Sql, comparison: Comparison) => {
    for (const [op, operand] of Object.entries(comparison)) {
      if (operand == null) continue
      conditions.push(sql`${value} ${choice(COMPARISON_SQL, op)} ${ctx.params.add(String(operand), sql`numeric`)}`)
    }
  }
  for (const [fn, value] of Object.entries(having ?? {})) {
    if (value == null) continue
    if (fn === 'count') compare(sql`count(*)`, value as Comparison)
    else {
      const aggregate = groupAggregate(fn)
      for (const [name, comparison] of Object.entries(value as Record<string, Comparison>)) if (comparison) compare(aggregate(col(name)), comparison)
    }
  }
  return conditions.length ? join(conditions.map((c) => sql`(${c})`), sql` AND `) : undefined
}

/** Ordered as asked (keys, bucket, count, aggregates), then by bucket and keys, so pages are stable. */
function orderSql(orderBy: GroupByArgs['orderBy'], by: string[], bucket: Sql | undefined, col: (name: string) => Sql): Sql {
  const items: Sql[] = []
  const direction = (d: string) => directionSql(d.startsWith('DESC'), d.endsWith('NULLS_FIRST') || (d.startsWith('DESC') && !d.endsWith('NULLS_LAST')))
  for (const entry of orderBy ?? []) {
    for (const [name, value] of Object.entries(entry)) {
      if (value == null) continue
      if (name === 'bucket') {
        if (!bucket) throw badInput('orderBy bucket: give a `bucket` to group by first.')
        items.push(sql`${bucket} ${direction(value as string)}`)
      } else if (name === 'count') items.push(sql`count(*) ${direction(value as string)}`)
      else if (name === 'key') {
        for (const [field, d] of Object.entries(value as Record<string, string>)) {
          if (!d) continue
          // The list's order input also names relations; groups have none.
          if (typeof d !== 'string') throw badInput(`orderBy key.${field}: groups are ordered by their own columns (by), not by relations`)
          if (!by.includes(field)) throw badInput(`orderBy key.${field}: ${field} is not one of the groups' columns (by)`)
          items.push(sql`${col(field)} ${direction(d)}`)
        }
      } else {
        const aggregate = groupAggregate(name)
        for (const [field, d] of Object.entries(value as Record<string, string>)) if (d) items.push(sql`${aggregate(col(field))} ${direction(d)}`)
      }
    }
  }
  if (bucket) items.push(sql`${bucket} ASC`)
  for (const field of by) items.push(sql`${col(field)} ASC NULLS LAST`)
  return join(items, sql`, `)
}

