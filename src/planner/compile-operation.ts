/**
 * A whole query operation -> one SQL statement whose single text value is the response's `data`.
 *
 * Every root field Portico serves is a model's list, a lookup by key or `node(nodeId:)`, and each
 * compiles to JSON already in its served form (./compile-read.ts), so an operation made only of
 * those needs neither GraphQL execution nor JSON parsing: PostgreSQL writes the response. Lookups
 * of one type and shape are batched into one `unnest(keys) JOIN` subquery, as the per-request
 * DataLoaders do on the other path. Anything else (introspection, invalid arguments, variables
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
} from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { connectionSql, objectJson, objectTypeOf, type CompileContext } from './compile-read.js'
import { toDbValue } from './compile-where.js'
import { rootSourceOf } from './field-source.js'
import { decodeNodeId } from './node-id.js'
import { selectionOf, type Operation, type SelectedField } from './selection.js'
import { column, jsonObject, literal, Params, tableName, toText } from './sql.js'

export interface CompiledOperation {
  sql: string
  values: unknown[]
}

interface Lookup {
  field: SelectedField
  model: ModelInfo
  type: GraphQLObjectType
  key: unknown[]
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
  const ctx: CompileContext = { op, datamodel, params, pageSizes }
  const pairs: [string, string][] = []
  const lookups = new Map<string, Lookup[]>()
  const lookupPairs = new Map<Lookup, number>()
  for (const field of selection.values()) {
    if (field.name === '__typename') {
      pairs.push([field.key, literal(queryType.name)])
      continue
    }
    const source = rootSourceOf(field.def)
    if (!source) return null
    if (source.kind === 'rootList') {
      pairs.push([field.key, `(${connectionSql(ctx, source.model, field, () => 'TRUE')})`])
      continue
    }
    const lookup: Lookup =
      source.kind === 'lookup'
        ? { field, model: source.model, type: objectTypeOf(field), key: source.model.key.map((k) => field.args[k]) }
        : { field, ...decodeNodeId(datamodel, schema, String(field.args.nodeId)) }
    const shape = shapeOf(ctx, lookup)
    const group = lookups.get(shape) ?? []
    group.push(lookup)
    lookups.set(shape, group)
    lookupPairs.set(lookup, pairs.push([field.key, 'NULL']) - 1)
  }

  const from: string[] = []
  for (const group of lookups.values()) {
    const batch = `b${from.length + 1}`
    from.push(`(${batchSql(ctx, group)}) ${batch}`)
    group.forEach((lookup, i) => {
      pairs[lookupPairs.get(lookup)!] = [lookup.field.key, `${batch}.m -> ${literal(String(i + 1))}`]
    })
  }
  const sql = `SELECT ${jsonObject(pairs)}::text AS j${from.length ? ` FROM ${from.join(', ')}` : ''}`
  return { sql, values: params.values }
}

/** Lookups with the same SQL (same model, same selection, same arguments inside) share a batch. */
function shapeOf(ctx: CompileContext, lookup: Lookup): string {
  const params = new Params()
  const object = objectJson({ ...ctx, params }, lookup.model, lookup.type, selectionOf(ctx.op, lookup.type, lookup.field.nodes), params.alias())
  return `${lookup.model.name}\u0000${lookup.type.name}\u0000${object}\u0000${JSON.stringify(params.values)}`
}

/** `{ "1": row, "2": row, ... }` by position in the batch; a key with no row has no entry (null). */
function batchSql(ctx: CompileContext, group: Lookup[]): string {
  const { model, type, field } = group[0]!
  const keys = model.key.map((k, i) => {
    const type = model.columns.get(k)!.type
    const values = group.map((lookup) => toText(toDbValue(ctx.datamodel, model, k, lookup.key[i])))
    return ctx.params.add(values, `${type.endsWith('[]') ? 'text' : type}[]`)
  })
  const t = ctx.params.alias()
  const object = objectJson(ctx, model, type, selectionOf(ctx.op, type, field.nodes), t)
  const names = model.key.map((_, i) => `k${i}`)
  return (
    `SELECT json_object_agg(k.i, ${object}) AS m FROM unnest(${keys.join(', ')}) WITH ORDINALITY AS k(${names.join(', ')}, i)` +
    ` JOIN ${tableName(model)} ${t} ON ${model.key.map((k, i) => `${column(model, t, k)} = k.${names[i]}`).join(' AND ')}`
  )
}
