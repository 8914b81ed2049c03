/**
 * `orderBy` inputs, shaped like Prisma's: one input per model with every orderable column, each
 * to-one relation (ordered by the related row's columns, recursively) and each to-many relation
 * (ordered by an aggregate of the related rows):
 *
 *   orderBy: [{ timestamp: DESC }, { sensor: ASC_NULLS_FIRST }]
 *   orderBy: [{ customer: { lastName: ASC } }, { invoiceLines: { sum: { unitPrice: DESC } } }, { invoices: { count: DESC } }]
 *   orderBy: [{ fulltext: { matches: "drama" } }]       (a tsvector column: by rank for the words)
 *
 * Columns and tables that `@omit order` are not offered.
 * ../planner/compile-order.ts turns them into SQL.
 */
import type { Builder } from './builder.js'
import { allows, isOpaqueText, type Datamodel, type ModelInfo } from '../model/datamodel.js'
import { FULL_TEXT_RANK_ORDER, isFullText } from './full-text.js'
import { aggregateColumnsOrderTypeName, orderByTypeName, relationAggregateOrderTypeName } from '../model/inflect.js'
import { numericFields, rangeFields } from '../planner/aggregates.js'

const UNORDERABLE = new Set(['Json', 'Bytes'])

export function createOrderTypes(builder: Builder, datamodel: Datamodel): Map<string, string> {
  builder.enumType('SortOrder', {
    description: 'Direction of an ordering; without NULLS_*, NULLs sort as PostgreSQL does (last ascending, first descending).',
    values: ['ASC', 'DESC', 'ASC_NULLS_FIRST', 'ASC_NULLS_LAST', 'DESC_NULLS_FIRST', 'DESC_NULLS_LAST'] as const,
  })
  const orderableOf = (model: ModelInfo) => model.scalars.filter((f) => !f.isList && !UNORDERABLE.has(f.type) && !isOpaqueText(model, f) && allows(model, f.name, 'order'))
  // A tsvector column orders by its rank for some words.
  const rankedOf = (model: ModelInfo) => model.scalars.filter((f) => isFullText(model, f) && allows(model, f.name, 'order'))
  // `@sortable` computed fields (../model/functions.ts) order as a column of their type.
  const sortableOf = (model: ModelInfo) => [...(datamodel.computed.get(model.name)?.values() ?? [])].filter((fn) => fn.sortable)
  const names = new Map<string, string>()
  for (const model of datamodel.models.values()) {
    if (allows(model, undefined, 'order') && (orderableOf(model).length || rankedOf(model).length || sortableOf(model).length)) names.set(model.name, orderByTypeName(model.name))
  }
  // Made now, not in a fields thunk: Pothos must know every type before it builds the schema.
  const aggregateOrders = new Map<string, string>()
  for (const model of datamodel.models.values()) {
    for (const relation of model.relations) {
      const target = datamodel.models.get(relation.type)
      if (relation.isList && target && !aggregateOrders.has(target.name)) aggregateOrders.set(target.name, relationAggregateOrder(builder, target))
    }
  }
  for (const model of datamodel.models.values()) {
    const name = names.get(model.name)
    if (!name) continue
    const relations = model.relations.filter((r) => model.joins.has(r.name) && (r.isList ? aggregateOrders.has(r.type) : names.has(r.type)))
    const what = relations.length ? "column, related row's column or related rows' aggregate" : 'column'
    builder.inputType(name, {
      description: `One ordering of ${model.name} rows: give one ${what} per list item.`,
      fields: (t: Builder) => {
        const fields: Record<string, unknown> = Object.fromEntries(orderableOf(model).map((f) => [f.name, t.field({ type: 'SortOrder', required: false })]))
        for (const f of rankedOf(model)) fields[f.name] = t.field({ type: FULL_TEXT_RANK_ORDER, required: false, description: 'By rank for these words.' })
        for (const fn of sortableOf(model)) fields[fn.field] = t.field({ type: 'SortOrder', required: false, description: fn.description })
        for (const relation of relations) {
          fields[relation.name] = relation.isList
            ? t.field({ type: aggregateOrders.get(relation.type), required: false, description: `By an aggregate of the related ${relation.type} rows.` })
            : t.field({ type: names.get(relation.type), required: false, description: `By the related ${relation.type}'s columns (NULL when there is none).` })
        }
        return fields
      },
    })
  }
  return names
}

/** `<T>RelationAggregateOrderBy`: `count`, and `sum`/`avg` of numeric columns, `min`/`max` of ordered ones. */
function relationAggregateOrder(builder: Builder, target: ModelInfo): string {
  const columns = (functions: 'SumAvg' | 'MinMax', fields: { name: string }[]) => {
    if (!fields.length) return undefined
    const name = aggregateColumnsOrderTypeName(target.name, functions)
    builder.inputType(name, { fields: (t: Builder) => Object.fromEntries(fields.map((f) => [f.name, t.field({ type: 'SortOrder', required: false })])) })
    return name
  }
  const sumAvg = columns('SumAvg', numericFields(target))
  const minMax = columns('MinMax', rangeFields(target))
  const name = relationAggregateOrderTypeName(target.name)
  builder.inputType(name, {
    description: `An aggregate of related ${target.name} rows to order by (NULL when there are none, except count): give one.`,
    fields: (t: Builder) => ({
      count: t.field({ type: 'SortOrder', required: false, description: 'How many related rows.' }),
      ...(sumAvg ? { sum: t.field({ type: sumAvg, required: false }), avg: t.field({ type: sumAvg, required: false }) } : {}),
      ...(minMax ? { min: t.field({ type: minMax, required: false }), max: t.field({ type: minMax, required: false }) } : {}),
    }),
  })
  return name
}
