/**
 * `orderBy` inputs: `orderBy: [{ timestamp: DESC }, { sensor: ASC_NULLS_FIRST }]`, one input per
 * model with every orderable column, and a tsvector column's rank for some words
 * (`{ fulltext: { matches: "drama" } }`). ../planner/compile-order.ts turns them into SQL.
 */
import type { Builder } from './builder.js'
import { isOpaqueText, type Datamodel } from '../model/datamodel.js'
import { FULL_TEXT_RANK_ORDER, isFullText } from './full-text.js'

const UNORDERABLE = new Set(['Json', 'Bytes'])

export function createOrderTypes(builder: Builder, datamodel: Datamodel): Map<string, string> {
  builder.enumType('SortOrder', {
    description: 'Direction of an ordering; without NULLS_*, NULLs sort as PostgreSQL does (last ascending, first descending).',
    values: ['ASC', 'DESC', 'ASC_NULLS_FIRST', 'ASC_NULLS_LAST', 'DESC_NULLS_FIRST', 'DESC_NULLS_LAST'] as const,
  })
  const names = new Map<string, string>()
  for (const model of datamodel.models.values()) {
    const orderable = model.scalars.filter((f) => !f.isList && !UNORDERABLE.has(f.type) && !isOpaqueText(model, f))
    // A tsvector column orders by its rank for some words.
    const ranked = model.scalars.filter((f) => isFullText(model, f))
    if (!orderable.length && !ranked.length) continue
    const name = `${model.name}OrderBy`
    names.set(model.name, name)
    builder.inputType(name, {
      description: `One ordering of ${model.name} rows: give one column per list item.`,
      fields: (t: Builder) => ({
        ...Object.fromEntries(orderable.map((f) => [f.name, t.field({ type: 'SortOrder', required: false })])),
        ...Object.fromEntries(ranked.map((f) => [f.name, t.field({ type: FULL_TEXT_RANK_ORDER, required: false })])),
      }),
    })
  }
  return names
}
