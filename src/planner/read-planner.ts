/**
 * The read planner: the one place where a GraphQL selection becomes database reads.
 *
 * A root list is compiled, with everything nested under it, into one SQL statement whose JSON
 * PostgreSQL builds (./compile-read.ts). Lookups by key (`film(filmId:)`, `node(nodeId:)`) go
 * through per-request DataLoaders, so N lookups of one type and shape in one operation are one
 * `unnest(keys)` statement. Statements run on the pool Prisma's adapter uses (../db/sql-runner.ts).
 */
import DataLoader from 'dataloader'
import { getArgumentValues, type DocumentNode, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import type { SqlRunner } from '../db/sql-runner.js'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { connectionSql, functionResultSql, objectJson, type CompileContext } from './compile-read.js'
import type { FunctionInfo } from '../model/functions.js'
import { compileOperation, type CompiledOperation } from './compile-operation.js'
import { groupBySql } from './compile-group-by.js'
import type { ConnectionArgs } from './connection.js'
import { toDbValue } from './compile-where.js'
import { selectionOf, type Operation, type SelectedField } from './selection.js'
import { ident, join, Params, sql, tableName, toText, valueFor, type Sql } from './sql.js'
import { lookupBatchSql, lookupKeys, lookupShape } from './lookup-batch.js'
import { toRaisedError, toReadError } from './client-errors.js'
import { changedRowsSql, compileLiveOperation, livePollSql, livePollValues, type ChangedRowsStatement, type LiveOperation } from './compile-live.js'

type PageSizes = Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>

interface Lookup {
  key: unknown[]
  /** The selection's own parameters: the same for every lookup of one loader. */
  params: unknown[]
}

export class ReadPlanner {
  /** Loaders of one request, by statement shape; they die with the request's context. */
  private readonly loaders = new WeakMap<object, Map<string, DataLoader<Lookup, unknown, string>>>()
  private readonly operations = new WeakMap<DocumentNode, Map<string, CompiledOperation | null>>()

  constructor(
    private readonly sql: SqlRunner,
    readonly datamodel: Datamodel,
    private readonly pageSizes: PageSizes,
  ) {}

  /** One statement: the whole connection, nested selections included. */
  async connection(model: ModelInfo, args: ConnectionArgs, info: GraphQLResolveInfo): Promise<unknown> {
    const ctx = this.compileContext(info, new Params())
    const field = this.rootField(info, args)
    const statement = sql`SELECT (${connectionSql(ctx, model, field, () => sql`TRUE`)})::text AS j`
    const [row] = await this.run(statement, ctx.params.values)
    return JSON.parse(row!.j as string)
  }

  /**
   * One statement: a function's root field (a query's, or a mutation's with `write`), its result
   * shaped as the selection asks, nested relations and computed fields included.
   */
  async callFunction(fn: FunctionInfo, args: Record<string, unknown>, info: GraphQLResolveInfo, options: { write?: boolean } = {}): Promise<unknown> {
    const ctx = this.compileContext(info, new Params())
    const statement = sql`SELECT to_json(${functionResultSql(ctx, fn, this.rootField(info, args))})::text AS j`
    const [row] = await this.run(statement, ctx.params.values, options).catch((error: unknown) => Promise.reject(toRaisedError(error)))
    return row?.j == null ? null : JSON.parse(row.j as string)
  }

  /** One statement: the groups of a `<list>GroupBy` field. */
  async groups(model: ModelInfo, info: GraphQLResolveInfo): Promise<unknown> {
    const ctx = this.compileContext(info, new Params())
    const def = info.parentType.getFields()[info.fieldName]!
    const args = getArgumentValues(def, info.fieldNodes[0]!, info.variableValues)
    const field: SelectedField = { key: info.path.key as string, name: info.fieldName, nodes: [...info.fieldNodes], def, args }
    const [row] = await this.run(sql`SELECT (${groupBySql(ctx, model, field, this.pageSizes)})::text AS j`, ctx.params.values)
    return JSON.parse(row!.j as string)
  }

  /**
   * The row of `model` whose `fields` (its key by default; a federation entity may use a unique
   * key) have these values, shaped for `type`'s selection, or null.
   */
  byKey(model: ModelInfo, values: unknown[], type: GraphQLObjectType, info: GraphQLResolveInfo, context: object, fields = model.key): Promise<unknown> {
    // Key parameters come first ($1..$n), so the selection's SQL and parameters are the same for
    // every lookup of the same shape, and those share one loader and one statement.
    const params = new Params()
    const keys = lookupKeys(params, model, fields)
    const ctx = this.compileContext(info, params)
    const alias = params.alias()
    const object = objectJson(ctx, model, type, selectionOf(ctx.op, type, info.fieldNodes), alias)
    const selectionParams = params.values.slice(fields.length)
    const shape = lookupShape(model, fields, type.name, object, selectionParams)
    const key = values.map((value, i) => toText(toDbValue(this.datamodel, model, fields[i]!, value)))
    return this.loader(context, shape, () => lookupBatchSql({ model, fields, keys, alias, object }, { rows: true })).load({ key, params: selectionParams })
  }

  private loader(context: object, shape: string, statementOf: () => Sql) {
    let loaders = this.loaders.get(context)
    if (!loaders) this.loaders.set(context, (loaders = new Map()))
    let loader = loaders.get(shape)
    if (!loader) {
      const statement = statementOf()
      loader = new DataLoader<Lookup, unknown, string>((lookups) => this.loadMany(statement, lookups), { cacheKeyFn: (lookup) => JSON.stringify(lookup.key) })
      loaders.set(shape, loader)
    }
    return loader
  }

  /** One statement for a batch (./lookup-batch.ts), answered in the order asked; a missing key is null. */
  private async loadMany(statement: Sql, lookups: readonly Lookup[]): Promise<unknown[]> {
    const width = lookups[0]!.key.length
    const values = [...Array.from({ length: width }, (_, i) => lookups.map((l) => l.key[i])), ...lookups[0]!.params]
    const rows = await this.run(statement, values)
    const found = new Array<unknown>(lookups.length).fill(null)
    for (const row of rows) found[(row.i as number) - 1] = JSON.parse(row.j as string)
    return found
  }

  /**
   * Inserts rows into a table Prisma cannot write (a keyless table is a Prisma view) and returns
   * them shaped for `type`'s selection, in one statement. Columns left out take their defaults.
   */
  async insert(model: ModelInfo, rows: Record<string, unknown>[], type: GraphQLObjectType, info: GraphQLResolveInfo, selection = true): Promise<unknown[]> {
    const params = new Params()
    const ctx = this.compileContext(info, params)
    const fields = [...new Set(rows.flatMap((row) => Object.keys(row).filter((k) => row[k] !== undefined)))]
    const values = rows.map(
      (row) => sql`(${join(fields.map((f) => (row[f] === undefined ? sql`DEFAULT` : valueFor(params, model, f, toDbValue(this.datamodel, model, f, row[f])))), sql`, `)})`,
    )
    const columns = join(fields.map((f) => ident(model.columns.get(f)!.name)), sql`, `)
    const insert = fields.length
      ? sql`INSERT INTO ${tableName(model)} (${columns}) VALUES ${join(values, sql`, `)} RETURNING *`
      : sql`INSERT INTO ${tableName(model)} DEFAULT VALUES RETURNING *`
    const alias = params.alias()
    const object = selection ? objectJson(ctx, model, type, selectionOf(ctx.op, type, info.fieldNodes), alias) : sql`'{}'::json`
    const [row] = await this.run(sql`WITH ${alias} AS (${insert}) SELECT coalesce(json_agg(${object}), '[]'::json)::text AS j FROM ${alias}`, params.values, { write: true })
    return JSON.parse(row!.j as string) as unknown[]
  }

  /** The whole operation as one statement, or null when it needs GraphQL execution; cached per document and variables. */
  compileOperation(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Record<string, unknown> | null): CompiledOperation | null {
    let byVariables = this.operations.get(document)
    if (!byVariables) this.operations.set(document, (byVariables = new Map()))
    let cacheKey: string
    try {
      cacheKey = `${operationName ?? ''}\u0000${JSON.stringify(variables ?? {})}`
    } catch {
      return null // variables too deep to write out: executing the operation reports them
    }
    if (byVariables.has(cacheKey)) return byVariables.get(cacheKey)!
    let compiled: CompiledOperation | null
    try {
      compiled = compileOperation(this.datamodel, this.pageSizes, schema, document, operationName, variables)
    } catch {
      compiled = null // invalid arguments: executing the operation reports them
    }
    // Bounded: a document sent with ever-new variables keeps only its latest plans.
    if (byVariables.size >= 100) byVariables.clear()
    byVariables.set(cacheKey, compiled)
    return compiled
  }

  /** Runs a compiled operation: the response's `data`, as the JSON text PostgreSQL built. */
  async runOperation(compiled: CompiledOperation): Promise<string> {
    const [row] = await this.run(compiled.sql, compiled.values)
    return row!.j as string
  }

  /** A live query's cohort: its operation with parameters read from the cohort row (./compile-live.ts), or null. */
  compileLive(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Record<string, unknown> | null): LiveOperation | null {
    try {
      return compileLiveOperation(this.datamodel, this.pageSizes, schema, document, operationName, variables)
    } catch {
      return null // invalid arguments: executing the operation reports them
    }
  }

  /** One statement polling cohorts of one shape: each cohort's `data` as text, in the order of `rows`. */
  async pollLive(shape: Sql, rows: string[]): Promise<string[]> {
    const result = await this.run(livePollSql(shape), livePollValues(rows))
    const texts = new Array<string>(rows.length)
    for (const row of result) texts[(row.i as number) - 1] = row.j as string
    return texts
  }

  /** The statement re-reading a `<Type>Changed` subscription's rows by key. */
  changedRows(op: Operation, model: ModelInfo, eventType: GraphQLObjectType, fieldNodes: readonly import('graphql').FieldNode[], where: unknown): ChangedRowsStatement {
    return changedRowsSql(this.datamodel, this.pageSizes, op, model, eventType, fieldNodes, where)
  }

  /** Runs it for a batch of keys (one array per key column, as text): (position in the batch, JSON text). */
  async readChangedRows(statement: ChangedRowsStatement, keys: unknown[][]): Promise<{ i: number; j: string }[]> {
    const rows = await this.run(statement.sql, [...keys, ...statement.values])
    return rows as { i: number; j: string }[]
  }

  private compileContext(info: GraphQLResolveInfo, params: Params): CompileContext {
    const op: Operation = { schema: info.schema, fragments: info.fragments, variableValues: info.variableValues }
    return { op, datamodel: this.datamodel, params, pageSizes: this.pageSizes }
  }

  private rootField(info: GraphQLResolveInfo, args: object): SelectedField {
    const def = info.parentType.getFields()[info.fieldName]!
    return { key: info.path.key as string, name: info.fieldName, nodes: [...info.fieldNodes], def, args: args as Record<string, unknown> }
  }

  private run(statement: Sql, values: unknown[], options?: { write?: boolean }): Promise<Record<string, unknown>[]> {
    const rows = this.sql.query(statement, values, options)
    // A refused value is the caller's error; a write's errors are typed by the mutation (../schema/mutation-errors.ts).
    return options?.write ? rows : rows.catch((error: unknown) => Promise.reject(toReadError(error)))
  }
}
