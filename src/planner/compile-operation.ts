/**
 * A whole query operation -> one SQL statement whose single text value is the response's `data`.
 *
 * Every root field Portico serves is a model's list, a lookup by key or `node(nodeId:)`, and each
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
} from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { connectionSql, objectJson, objectTypeOf, type CompileContext } from './compile-read.js'
import { toDbValue } from './compile-where.js'
import { rootSourceOf } from './field-source.js'
import { decodeNodeId } from './node-id.js'
import { selectionOf, type Operation, type SelectedField } from './selection.js'
import { column, literal, Params, tableName, toText } from './sql.js'

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
  // The response is written as text, member by member in the operation's order; consecutive
  // lookups of one shape are one run, read by one subquery.
  const members: (string | { shape: string; lookups: Lookup[] })[] = []
  for (const field of selection.values()) {
    if (field.name === '__typename') {
      members.push(member(field.key, literal(queryType.name)))
      continue
    }
    const source = rootSourceOf(field.def)
    if (!source) return null
    if (source.kind === 'rootList') {
      members.push(member(field.key, `(${connectionSql(ctx, source.model, field, () => 'TRUE')})`))
      continue
    }
    const lookup: Lookup =
      source.kind === 'lookup'
        ? { field, model: source.model, type: objectTypeOf(field), key: source.model.key.map((k) => field.args[k]) }
        : { field, ...decodeNodeId(datamodel, schema, String(field.args.nodeId)) }
    const shape = shapeOf(ctx, lookup)
    const last = members[members.length - 1]
    if (typeof last === 'object' && last.shape === shape) last.lookups.push(lookup)
    else members.push({ shape, lookups: [lookup] })
  }

  const from: string[] = []
  const parts = members.map((m) => {
    if (typeof m === 'string') return m
    const run = `r${from.length + 1}`
    from.push(`(${runSql(ctx, m.lookups)}) ${run}`)
    return `${run}.s`
  })
  const text = parts.length ? `'{' || ${parts.join(` || ',' || `)} || '}'` : `'{}'`
  return { sql: `SELECT ${text} AS j${from.length ? ` FROM ${from.join(', ')}` : ''}`, values: params.values }
}

/** `"key":value` as JSON text (a SQL NULL is JSON null). */
const member = (key: string, value: string) => `${literal(`${JSON.stringify(key)}:`)} || coalesce(to_json(${value})::text, 'null')`

/** Lookups with the same SQL (same model, same selection, same arguments inside) share a batch. */
function shapeOf(ctx: CompileContext, lookup: Lookup): string {
  const params = new Params()
  const object = objectJson({ ...ctx, params }, lookup.model, lookup.type, selectionOf(ctx.op, lookup.type, lookup.field.nodes), params.alias())
  return `${lookup.model.name}\u0000${lookup.type.name}\u0000${object}\u0000${JSON.stringify(params.values)}`
}

/**
 * A run of lookups as the text `"alias":row,"alias":row` (null where a key has no row): the keys and
 * aliases are unnested together, in order, and each key reads its row by index.
 */
function runSql(ctx: CompileContext, run: Lookup[]): string {
  const { model, type, field } = run[0]!
  const keys = model.key.map((k, i) => {
    const type = model.columns.get(k)!.type
    const values = run.map((lookup) => toText(toDbValue(ctx.datamodel, model, k, lookup.key[i])))
    return ctx.params.add(values, `${type.endsWith('[]') ? 'text' : type}[]`)
  })
  const aliases = ctx.params.add(run.map((lookup) => JSON.stringify(lookup.field.key)), 'text[]')
  const t = ctx.params.alias()
  const object = objectJson(ctx, model, type, selectionOf(ctx.op, type, field.nodes), t)
  const names = model.key.map((_, i) => `k${i}`)
  // LIMIT 1: one row per key, even where a declared (unenforced) key matches several rows.
  const row = `SELECT ${object} FROM ${tableName(model)} ${t} WHERE ${model.key.map((k, i) => `${column(model, t, k)} = k.${names[i]}`).join(' AND ')} LIMIT 1`
  return (
    `SELECT string_agg(k.a || ':' || coalesce((${row})::text, 'null'), ',' ORDER BY k.i) AS s` +
    ` FROM unnest(${keys.join(', ')}, ${aliases}) WITH ORDINALITY AS k(${names.join(', ')}, a, i)`
  )
}
