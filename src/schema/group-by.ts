/**
 * `<list>GroupBy` root fields: groups of a table's rows by columns and/or a time bucket, each with
 * its `key`, `bucket` and `aggregates` (the `<Type>Aggregates` of connections), filtered by
 * `where` before grouping and by `having` after, ordered and paged. One SQL statement
 * (../planner/compile-group-by.ts).
 *
 *   iotawattsGroupBy(by: [device, sensor], bucket: { column: timestamp, unit: HOUR, timeZone: "UTC" })
 *     { key { device sensor } bucket aggregates { avg { power } max { power } } }
 */
import type { GraphQLResolveInfo } from 'graphql'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import { allows, isOpaqueText, type ModelInfo } from '../model/datamodel.js'
import { countableFields, numericFields } from '../planner/aggregates.js'
import { derivedTypeName } from '../model/inflect.js'
import { BUCKET_UNITS, GROUPS_PER_PAGE_FACTOR } from '../planner/compile-group-by.js'
import { rootSource } from '../planner/field-source.js'
import { graphqlScalarName } from './scalars.js'
import { byResponseKey } from './resolve-by-key.js'
import { aggregatesType } from './aggregate-types.js'

const shared = new WeakSet<object>()
const COUNT_FUNCTIONS = ['nonNullCount', 'distinctCount'] as const

/** Types every group-by shares: bucket units and the numeric comparison of `having`. */
function sharedTypes(builder: Builder): void {
  if (shared.has(builder)) return
  shared.add(builder)
  builder.enumType('TimeBucketUnit', { description: 'A calendar unit to truncate timestamps to (date_trunc).', values: [...BUCKET_UNITS] })
  builder.inputType('AggregateComparison', {
    description: 'Conditions on an aggregate (compared as exact numbers).',
    fields: (t: Builder) => Object.fromEntries(['equals', 'not', 'lt', 'lte', 'gt', 'gte'].map((op) => [op, t.float({ required: false })])),
  })
}

