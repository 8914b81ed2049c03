/**
 * `aggregates` on every connection: `count`, `sum`/`avg` of numeric columns, `min`/`max` of
 * numbers, dates and times, text and enums, `nonNullCount`/`distinctCount` of every column with
 * equality, over all rows the connection's `where` matches (not just the page). `<Type>Aggregates`
 * is made once per model; the planner builds its values in SQL (../planner/aggregates.ts), in the
 * parent's statement for relations.
 */
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import type { ModelInfo } from '../model/datamodel.js'
import { aggregateType, countableFields, numericFields, rangeFields, type AggregateFunction } from '../planner/aggregates.js'
import { derivedTypeName } from '../model/inflect.js'
import { graphqlScalarName } from './scalars.js'
import { byResponseKey } from './resolve-by-key.js'

const made = new WeakMap<object, Map<string, string>>()

/** The name of `<Type>Aggregates`, made on first use. */
export function aggregatesType(ctx: SchemaContext, model: ModelInfo): string {
  let names = made.get(ctx.builder)
  if (!names) made.set(ctx.builder, (names = new Map()))
  const existing = names.get(model.name)
  if (existing) return existing
  const name = derivedTypeName.aggregates(model.name)
  names.set(model.name, name)
  const parts: [AggregateFunction, string | undefined][] = (['sum', 'avg', 'min', 'max'] as const).map((fn) => [fn, functionType(ctx, model, fn)])
  const counts = countType(ctx, model)
  ctx.builder.objectType(name, {
    description: `Aggregates of ${model.name} rows: over every row that matches, not only the page.`,
    fields: (t: Builder) => ({
      count: t.int({ description: 'How many rows.', resolve: byResponseKey }),
      ...Object.fromEntries(parts.filter(([, type]) => type).map(([fn, type]) => [fn, t.field({ type, resolve: byResponseKey })])),
      ...(counts
        ? {
            nonNullCount: t.field({ type: counts, description: 'Per column: how many rows have a value (count(column): NULLs left out).', resolve: byResponseKey }),
            distinctCount: t.field({ type: counts, description: 'Per column: how many different values (count(DISTINCT column): NULL is none).', resolve: byResponseKey }),
          }
        : {}),
    }),
  })
  return name
}

/** `<Type>CountAggregates`: an Int per column with equality (../planner/aggregates.ts countableFields). */
function countType(ctx: SchemaContext, model: ModelInfo): string | undefined {
  const fields = countableFields(model)
  if (!fields.length) return undefined
  const name = derivedTypeName.countAggregates(model.name)
  ctx.builder.objectType(name, { fields: (t: Builder) => Object.fromEntries(fields.map((field) => [field.name, t.int({ resolve: byResponseKey })])) })
  return name
}

/** `<Type>SumAggregates` etc.: one field per column the function applies to; none, no type. */
function functionType(ctx: SchemaContext, model: ModelInfo, fn: AggregateFunction): string | undefined {
  const fields = fn === 'sum' || fn === 'avg' ? numericFields(model) : rangeFields(model)
  if (!fields.length) return undefined
  const name = derivedTypeName.aggregateFunction(model.name, fn)
  ctx.builder.objectType(name, {
    fields: (t: Builder) =>
      Object.fromEntries(
        fields.map((field) => {
          const own = graphqlScalarName(field.type, model.nativeTypes.get(field.name))
          const type = aggregateType(fn, field, own)
          return [field.name, t.field({ type: ctx.enumRefs.get(type) ?? type, nullable: true, resolve: byResponseKey })]
        }),
      ),
  })
  return name
}
