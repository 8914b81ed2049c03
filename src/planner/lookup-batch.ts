/**
 * Lookups by key, batched: many lookups of one model by the same columns, with the same selection,
 * are one statement over their keys, unnested together (one array parameter per key column) and
 * numbered by position (WITH ORDINALITY). Three paths batch lookups, and all write their
 * statement here and tell batches apart by `lookupShape`:
 * - the per-request DataLoaders of GraphQL execution (./read-planner.ts byKey);
 * - the compiled operation's runs of adjacent lookups (./compile-operation.ts);
 * - the re-read of changed rows for row events (./compile-live.ts changedRowsSql).
 */
import type { ModelInfo } from '../model/datamodel.js'
import { arrayTypeOf, column, int, join, tableName, type Params } from './sql.js'
import { sql, type Sql } from './sql-text.js'

export interface LookupBatch {
  model: ModelInfo
  /** The columns looked up: the key, or a unique key of a federation entity. */
  fields: readonly string[]
  /** One array parameter per column in `fields` (lookupKeys). */
  keys: readonly Sql[]
  /** The looked-up row's alias, the one `object` is written on. */
  alias: Sql
  /** What each row found becomes: its JSON object. */
  object: Sql
}

export type LookupOutput =
  /**
   * Rows (i, j): a row found for the key at position i (from 1) and its object as text, left out
   * where no row has the key, or the row fails `where`. A DataLoader answers a missing key with null.
   */
  | { rows: true; where?: Sql }
  /**
   * One row, one text `s`: every key's object in the batch's order, separated by commas, `null`
   * for a key with no row; each one after `"responseKey":` when `responseKeys` is given (a text[]
   * parameter of JSON-quoted keys, one per lookup). LIMIT 1: one row per key, even where a
   * declared (unenforced) key matches several rows.
   */
  | { rows: false; responseKeys?: Sql }

/**
 * The array parameters of a batch's keys, one per column, typed as the column's array: the values
 * given (one array per column, already PostgreSQL's text), or null when the batch's keys are
 * passed later, as the statement's first parameters.
 */
export function lookupKeys(params: Params, model: ModelInfo, fields: readonly string[], columns?: readonly unknown[][]): Sql[] {
  return fields.map((field, i) => params.add(columns ? columns[i] : null, arrayTypeOf(model, field)))
}

/** The batch's statement (see LookupOutput for the two forms). */
export function lookupBatchSql(batch: LookupBatch, output: LookupOutput): Sql {
  const { model, fields, keys, alias, object } = batch
  // k0, k1, ...: the key columns of the unnested keys, names made here.
  const names = fields.map((_, i) => sql`k${int(i)}`)
  const match = join(
    fields.map((field, i) => sql`${column(model, alias, field)} = k.${names[i]!}`),
    sql` AND `,
  )
  if (output.rows) {
    const where = output.where ? sql` WHERE ${output.where}` : sql``
    const source = sql`unnest(${join(keys, sql`, `)}) WITH ORDINALITY AS k(${join(names, sql`, `)}, i)`
    return sql`SELECT k.i::int AS i, (${object})::text AS j FROM ${source} JOIN ${tableName(model)} ${alias} ON ${match}${where}`
  }
  const aliased = output.responseKeys !== undefined
  const row = sql`SELECT ${object} FROM ${tableName(model)} ${alias} WHERE ${match} LIMIT 1`
  const item = sql`coalesce((${row})::text, 'null')`
  const arrays = aliased ? [...keys, output.responseKeys!] : keys
  const columns = aliased ? [...names, sql`a`] : names
  const source = sql`unnest(${join(arrays, sql`, `)}) WITH ORDINALITY AS k(${join(columns, sql`, `)}, i)`
  return sql`SELECT string_agg(${aliased ? sql`k.a || ':' || ${item}` : item}, ',' ORDER BY k.i) AS s FROM ${source}`
}

/**
 * What lookups must share to be one batch: the model, the columns looked up, the type shaped,
 * and the selection's SQL and parameters (its arguments). Both paths key their batches by it.
 */
export function lookupShape(model: ModelInfo, fields: readonly string[], typeName: string, object: Sql, params: readonly unknown[]): string {
  const values = JSON.stringify(params, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))
  return `${model.name}\u0000${fields.join(',')}\u0000${typeName}\u0000${object}\u0000${values}`
}
