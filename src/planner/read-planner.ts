/**
 * The read planner: the one place where a GraphQL selection becomes database reads.
 *
 * A root list is compiled, with everything nested under it, into one SQL statement whose JSON
 * PostgreSQL builds (./compile-read.ts). Lookups by key (`film(filmId:)`, `node(nodeId:)`) go
 * through per-request DataLoaders, so N lookups of one type and shape in one operation are one
 * `unnest(keys)` statement. Statements run on the pool Prisma's adapter uses (../db/sql-runner.ts).
 */
import DataLoader from 'dataloader'
import { getArgumentValues, getOperationAST, type DocumentNode, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql'
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
import { candidateVariables, fillTemplate, fits, learnTemplate, type OperationTemplate, type ScalarName } from './operation-template.js'
import { changedRowsSql, compileLiveOperation, livePollSql, livePollValues, type ChangedRowsStatement, type LiveOperation } from './compile-live.js'

type PageSizes = Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>

/** One operation of a document: the variables that are parameters, and its templates by the other variables' values. */
interface TemplatePlan {
  candidates: Map<string, ScalarName>
  refined: boolean
  templates: Map<string, OperationTemplate | null>
  /** Keys (the other variables' values) seen once, with no template learned yet. */
  seen: Set<string>
}

/** Stores a plan in a bounded cache: a document sent with ever-new values keeps only its latest plans. */
function remember<T>(cache: Map<string, T>, key: string, value: T): void {
  if (cache.size >= 100) cache.clear()
  cache.set(key, value)
}

/** Variables as a cache key; undefined when they cannot be written out (too deep). */
function stableKey(values: Record<string, unknown>): string | undefined {
  try {
    return JSON.stringify(values)
  } catch {
    return undefined
  }
}

interface Lookup {
  key: unknown[]
  /** The selection's own parameters: the same for every lookup of one loader. */
  params: unknown[]
}

export class ReadPlanner {
  /** Loaders of one request, by statement shape; they die with the request's context. */
  private readonly loaders = new WeakMap<object, Map<string, DataLoader<Lookup, unknown, string>>>()
  private readonly operations = new WeakMap<DocumentNode, Map<string, CompiledOperation | null>>()
  private readonly templatePlans = new WeakMap<DocumentNode, Map<string, TemplatePlan | null>>()
  /** Operations compiled from scratch (not filled from a template): for tests and diagnostics. */
  compiles = 0

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

  /**
   * The whole operation as one statement, or null when it needs GraphQL execution. Compiled once
   * per document with its plain variables as parameters (./operation-template.ts), filled per
   * request; variables that shape the statement (page sizes, filter objects) are part of the
   * cache key, and values that do not fit a parameter are compiled as they come.
   */
  compileOperation(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Record<string, unknown> | null): CompiledOperation | null {
    const values = variables ?? {}
    const compile = (vars: Record<string, unknown>) => this.compileExactly(schema, document, operationName, vars)
    const templated = this.templateKey(document, operationName, values, compile)
    if (templated?.template) return fillTemplate(templated.template, values)
    let byVariables = this.operations.get(document)
    if (!byVariables) this.operations.set(document, (byVariables = new Map()))
    const cacheKey = stableKey(values)
    if (cacheKey === undefined) return null // variables too deep to write out: executing the operation reports them
    const key = `${operationName ?? ''}\u0000${cacheKey}`
    if (byVariables.has(key)) return byVariables.get(key)!
    // Learning takes two compiles: only for shaping values seen before (a value seen once, such
    // as a search prefix that changes every request, is compiled once, as it would be anyway).
    if (templated && templated.template === undefined) {
      const { plan, key: shapeKey } = templated
      if (plan.seen.has(shapeKey)) {
        const template = learnTemplate(plan.candidates, values, compile)
        remember(plan.templates, shapeKey, template)
        if (template) return fillTemplate(template, values)
      } else {
        if (plan.seen.size >= 100) plan.seen.clear()
        plan.seen.add(shapeKey)
      }
    }
    const compiled = compile(values)
    remember(byVariables, key, compiled)
    return compiled
  }

  /**
   * The operation's template plan and the key of these values' template (the values of the
   * variables that are not parameters), with the template when one is known (null: the values
   * cannot have one); undefined when the operation has no parameters to fill or the values do
   * not fit them. The first values seen decide, once, which candidates are parameters.
   */
  private templateKey(
    document: DocumentNode,
    operationName: string | null | undefined,
    values: Record<string, unknown>,
    compile: (variables: Record<string, unknown>) => CompiledOperation | null,
  ): { plan: TemplatePlan; key: string; template: OperationTemplate | null | undefined } | undefined {
    const plan = this.templatePlan(document, operationName)
    if (!plan || ![...plan.candidates].every(([name, type]) => fits(type, values[name]))) return undefined
    const learned = plan.refined ? undefined : this.refine(plan, values, compile)
    if (!plan.candidates.size) return undefined
    const others: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(values)) if (!plan.candidates.has(name)) others[name] = value
    const key = stableKey(others)
    if (key === undefined) return undefined
    if (learned) remember(plan.templates, key, learned)
    return { plan, key, template: plan.templates.get(key) }
  }

  private compileExactly(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): CompiledOperation | null {
    this.compiles += 1
    try {
      return compileOperation(this.datamodel, this.pageSizes, schema, document, operationName, variables)
    } catch {
      return null // invalid arguments: executing the operation reports them
    }
  }

  /** The document's template state for one operation (its candidate variables found once), or null when it has none. */
  private templatePlan(document: DocumentNode, operationName?: string | null): TemplatePlan | null {
    let plans = this.templatePlans.get(document)
    if (!plans) this.templatePlans.set(document, (plans = new Map()))
    const name = operationName ?? ''
    let plan = plans.get(name)
    if (plan === undefined) {
      const operation = getOperationAST(document, operationName)
      const candidates = operation?.operation === 'query' ? candidateVariables(operation, document) : new Map()
      plan = candidates.size ? { candidates, refined: false, templates: new Map(), seen: new Set() } : null
      plans.set(name, plan)
    }
    return plan
  }

  /**
   * Keeps the candidates the compiler passes through untouched: all of them when it can (their
   * template, learned on the way, is returned), else each one that can on its own (once per
   * document; the others become part of the cache key).
   */
  private refine(plan: TemplatePlan, values: Record<string, unknown>, compile: (variables: Record<string, unknown>) => CompiledOperation | null): OperationTemplate | undefined {
    plan.refined = true
    const all = learnTemplate(plan.candidates, values, compile)
    if (all) return all
    if (plan.candidates.size === 1) return void (plan.candidates = new Map())
    plan.candidates = new Map([...plan.candidates].filter((candidate) => learnTemplate(new Map([candidate]), values, compile)))
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
