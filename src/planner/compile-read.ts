/**
 * A GraphQL selection on a model -> one SQL expression that builds its JSON in PostgreSQL.
 *
 * Every object is a json_build_object of exactly the fields asked for, keyed by response key (so
 * aliases of one relation with different arguments each get their own subquery); relations are
 * correlated subqueries, so a whole root field, however deep, is one statement. The resolvers in
 * ../schema read these objects by response key; connections are finished in ./connection.ts.
 */
import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import { isOpaqueText, type Datamodel, type DMMFField, type ModelInfo } from '../model/datamodel.js'
import { compileWhere } from './compile-where.js'
import { afterCursorSql, orderBySql, orderItems, reversed, type OrderInput } from './compile-order.js'
import { decodeKeyCursor, pageWindow, type ConnectionArgs } from './connection.js'
import { sourceOf } from './field-source.js'
import { joinCondition } from './joins.js'
import { selectionOf, type Operation, type SelectedField, type Selection } from './selection.js'
import { column, literal, tableName, valueFor, type Params } from './sql.js'

export interface CompileContext {
  op: Operation
  datamodel: Datamodel
  params: Params
  pageSizes: Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>
}

/** Where a connection's rows come from: a condition on the target's alias (TRUE at the root). */
export type RowSource = (targetAlias: string) => string

/** The key of a row as text, for nodeIds, cursors and mapping lookups back. */
export function keyArray(model: ModelInfo, alias: string): string {
  return `json_build_array(${model.key.map((k) => `${column(model, alias, k)}::text`).join(', ')})`
}

/** `json_build_object(...)` of a selection on a model row `alias`. */
export function objectJson(ctx: CompileContext, model: ModelInfo, type: GraphQLObjectType, selection: Selection, alias: string): string {
  const pairs: string[] = []
  for (const field of selection.values()) {
    const value = fieldValue(ctx, model, field, alias)
    if (value !== undefined) pairs.push(`${literal(field.key)}, ${value}`)
  }
  if (model.keyName && [...selection.values()].some((f) => f.name === 'nodeId' && !sourceOf(f.def))) {
    pairs.push(`'$key', ${keyArray(model, alias)}`)
  }
  return buildObject(pairs)
}

