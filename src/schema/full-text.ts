/**
 * Full-text search inputs for tsvector columns (../planner/full-text.ts writes the SQL):
 *
 *   films(where: { fulltext: { matches: "epic drama" } },
 *         orderBy: [{ fulltext: { matches: "epic drama" } }])     # most relevant first
 *
 * A tsvector column is served as text and has no other filter or ordering.
 */
import type { Builder } from './builder.js'
import type { DMMFField, ModelInfo } from '../model/datamodel.js'

export const FULL_TEXT_FILTER = 'FullTextFilter'
export const FULL_TEXT_RANK_ORDER = 'FullTextRankOrder'

/** A tsvector column: searched with `matches`, ordered by rank. */
export const isFullText = (model: ModelInfo, field: DMMFField): boolean => !field.isList && model.columns.get(field.name)?.type === 'tsvector'

/** Makes FullTextFilter and FullTextRankOrder (SortOrder comes from ./order.ts). */
export function createFullTextTypes(builder: Builder): void {
  builder.inputType(FULL_TEXT_FILTER, {
    description: 'Conditions on a tsvector column (full-text search); all given conditions must hold.',
    fields: (t: Builder) => ({
      matches: t.string({
        required: false,
        description: 'The document matches these words, in web search syntax: "quoted phrase", or, -not (websearch_to_tsquery).',
      }),
      isNull: t.boolean({ required: false, description: 'true: the column is NULL; false: it is not.' }),
    }),
  })
  builder.inputType(FULL_TEXT_RANK_ORDER, {
    description: 'Order by how well the document matches these words (ts_rank; 0 where it does not match or is NULL).',
    fields: (t: Builder) => ({
      matches: t.string({ required: true, description: 'The words, in web search syntax (websearch_to_tsquery).' }),
      direction: t.field({ type: 'SortOrder', required: false, defaultValue: 'DESC', description: 'DESC (the default): most relevant first.' }),
    }),
  })
}
