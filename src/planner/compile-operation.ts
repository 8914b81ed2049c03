/**
 * A whole query operation -> one SQL statement whose single text value is the response's `data`.
 *
 * Every root field Portico serves is a model's list, a lookup by key, `node(nodeId:)` or a
 * function's call (../model/functions.ts), and each
 * compiles to JSON already in its served form (./compile-read.ts), so an operation made only of
 * those needs neither GraphQL execution nor JSON parsing: PostgreSQL writes the response. Adjacent
 * lookups of one type and shape (100 aliased `film(filmId:)`) are one `unnest(keys)` subquery, as
 * the per-request DataLoaders batch them on the other path. Anything else (introspection, invalid arguments, variables
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
import { arrayTypeOf, column, jsonMember, literal, Params, tableName, toText } from './sql.js'

export interface CompiledOperation {
  sql: string
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
function addToRuns(ctx: CompileContext, runs: (string | Run)[], lookup: Lookup): void {
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

  const params = new Params()
  const resolvers = { needed: false }
  const ctx: CompileContext = { op, datamodel, params, pageSizes, resolvers }
  // node and _entities yield abstract types, which GraphQL execution over the data could not tell apart.
  let abstract = false
  let reads = 0
  // The response is written as text, member by member in the operation's order.
  const members: (string | Run)[] = []
  const from: string[] = []
  const runText = (run: Run, aliased: boolean) => {
    const name = `r${from.length + 1}`
    from.push(`(${runSql(ctx, run.lookups, aliased)}) ${name}`)
    return `${name}.s`
  }
  for (const field of selection.values()) {
    if (field.name === '__typename') {
      members.push(jsonMember(field.key, `${literal(queryType.name)}::text`))
      continue
    }
    if (field.name === '_entities') {
      abstract = true
      const entities = entityLookups(ctx, schema, field)
      const runs: (string | Run)[] = []
      for (const lookup of entities) addToRuns(ctx, runs, lookup)
      const items = runs.map((run) => runText(run as Run, false))
      members.push(`${literal(`${JSON.stringify(field.key)}:[`)} || ${items.length ? items.join(` || ',' || `) : "''"} || ']'`)
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
      members.push(jsonMember(field.key, `(${connectionSql(ctx, source.model, field, () => 'TRUE')})`))
      continue
    }
    if (source.kind === 'groupBy') {
      members.push(jsonMember(field.key, `(${groupBySql(ctx, source.model, field, pageSizes)})`))
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
  const text = parts.length ? `'{' || ${parts.join(` || ',' || `)} || '}'` : `'{}'`
  return { sql: `SELECT ${text} AS j${from.length ? ` FROM ${from.join(', ')}` : ''}`, values: params.values, execute: resolvers.needed }
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
  return `${lookup.model.name}\u0000${lookup.fields.join(',')}\u0000${lookup.type.name}\u0000${object}\u0000${JSON.stringify(params.values)}`
}

/**
 * A run of lookups as the text `"alias":row,"alias":row`, or `row,row` for `_entities` (null where
 * a key has no row): the keys (and aliases) are unnested together, in order, and each key reads
 * its row by index.
 */
function runSql(ctx: CompileContext, run: Lookup[], aliased: boolean): string {
  const { model, type, field, fields } = run[0]!
  const keys = fields.map((k, i) => ctx.params.add(run.map((lookup) => toText(toDbValue(ctx.datamodel, model, k, lookup.key[i]))), arrayTypeOf(model, k)))
  const aliases = aliased ? [ctx.params.add(run.map((lookup) => JSON.stringify(lookup.field.key)), 'text[]')] : []
  const t = ctx.params.alias()
  const object = objectJson(ctx, model, type, selectionOf(ctx.op, type, field.nodes), t)
  const names = fields.map((_, i) => `k${i}`)
  // LIMIT 1: one row per key, even where a declared (unenforced) key matches several rows.
  const row = `SELECT ${object} FROM ${tableName(model)} ${t} WHERE ${fields.map((k, i) => `${column(model, t, k)} = k.${names[i]}`).join(' AND ')} LIMIT 1`
  const item = `coalesce((${row})::text, 'null')`
  return (
    `SELECT string_agg(${aliased ? `k.a || ':' || ${item}` : item}, ',' ORDER BY k.i) AS s` +
    ` FROM unnest(${[...keys, ...aliases].join(', ')}) WITH ORDINALITY AS k(${[...names, ...(aliased ? ['a'] : [])].join(', ')}, i)`
  )
}
