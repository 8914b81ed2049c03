/**
 * A whole query operation -> one SQL statement whose single text value is the response's `data`.
 *
 * Every root field Portico serves is a model's list, a lookup by key, `node(nodeId:)` or a
 * function's call (../model/functions.ts), and each
 * compiles to JSON already in its served form (./compile-read.ts), so an operation made only of
 * those needs neither GraphQL execution nor JSON parsing: PostgreSQL writes the response. Adjacent
 * lookups of one type and shape (100 aliased `film(filmId:)`) are one `unnest(keys)` subquery, as
 * the per-request DataLoaders batch them on the other path (both through ./lookup-batch.ts). Anything else (introspection, invalid arguments, variables
 * that do not coerce) returns null, and the operation is executed normally, which also reports
 * its errors.
 */
import {
  getOperationAST,
  getVariableValues,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  isObjectType,
  isUnionType,
} from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { connectionSql, functionResultSql, objectJson, objectTypeOf, type CompileContext } from './compile-read.js'
import { toDbValue } from './compile-where.js'
import { rootSourceOf } from './field-source.js'
import { isExtensionField } from './extension-fields.js'
import { decodeNodeId } from './node-id.js'
import { representationKey } from './entity-keys.js'
import { groupBySql } from './compile-group-by.js'
import { selectionOf, type Operation, type SelectedField } from './selection.js'
import { int, join, jsonMember, literal, Params, sql, toText, type Sql } from './sql.js'
import { lookupBatchSql, lookupKeys, lookupShape } from './lookup-batch.js'

export interface CompiledOperation {
  sql: Sql
  values: unknown[]
  /**
   * The operation has extension fields: their resolvers run after the statement, by GraphQL
   * execution over its data (a CompiledRoot as the root value), instead of sending its text as is.
   */
  execute: boolean
}

/**
 * The root value of an operation executed over its compiled statement's data: generated root
 * fields read their value from it by response key (../schema/extension-plugin.ts).
 */
export class CompiledRoot {
  constructor(readonly data: Record<string, unknown>) {}
}

interface Lookup {
  field: SelectedField
  model: ModelInfo
  type: GraphQLObjectType
  /** The columns looked up (the key, or a unique key of a federation entity) and their values. */
  fields: string[]
  key: unknown[]
}

/** Consecutive lookups of one shape, read by one subquery. */
interface Run {
  shape: string
  lookups: Lookup[]
}

/** Appends a lookup to the last run if it has the same shape, else starts a run. */
function addToRuns(ctx: CompileContext, runs: (Sql | Run)[], lookup: Lookup): void {
  const shape = shapeOf(ctx, lookup)
  const last = runs[runs.length - 1]
  if (typeof last === 'object' && last.shape === shape) last.lookups.push(lookup)
  else runs.push({ shape, lookups: [lookup] })
}

type PageSizes = Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>

