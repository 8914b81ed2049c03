/**
 * Full-text search on tsvector columns (../schema/full-text.ts):
 *
 *   where: { fulltext: { matches: "drama -documentary" } }             col @@ websearch_to_tsquery(...)
 *   orderBy: [{ fulltext: { matches: "drama", direction: DESC } }]     coalesce(ts_rank(col, ...), 0)
 *
 * The words are read as web search syntax (`websearch_to_tsquery`: quoted phrases, `or`, `-word`),
 * in the column's text search configuration (`@textSearchConfig` on the column, else the
 * `textSearchConfig` setting, else PostgreSQL's `default_text_search_config`). Words and
 * configuration are parameters. The match is written on the bare column, so a GIN index on it serves.
 */
import type { ModelInfo } from '../model/datamodel.js'
import { column, join, sql, type Params, type Sql } from './sql.js'

type Input = Record<string, unknown>

/** `websearch_to_tsquery([config,] words)` for a column's configuration. */
function tsQuery(model: ModelInfo, field: string, words: unknown, params: Params): Sql {
  const config = model.columns.get(field)?.textSearchConfig
  const regconfig = config ? sql`${params.add(config, sql`regconfig`)}, ` : sql``
  return sql`websearch_to_tsquery(${regconfig}${params.add(String(words), sql`text`)})`
}

export function fullTextCondition(model: ModelInfo, alias: Sql, field: string, filter: Input, params: Params): Sql {
  const col = column(model, alias, field)
  const conditions: Sql[] = []
  if (filter.matches != null) conditions.push(sql`${col} @@ ${tsQuery(model, field, filter.matches, params)}`)
  if (filter.isNull === true) conditions.push(sql`${col} IS NULL`)
  if (filter.isNull === false) conditions.push(sql`${col} IS NOT NULL`)
  return conditions.length === 0 ? sql`TRUE` : join(conditions.map((c) => sql`(${c})`), sql` AND `)
}

export interface RankOrder {
  matches: string
  direction?: string | null
}

/**
 * Ordering by rank for some words (ts_rank; a row without a document ranks 0, like one that does
 * not match), most relevant first unless asked otherwise. The query is one parameter, evaluated
 * for the row and, after a cursor, for the cursor's row alike (./compile-order.ts).
 */
export function rankSql(model: ModelInfo, field: string, order: RankOrder, params: Params): (alias: Sql) => Sql {
  const query = tsQuery(model, field, order.matches, params)
  return (alias) => sql`coalesce(ts_rank(${column(model, alias, field)}, ${query}), 0)`
}

export const rankDirection = (order: RankOrder): 'ASC' | 'DESC' => ((order.direction ?? 'DESC').startsWith('ASC') ? 'ASC' : 'DESC')
