/**
 * `<list>GroupBy` -> one SQL statement: rows filtered by `where`, grouped by columns and/or a time
 * bucket (date_trunc by unit, or date_bin by interval, in a time zone), filtered by `having`,
 * ordered, paged, and written as the JSON asked for (`key`, `bucket`, `aggregates`).
 */
import type { PorticoConfig } from '../config/config.js'
import type { ModelInfo } from '../model/datamodel.js'
import { aggregatesJson, objectTypeOf, type CompileContext } from './compile-read.js'
import { columnValue } from './column-value.js'
import { compileWhere } from './compile-where.js'
import { COUNT_SQL } from './aggregates.js'
import { selectionOf, type SelectedField } from './selection.js'
import { ident, jsonObject, literal, tableName } from './sql.js'
import { badInput } from './client-errors.js'

export const BUCKET_UNITS = ['MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const

interface GroupByArgs {
  by?: string[] | null
  bucket?: { column: string; unit?: (typeof BUCKET_UNITS)[number] | null; every?: string | null; timeZone?: string | null } | null
  where?: Record<string, unknown> | null
  having?: Record<string, unknown> | null
  orderBy?: Record<string, unknown>[] | null
  first?: number | null
  offset?: number | null
}

type Comparison = Partial<Record<'equals' | 'not' | 'lt' | 'lte' | 'gt' | 'gte', number>>
const OPERATORS = { equals: '=', not: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const

/**
 * The aggregates `having` and `orderBy` may name, and the SQL of each: a fixed list, so no function
 * name comes from a request. Sums and averages as exact numbers, as they are served (./aggregates.ts).
 */
const GROUP_AGGREGATES = new Map<string, (column: string) => string>([
  ['sum', (c) => `sum(${c}::numeric)`],
  ['avg', (c) => `avg(${c}::numeric)`],
  ['min', (c) => `min(${c}::numeric)`],
  ['max', (c) => `max(${c}::numeric)`],
  ['nonNullCount', (c) => COUNT_SQL.nonNullCount(c)],
  ['distinctCount', (c) => COUNT_SQL.distinctCount(c)],
])

function groupAggregate(fn: string): (column: string) => string {
  const sql = GROUP_AGGREGATES.get(fn)
  if (!sql) throw badInput(`${fn} is not an aggregate of groups`)
  return sql
}

/** Groups of a model: at most this many times the maximum page size per request. */
export const GROUPS_PER_PAGE_FACTOR = 10

export function groupBySql(ctx: CompileContext, model: ModelInfo, field: SelectedField, sizes: Pick<PorticoConfig, 'maxPageSize'>): string {
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
  const col = (name: string) => `${c}.${ident(model.columns.get(name)!.name)}`
  const bucket = args.bucket ? bucketSql(ctx, model, args.bucket, c) : undefined
  const groupType = objectTypeOf(field)
  const pairs: [string, string][] = []
  for (const part of selectionOf(ctx.op, groupType, field.nodes).values()) {
    if (part.name === '__typename') pairs.push([part.key, literal(groupType.name)])
    else if (part.name === 'bucket') pairs.push([part.key, bucket && !bucket.local ? bucket.served : 'NULL'])
    else if (part.name === 'localBucket') pairs.push([part.key, bucket?.local ? bucket.served : 'NULL'])
    else if (part.name === 'aggregates') pairs.push([part.key, aggregatesJson(ctx, model, part, c)])
    else if (part.name === 'key') {
      const keyType = objectTypeOf(part)
      const keyPairs = [...selectionOf(ctx.op, keyType, part.nodes).values()].map((k): [string, string] => {
        if (k.name === '__typename') return [k.key, literal(keyType.name)]
        const scalar = model.scalars.find((s) => s.name === k.name)!
        return [k.key, by.includes(k.name) ? columnValue(ctx.datamodel, model, c, scalar) : 'NULL']
      })
      pairs.push([part.key, jsonObject(keyPairs)])
    }
  }
  const groups = [...by.map(col), ...(bucket ? [bucket.sql] : [])]
  const having = havingSql(ctx, args.having, col)
  const order = orderSql(args.orderBy, by, bucket?.sql, col)
  const rows =
    `SELECT ${jsonObject(pairs)} AS j FROM ${tableName(model)} ${c} WHERE ${compileWhere(ctx.datamodel, model, c, args.where, ctx.params)}` +
    ` GROUP BY ${groups.join(', ')}${having ? ` HAVING ${having}` : ''} ORDER BY ${order} LIMIT ${limit}${args.offset ? ` OFFSET ${args.offset}` : ''}`
  return `SELECT coalesce(json_agg(x.j ORDER BY x.rn), '[]'::json) FROM (SELECT y.j, row_number() OVER () AS rn FROM (${rows}) y) x`
}

/**
 * The bucket's SQL (to group and order by) and its served form: an instant (ISO-8601, Z for UTC)
 * for a timestamptz column, a wall-clock time (no zone: `local`) for a timestamp or date column,
 * whose values are bucketed as they are, with no zone to convert them to.
 */
function bucketSql(ctx: CompileContext, model: ModelInfo, bucket: NonNullable<GroupByArgs['bucket']>, c: string) {
  const type = model.columns.get(bucket.column)?.type ?? ''
  const column = `${c}.${ident(model.columns.get(bucket.column)!.name)}`
  if ((bucket.unit == null) === (bucket.every == null)) throw badInput('A bucket takes either `unit` or `every`.')
  const withZone = /with time zone$/.test(type)
  if (!withZone && bucket.timeZone != null) {
    throw badInput(`bucket.timeZone: ${bucket.column} has no time zone (a ${type.startsWith('date') ? 'date' : 'timestamp without time zone'}): its buckets are wall-clock times; leave out timeZone`)
  }
  // Only an instant has a zone to convert to; a parameter the statement does not use has no type
  // PostgreSQL can infer, which fails the whole statement.
  const zone = withZone ? ctx.params.add(bucket.timeZone ?? 'UTC', 'text') : ''
  const local = withZone ? `(${column} AT TIME ZONE ${zone})` : `${column}::timestamp`
  const start = bucket.unit
    ? `date_trunc(${literal(bucket.unit.toLowerCase())}, ${local})`
    : `date_bin(${ctx.params.add(bucket.every, 'interval')}, ${local}, timestamp '2000-01-01')`
  // Back to an instant for timestamptz: the bucket's start in the given zone.
  const sql = withZone ? `(${start} AT TIME ZONE ${zone})` : start
  const served = withZone ? `replace(to_json(${sql}) #>> '{}', '+00:00', 'Z')` : `(to_json(${sql}) #>> '{}')`
  return { sql, served, local: !withZone }
}

/** `having: { count: { gt: 5 }, avg: { power: { gt: 100 } } }`: every condition must hold. */
function havingSql(ctx: CompileContext, having: GroupByArgs['having'], col: (name: string) => string): string {
  const conditions: string[] = []
  const compare = (sql: string, comparison: Comparison) => {
    for (const [op, value] of Object.entries(comparison)) {
      if (value == null) continue
      conditions.push(`${sql} ${OPERATORS[op as keyof typeof OPERATORS]} ${ctx.params.add(String(value), 'numeric')}`)
    }
  }
  for (const [fn, value] of Object.entries(having ?? {})) {
    if (value == null) continue
    if (fn === 'count') compare('count(*)', value as Comparison)
    else {
      const aggregate = groupAggregate(fn)
      for (const [name, comparison] of Object.entries(value as Record<string, Comparison>)) if (comparison) compare(aggregate(col(name)), comparison)
    }
  }
  return conditions.map((c) => `(${c})`).join(' AND ')
}

/** Ordered as asked (keys, bucket, count, aggregates), then by bucket and keys, so pages are stable. */
function orderSql(orderBy: GroupByArgs['orderBy'], by: string[], bucket: string | undefined, col: (name: string) => string): string {
  const items: string[] = []
  const direction = (d: string) => `${d.startsWith('DESC') ? 'DESC' : 'ASC'} NULLS ${d.endsWith('NULLS_FIRST') || (d.startsWith('DESC') && !d.endsWith('NULLS_LAST')) ? 'FIRST' : 'LAST'}`
  for (const entry of orderBy ?? []) {
    for (const [name, value] of Object.entries(entry)) {
      if (value == null) continue
      if (name === 'bucket') {
        if (!bucket) throw badInput('orderBy bucket: give a `bucket` to group by first.')
        items.push(`${bucket} ${direction(value as string)}`)
      } else if (name === 'count') items.push(`count(*) ${direction(value as string)}`)
      else if (name === 'key') {
        for (const [field, d] of Object.entries(value as Record<string, string>)) {
          if (!d) continue
          // The list's order input also names relations; groups have none.
          if (typeof d !== 'string') throw badInput(`orderBy key.${field}: groups are ordered by their own columns (by), not by relations`)
          if (!by.includes(field)) throw badInput(`orderBy key.${field}: ${field} is not one of the groups' columns (by)`)
          items.push(`${col(field)} ${direction(d)}`)
        }
      } else {
        const aggregate = groupAggregate(name)
        for (const [field, d] of Object.entries(value as Record<string, string>)) if (d) items.push(`${aggregate(col(field))} ${direction(d)}`)
      }
    }
  }
  if (bucket) items.push(`${bucket} ASC`)
  for (const field of by) items.push(`${col(field)} ASC NULLS LAST`)
  return items.join(', ')
}