export function compileOperation(
  datamodel: Datamodel,
  pageSizes: PageSizes,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
  /** Where parameters go: `$n` by default; a live query's cohort row (./compile-live.ts). */
  params: Params = new Params(),
): CompiledOperation | null {
  const operation = getOperationAST(document, operationName)
  const queryType = schema.getQueryType()
  if (!operation || operation.operation !== 'query' || !queryType) return null
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {})
  if (coerced.errors) return null
  const fragments: Record<string, FragmentDefinitionNode> = {}
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition
  const op: Operation = { schema, fragments, variableValues: coerced.coerced }
  const root = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'query' }, selectionSet: operation.selectionSet } as FieldNode
  let introspection = false
  const selection = selectionOf(op, queryType, [root], () => (introspection = true))
  // __schema and __type are graphql-js's to answer.
  if (introspection) return null

  const resolvers = { needed: false }
  const ctx: CompileContext = { op, datamodel, params, pageSizes, resolvers }
  // node and _entities yield abstract types, which GraphQL execution over the data could not tell apart.
  let abstract = false
  let reads = 0
  // The response is written as text, member by member in the operation's order.
  const members: (Sql | Run)[] = []
  const from: Sql[] = []
  const runText = (run: Run, aliased: boolean) => {
    // r1, r2, ...: names made here.
    const name = sql`r${int(from.length + 1)}`
    from.push(sql`(${runSql(ctx, run.lookups, aliased)}) ${name}`)
    return sql`${name}.s`
  }
  for (const field of selection.values()) {
    if (field.name === '__typename') {
      members.push(jsonMember(field.key, sql`${literal(queryType.name)}::text`))
      continue
    }
    if (field.name === '_entities') {
      abstract = true
      const entities = entityLookups(ctx, schema, field)
      const runs: (Sql | Run)[] = []
      for (const lookup of entities) addToRuns(ctx, runs, lookup)
      const items = runs.map((run) => runText(run as Run, false))
      members.push(sql`${literal(`${JSON.stringify(field.key)}:[`)} || ${items.length ? join(items, sql` || ',' || `) : sql`''`} || ']'`)
      continue
    }
    const source = rootSourceOf(field.def)
    if (!source) {
      // An extension's root field runs its own resolver after the statement.
      if (!isExtensionField(field.def)) return null
      resolvers.needed = true
      continue
    }
    reads += 1
    if (source.kind === 'rootList') {
      members.push(jsonMember(field.key, sql`(${connectionSql(ctx, source.model, field, () => sql`TRUE`)})`))
      continue
    }
    if (source.kind === 'groupBy') {
      members.push(jsonMember(field.key, sql`(${groupBySql(ctx, source.model, field, pageSizes)})`))
      continue
    }
    if (source.kind === 'function') {
      members.push(jsonMember(field.key, functionResultSql(ctx, source.fn, field)))
      continue
    }
    if (source.kind === 'lookup') {
      const { model, fields } = source
      addToRuns(ctx, members, { field, model, type: objectTypeOf(field), fields, key: fields.map((k) => field.args[k]) })
    } else {
      abstract = true
      const node = decodeNodeId(datamodel, schema, String(field.args.nodeId))
      addToRuns(ctx, members, { field, ...node, fields: node.model.key })
    }
  }

  const parts = members.map((m) => (typeof m === 'string' ? m : runText(m, true)))
  // Only extension root fields (and __typename): nothing for a statement to read.
  if (resolvers.needed && (abstract || reads === 0)) return null
  const text = parts.length ? sql`'{' || ${join(parts, sql` || ',' || `)} || '}'` : sql`'{}'`
  const fromSql = from.length ? sql` FROM ${join(from, sql`, `)}` : sql``
  return { sql: sql`SELECT ${text} AS j${fromSql}`, values: params.values, execute: resolvers.needed }
}

/**
 * `_entities(representations:)` as lookups, in order. A representation that is not an entity of
 * this subgraph, or does not give a key, throws: the operation is then executed field by field,
 * which answers the good ones and reports each bad one.
 */
function entityLookups(ctx: CompileContext, schema: GraphQLSchema, field: SelectedField): Lookup[] {
  const union = schema.getType('_Entity')
  const entityTypes = new Set(isUnionType(union) ? union.getTypes().map((t) => t.name) : [])
  return (field.args.representations as Record<string, unknown>[]).map((representation) => {
    const typename = String(representation.__typename)
    const model = ctx.datamodel.models.get(typename)
    const type = schema.getType(typename)
    if (!model || !entityTypes.has(typename) || !isObjectType(type)) throw new Error(`${typename} is not an entity`)
    const fields = representationKey(model, representation)
    return { field, model, type, fields, key: fields.map((f) => representation[f]) }
  })
}


/** Lookups with the same SQL (same model, same selection, same arguments inside) share a batch. */
function shapeOf(ctx: CompileContext, lookup: Lookup): string {
  const params = new Params()
  const object = objectJson({ ...ctx, params }, lookup.model, lookup.type, selectionOf(ctx.op, lookup.type, lookup.field.nodes), params.alias())
  return lookupShape(lookup.model, lookup.fields, lookup.type.name, object, params.values)
}

/**
 * A run of lookups as the text `"alias":row,"alias":row`, or `row,row` for `_entities` (null where
 * a key has no row): the keys (and aliases) are unnested together, in order, and each key reads
 * its row by index (./lookup-batch.ts).
 */
function runSql(ctx: CompileContext, run: Lookup[], aliased: boolean): Sql {
  const { model, type, field, fields } = run[0]!
  const columns = fields.map((k, i) => run.map((lookup) => toText(toDbValue(ctx.datamodel, model, k, lookup.key[i]))))
  const keys = lookupKeys(ctx.params, model, fields, columns)
  const responseKeys = aliased ? ctx.params.add(run.map((lookup) => JSON.stringify(lookup.field.key)), sql`text[]`) : undefined
  const alias = ctx.params.alias()
  const object = objectJson(ctx, model, type, selectionOf(ctx.op, type, field.nodes), alias)
  return lookupBatchSql({ model, fields, keys, alias, object }, { rows: false, responseKeys })
}