/** json_build_object takes at most 100 arguments: wider objects are built in parts and merged. */
function buildObject(pairs: string[]): string {
  if (pairs.length <= 50) return `json_build_object(${pairs.join(', ')})`
  const parts: string[] = []
  for (let i = 0; i < pairs.length; i += 50) parts.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(', ')})`)
  return `(${parts.join(' || ')})::json`
}

function fieldValue(ctx: CompileContext, model: ModelInfo, field: SelectedField, alias: string): string | undefined {
  const source = sourceOf(field.def)
  if (!source) return undefined
  switch (source.kind) {
    case 'column':
      return columnValue(model, alias, source.field)
    case 'toOne': {
      const target = ctx.datamodel.models.get(model.relations.find((r) => r.name === source.relation)!.type)!
      const inner = ctx.params.alias()
      const object = objectJson(ctx, target, objectTypeOf(field), selectionOf(ctx.op, objectTypeOf(field), field.nodes), inner)
      return `(SELECT ${object} FROM ${tableName(target)} ${inner} WHERE ${joinCondition(model, alias, source.relation, target, inner)} LIMIT 1)`
    }
    case 'list': {
      const target = ctx.datamodel.models.get(model.relations.find((r) => r.name === source.relation)!.type)!
      const inner = ctx.params.alias()
      const type = objectTypeOf(field)
      const object = objectJson(ctx, target, type, selectionOf(ctx.op, type, field.nodes), inner)
      const rows = `SELECT ${object} AS j FROM ${tableName(target)} ${inner} WHERE ${joinCondition(model, alias, source.relation, target, inner)} ORDER BY ${orderBySql(target, inner, orderItems(target, undefined))}`
      return `(SELECT coalesce(json_agg(x.j), '[]'::json) FROM (${rows}) x)`
    }
    case 'connection': {
      const target = ctx.datamodel.models.get(model.relations.find((r) => r.name === source.relation)!.type)!
      return `(${connectionSql(ctx, target, field, (inner) => joinCondition(model, alias, source.relation, target, inner))})`
    }
    case 'manyToMany': {
      const { join, toJoin, toFar, far } = source
      const j = ctx.params.alias()
      return `(${connectionSql(ctx, far, field, (inner) =>
        `EXISTS (SELECT 1 FROM ${tableName(join)} ${j} WHERE ${joinCondition(join, j, toFar, far, inner)} AND ${joinCondition(model, alias, toJoin, join, j)})`,
      )})`
    }
  }
}

const objectTypeOf = (field: SelectedField): GraphQLObjectType => {
  const type = getNamedType(field.def.type)
  if (!isObjectType(type)) throw new Error(`${field.name} is not an object field`)
  return type
}

/**
 * A column as the JSON its GraphQL scalar serves: exact numbers as text (bigint, numeric keep
 * every digit), bytea as base64, time with time zone in UTC, intervals as the session's ISO-8601
 * text, types with no JSON form as text; NULL arrays as [] (what Prisma served).
 */
export function columnValue(model: ModelInfo, alias: string, field: DMMFField): string {
  const col = column(model, alias, field.name)
  const type = model.columns.get(field.name)!.type
  const base = type.replace(/\[\]$/, '')
  const asText = field.type === 'BigInt' || field.type === 'Decimal' || base === 'interval' || isOpaqueText(model, field)
  let value = col
  if (base.startsWith('money')) value = `${col}::numeric${field.isList ? '[]' : ''}::text${field.isList ? '[]' : ''}`
  else if (asText) value = `${col}::text${field.isList ? '[]' : ''}`
  else if (base === 'time with time zone' && !field.isList) value = `(${col} AT TIME ZONE 'UTC')::time`
  else if (base === 'bytea' && !field.isList) value = `translate(encode(${col}, 'base64'), E'\\n', '')`
  return field.isList ? `coalesce(to_json(${value}), '[]'::json)` : value
}

/**
 * A connection over `target` rows: `{ r: [row, ...], t: totalCount }`, each row holding its key
 * (`c`, for cursors) and one object per place the query asks for the node (`edges.node` under
 * each alias, `nodes`). One row more than the page is read, to know whether there is a next page.
 */
export function connectionSql(ctx: CompileContext, target: ModelInfo, field: SelectedField, source: RowSource, options: { offset?: number } = {}): string {
  const args = field.args as ConnectionArgs & { where?: Record<string, unknown>; orderBy?: OrderInput }
  const window = pageWindow(args, ctx.pageSizes, !target.keyName)
  const connectionType = objectTypeOf(field)
  const t = ctx.params.alias()
  const rowPairs: string[] = target.keyName ? [`'c', ${keyArray(target, t)}`] : []
  let wantsTotal = false
  for (const part of selectionOf(ctx.op, connectionType, field.nodes).values()) {
    if (part.name === 'totalCount') wantsTotal = true
    else if (part.name === 'nodes') {
      const nodeType = objectTypeOf(part)
      rowPairs.push(`${literal(`#${part.key}`)}, ${objectJson(ctx, target, nodeType, selectionOf(ctx.op, nodeType, part.nodes), t)}`)
    } else if (part.name === 'edges') {
      const edgeType = objectTypeOf(part)
      for (const edgePart of selectionOf(ctx.op, edgeType, part.nodes).values()) {
        if (edgePart.name !== 'node') continue
        const nodeType = objectTypeOf(edgePart)
        rowPairs.push(`${literal(`${part.key}.${edgePart.key}`)}, ${objectJson(ctx, target, nodeType, selectionOf(ctx.op, nodeType, edgePart.nodes), t)}`)
      }
    }
  }
  let items = orderItems(target, args.orderBy)
  if (window.backward) items = reversed(items)
  const conditions = [source(t), compileWhere(ctx.datamodel, target, t, args.where, ctx.params)]
  let from = `${tableName(target)} ${t}`
  if (window.cursor) {
    const cursorAlias = ctx.params.alias()
    const key = decodeKeyCursor(window.cursor, target)
    const match = target.key.map((k, i) => `${column(target, cursorAlias, k)} = ${valueFor(ctx.params, target, k, key[i])}`).join(' AND ')
    from += ` CROSS JOIN (SELECT * FROM ${tableName(target)} ${cursorAlias} WHERE ${match}) ${cursorAlias}`
    conditions.push(afterCursorSql(target, t, cursorAlias, items))
  }
  const offset = window.offset + (options.offset ?? 0)
  const rows =
    `SELECT json_build_object(${rowPairs.join(', ')}) AS j FROM ${from} WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` +
    ` ORDER BY ${orderBySql(target, t, items)} LIMIT ${window.limit}${offset ? ` OFFSET ${offset}` : ''}`
  const pairs = [`'r', coalesce(json_agg(x.j), '[]'::json)`]
  if (wantsTotal) {
    const c = ctx.params.alias()
    pairs.push(`'t', (SELECT count(*) FROM ${tableName(target)} ${c} WHERE (${source(c)}) AND (${compileWhere(ctx.datamodel, target, c, args.where, ctx.params)}))`)
  }
  return `SELECT json_build_object(${pairs.join(', ')}) FROM (${rows}) x`
}
