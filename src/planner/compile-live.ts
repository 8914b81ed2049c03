/**
 * SQL for live data (../live/): a live query polled for many cohorts in one statement, and the
 * rows of change events re-read for a batch of keys in one statement.
 *
 * A live query's cohorts share a document, a role and claims, and differ in their variables. Each
 * cohort's operation is compiled as usual (./compile-operation.ts), except that every parameter is
 * written as a read of the cohort's row instead of `$n`: `(live_c.v->>3)::integer`. Cohorts whose
 * variables give the same text (the usual case: variables that are filter values) are polled
 * together, their parameter lists unnested from one jsonb array:
 *
 *   SELECT live_c.i, (<the operation>) FROM jsonb_array_elements($1) WITH ORDINALITY live_c(v, i)
 *
 * Variables that change the statement's shape (a `first` that changes a LIMIT, a `where` object
 * with other filters) give another text, polled as another statement.
 */
import { getNamedType, type DocumentNode, type FieldNode, type GraphQLObjectType, type GraphQLSchema } from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { compileOperation } from './compile-operation.js'
import { objectJson, type CompileContext } from './compile-read.js'
import { compileWhere } from './compile-where.js'
import { selectionOf, type Operation } from './selection.js'
import { int, jsonObject, Params, sql, tableName, toText, type Sql } from './sql.js'
import { lookupBatchSql, lookupKeys } from './lookup-batch.js'

type PageSizes = Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>

/** The alias of the cohort row in a poll statement (no compiled alias looks like it). */
const COHORT = sql`live_c`

/** Parameters written as members of the cohort row's jsonb array. */
class CohortParams extends Params {
  override add(value: unknown, type?: Sql): Sql {
    this.values.push(value)
    const read = sql`(${COHORT}.v->>${int(this.values.length - 1)})`
    return type ? sql`${read}::${type}` : read
  }
}

export interface LiveOperation {
  /** The operation's statement, reading its parameters from the cohort row: the group's shape. */
  shape: Sql
  /** The cohort's row: its parameters as text (jsonb), in order. */
  row: string
  /** The tables it reads, "schema.table": a change to another table cannot change its result. */
  tables: string[]
}

export function compileLiveOperation(
  datamodel: Datamodel,
  pageSizes: PageSizes,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): LiveOperation | null {
  const params = new CohortParams()
  const compiled = compileOperation(datamodel, pageSizes, schema, document, operationName, variables, params)
  // Extension fields need their resolvers run over the data: a poll only sends the statement's text.
  if (!compiled || compiled.execute) return null
  return { shape: compiled.sql, row: JSON.stringify(params.values.map(toText)), tables: tablesRead(datamodel, compiled.sql) }
}

/** One statement for many cohorts of one shape: `$1` is a jsonb array of their rows; rows come back as (i, j). */
export function livePollSql(shape: Sql): Sql {
  return sql`SELECT ${COHORT}.i::int AS i, (${shape}) AS j FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS ${COHORT}(v, i)`
}

/** The rows of a poll statement's `$1`. */
export function livePollValues(rows: string[]): unknown[] {
  return [`[${rows.join(',')}]`]
}

/** The tables whose names the statement reads (every table is written as tableName() writes it). */
export function tablesRead(datamodel: Datamodel, sql: string): string[] {
  const tables: string[] = []
  for (const model of datamodel.models.values()) if (sql.includes(tableName(model))) tables.push(`${model.table.schema}.${model.table.name}`)
  return tables
}

export interface ChangedRowsStatement {
  /** `$1..$k` are the key columns' values (arrays, one item per changed row); the rest follow. */
  sql: Sql
  /** The parameters after the keys: the same for every batch. */
  values: unknown[]
  /** How many key arrays come first. */
  keys: number
}

/**
 * Re-reads changed rows by key, as the subscriber (its role applies row-level security), shaped
 * for the subscription's selection of `<Type>Change`: one JSON object per row that still exists and
 * matches `where`, holding each selected `node` under its response key. Rows come back as (i, j),
 * i being the key's position.
 */
export function changedRowsSql(
  datamodel: Datamodel,
  pageSizes: PageSizes,
  op: Operation,
  model: ModelInfo,
  eventType: GraphQLObjectType,
  fieldNodes: readonly FieldNode[],
  where: unknown,
): ChangedRowsStatement {
  const params = new Params()
  const keys = lookupKeys(params, model, model.key)
  const ctx: CompileContext = { op, datamodel, params, pageSizes }
  const t = params.alias()
  const entries: [string, Sql][] = []
  for (const field of selectionOf(op, eventType, fieldNodes).values()) {
    if (field.name !== 'node') continue
    const nodeType = getNamedType(eventType.getFields().node!.type) as GraphQLObjectType
    entries.push([field.key, objectJson(ctx, model, nodeType, selectionOf(op, nodeType, field.nodes), t)])
  }
  const condition = compileWhere(datamodel, model, t, where as never, params)
  const statement = lookupBatchSql({ model, fields: model.key, keys, alias: t, object: jsonObject(entries) }, { rows: true, where: condition })
  return { sql: statement, values: params.values.slice(model.key.length), keys: model.key.length }
}