export function groupByField(t: Builder, ctx: SchemaContext, model: ModelInfo) {
  sharedTypes(ctx.builder)
  // `@omit aggregate` on the table means no groups; on a column, no grouping by it.
  if (!allows(model, undefined, 'aggregate')) return undefined
  const groupable = model.scalars.filter((f) => !f.isList && f.type !== 'Json' && f.type !== 'Bytes' && !isOpaqueText(model, f) && allows(model, f.name, 'aggregate'))
  if (!groupable.length) return undefined
  const temporal = groupable.filter((f) => /^(date|timestamp)/.test(model.columns.get(f.name)?.type ?? ''))
  // A bucket of a timestamptz column is an instant; of a timestamp or date column, a wall-clock time.
  const instants = temporal.some((f) => /with time zone$/.test(model.columns.get(f.name)!.type))
  const locals = temporal.some((f) => !/with time zone$/.test(model.columns.get(f.name)!.type))
  const numeric = numericFields(model)
  const name = model.name
  const b = ctx.builder

  b.enumType(derivedTypeName.groupField(name), { description: `A column of ${name} to group by.`, values: groupable.map((f) => f.name) })
  b.objectType(derivedTypeName.groupKey(name), {
    description: 'The values of the group-by columns (null for columns not grouped by).',
    fields: (k: Builder) =>
      Object.fromEntries(
        groupable.map((f) => {
          const type = graphqlScalarName(f.type, model.nativeTypes.get(f.name))
          return [f.name, k.field({ type: ctx.enumRefs.get(type) ?? type, nullable: true, resolve: byResponseKey })]
        }),
      ),
  })
  b.objectType(derivedTypeName.group(name), {
    fields: (g: Builder) => ({
      key: g.field({ type: derivedTypeName.groupKey(name), resolve: byResponseKey }),
      ...(instants ? { bucket: g.field({ type: 'DateTime', nullable: true, description: 'The start of the time bucket of a timestamptz column.', resolve: byResponseKey }) } : {}),
      ...(locals
        ? { localBucket: g.field({ type: 'LocalDateTime', nullable: true, description: 'The start of the time bucket of a timestamp (without time zone) or date column.', resolve: byResponseKey }) }
        : {}),
      aggregates: g.field({ type: aggregatesType(ctx, model), resolve: byResponseKey }),
    }),
  })
  if (temporal.length) {
    b.enumType(derivedTypeName.temporalField(name), { values: temporal.map((f) => f.name) })
    b.inputType(derivedTypeName.timeBucket(name), {
      description: 'Group by the time bucket a timestamp falls in: a calendar `unit`, or `every` interval (e.g. "15 minutes"), in `timeZone` for a timestamptz column.',
      fields: (i: Builder) => ({
        column: i.field({ type: derivedTypeName.temporalField(name), required: true }),
        unit: i.field({ type: 'TimeBucketUnit', required: false }),
        every: i.field({ type: 'Interval', required: false }),
        timeZone: i.string({ required: false, description: 'An IANA zone, e.g. Europe/Paris (default UTC); timestamptz columns only: a timestamp or date has none.' }),
      }),
    })
  }
  const functionInput = (input: string, fieldType: string, fields: { name: string }[]) => {
    if (!fields.length) return undefined
    b.inputType(input, { fields: (i: Builder) => Object.fromEntries(fields.map((f) => [f.name, i.field({ type: fieldType, required: false })])) })
    return input
  }
  const having = functionInput(derivedTypeName.aggregateHaving(name), 'AggregateComparison', numeric)
  const order = functionInput(derivedTypeName.aggregateOrder(name), 'SortOrder', numeric)
  // Per-column counts (nonNullCount, distinctCount) over every column with equality.
  const countable = countableFields(model)
  const countHaving = functionInput(derivedTypeName.groupCountInput(name, 'Having'), 'AggregateComparison', countable)
  const countOrder = functionInput(derivedTypeName.groupCountInput(name, 'Order'), 'SortOrder', countable)
  const counts = (type: string | undefined, i: Builder) => (type ? Object.fromEntries(COUNT_FUNCTIONS.map((fn) => [fn, i.field({ type, required: false })])) : {})
  b.inputType(derivedTypeName.groupHaving(name), {
    description: 'Conditions on each group, after grouping.',
    fields: (i: Builder) => ({
      count: i.field({ type: 'AggregateComparison', required: false }),
      ...(having ? Object.fromEntries(['sum', 'avg', 'min', 'max'].map((fn) => [fn, i.field({ type: having, required: false })])) : {}),
      ...counts(countHaving, i),
    }),
  })
  const keyOrder = ctx.orderTypes.get(name)
  b.inputType(derivedTypeName.groupOrderBy(name), {
    description: 'One ordering of groups: give one entry per list item.',
    fields: (i: Builder) => ({
      ...(keyOrder ? { key: i.field({ type: keyOrder, required: false }) } : {}),
      ...(temporal.length ? { bucket: i.field({ type: 'SortOrder', required: false }) } : {}),
      count: i.field({ type: 'SortOrder', required: false }),
      ...(order ? Object.fromEntries(['sum', 'avg', 'min', 'max'].map((fn) => [fn, i.field({ type: order, required: false })])) : {}),
      ...counts(countOrder, i),
    }),
  })

  return t.field({
    type: [derivedTypeName.group(name)],
    description: `${name} rows in groups, with aggregates: at most ${GROUPS_PER_PAGE_FACTOR}x the maximum page size per request.`,
    args: {
      by: t.arg({ type: [derivedTypeName.groupField(name)], required: false }),
      ...(temporal.length ? { bucket: t.arg({ type: derivedTypeName.timeBucket(name), required: false }) } : {}),
      where: t.arg({ type: ctx.filters.where.get(name), required: false }),
      having: t.arg({ type: derivedTypeName.groupHaving(name), required: false }),
      orderBy: t.arg({ type: [derivedTypeName.groupOrderBy(name)], required: false }),
      first: t.arg.int({ required: false }),
      offset: t.arg.int({ required: false }),
    },
    resolve: (_root: unknown, _args: unknown, _context: unknown, info: GraphQLResolveInfo) => ctx.planner.groups(model, info),
    extensions: rootSource({ kind: 'groupBy', model }),
  })
}
