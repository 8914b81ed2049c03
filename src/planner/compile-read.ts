/**
 * A GraphQL selection on a model -> one SQL expression that builds its response JSON in PostgreSQL.
 *
 * Every object is a json_build_object of exactly the fields asked for, keyed by response key and
 * already in its served form (nodeIds, cursors, page info, timestamps, enum names), so the
 * resolvers in ../schema only read properties, and a whole operation's `data` can be served as the
 * text PostgreSQL returns (../serve/use-compiled-reads.ts). Relations are correlated subqueries:
 * a root field, however deep, is one statement.
 */
import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql'
import { offsetToCursor } from '@pothos/plugin-relay'
import type { PorticoConfig } from '../config/config.js'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { compileWhere } from './compile-where.js'
import { afterCursorSql, orderBySql, orderItems, reversed, type OrderInput } from './compile-order.js'
import { decodeKeyCursor, pageWindow, type ConnectionArgs } from './connection.js'
import { sourceOf } from './field-source.js'
import { joinCondition } from './joins.js'
import { selectionOf, type Operation, type SelectedField, type Selection } from './selection.js'
import { column, int, join, jsonObject, literal, rowJsonObject, sql, tableName, valueFor, type Params, type Sql } from './sql.js'
import { aggregateSql, COUNT_SQL, type AggregateFunction } from './aggregates.js'
import { columnValue } from './column-value.js'
import { callSql, functionValueSql, servedAsIs } from './compile-function.js'
import type { FunctionInfo } from '../model/functions.js'
import { merge, ROW_KEY, rowFieldOf, type RowSelection } from './extension-fields.js'
import { rowSelectionJson } from './compile-row-select.js'

export interface CompileContext {
  op: Operation
  datamodel: Datamodel
  params: Params
  pageSizes: Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>
  /** Set when the SQL reads row data for extension fields: their resolvers must run after it. */
  resolvers?: { needed: boolean }
}

/** Where a connection's rows come from: a condition on the target's alias (TRUE at the root). */
export type RowSource = (targetAlias: Sql) => Sql

/** Text made base64 in SQL as Node's Buffer does it (PostgreSQL breaks lines every 76 characters). */
const base64 = (text: Sql) => sql`translate(encode(convert_to(${text}, 'UTF8'), 'base64'), E'\\n', '')`

/** The key as a JSON array of PostgreSQL's text of each key column: `["2","1"]`, as JSON.stringify writes it. */
function keyJsonText(model: ModelInfo, alias: Sql): Sql {
  return sql`'[' || concat_ws(',', ${join(model.key.map((k) => sql`to_json(${column(model, alias, k)}::text)::text`), sql`, `)}) || ']'`
}

/** A global id, as Pothos's Relay plugin encodes one: base64 of `Type:key` (a JSON array for a compound key). */
export function nodeIdSql(model: ModelInfo, typeName: string, alias: Sql): Sql {
  const id = model.key.length === 1 ? sql`${column(model, alias, model.key[0]!)}::text` : keyJsonText(model, alias)
  return base64(sql`${literal(`${typeName}:`)} || ${id}`)
}

/** A keyset cursor: base64 of `K:` and the key as a JSON array (./connection.ts decodes it). */
const keyCursorSql = (model: ModelInfo, alias: Sql) => base64(sql`'K:' || ${keyJsonText(model, alias)}`)

/** An offset cursor, as Pothos's Relay plugin writes one. */
const offsetCursorSql = (offset: Sql) => base64(sql`'OffsetConnection:' || (${offset})::text`)

/** The JSON object of a selection on a model row `alias` (row_to_json, ./sql.ts). */
export function objectJson(ctx: CompileContext, model: ModelInfo, type: GraphQLObjectType, selection: Selection, alias: Sql): Sql {
  const entries: [string, Sql][] = []
  // Extension fields (../schema/extend.ts) are resolved in Node from the row data they select,
  // read here under one hidden key.
  let rowSelection: RowSelection | undefined
  for (const field of selection.values()) {
    const row = rowFieldOf(field.def)
    if (row) rowSelection = merge(rowSelection, row.selection)
    else entries.push([field.key, fieldValue(ctx, model, type, field, alias)])
  }
  if (rowSelection) {
    if (ctx.resolvers) ctx.resolvers.needed = true
    entries.push([ROW_KEY, rowSelectionJson(ctx.datamodel, ctx.params, model, rowSelection, alias, columnValue)])
  }
  return rowJsonObject(entries)
}

function fieldValue(ctx: CompileContext, model: ModelInfo, type: GraphQLObjectType, field: SelectedField, alias: Sql): Sql {
  if (field.name === '__typename') return literal(type.name)
  const source = sourceOf(field.def)
  if (!source) {
    if (field.name === 'nodeId' && model.keyName) return nodeIdSql(model, type.name, alias)
    throw new Error(`${type.name}.${field.name} cannot be read`)
  }
  const targetOf = (relation: string) => ctx.datamodel.models.get(model.relations.find((r) => r.name === relation)!.type)!
  switch (source.kind) {
    case 'column': {
      // `metadata(path: ["sizes"])`: that part of a JSON value (#> keeps json as json, jsonb as jsonb).
      const path = field.args.path as string[] | null | undefined
      if (path != null) return sql`(${column(model, alias, source.field.name)} #> ${ctx.params.add(path, sql`text[]`)})`
      return columnValue(ctx.datamodel, model, alias, source.field)
    }
    case 'toOne': {
      const target = targetOf(source.relation)
      const inner = ctx.params.alias()
      const object = objectJson(ctx, target, objectTypeOf(field), selectionOf(ctx.op, objectTypeOf(field), field.nodes), inner)
      return sql`(SELECT ${object} FROM ${tableName(target)} ${inner} WHERE ${joinCondition(model, alias, source.relation, target, inner)} LIMIT 1)`
    }
    case 'connection': {
      const target = targetOf(source.relation)
      return sql`(${connectionSql(ctx, target, field, (inner) => joinCondition(model, alias, source.relation, target, inner))})`
    }
    case 'manyToMany': {
      const { join, toJoin, toFar, far } = source
      const j = ctx.params.alias()
      return sql`(${connectionSql(ctx, far, field, (inner) =>
        sql`EXISTS (SELECT 1 FROM ${tableName(join)} ${j} WHERE ${joinCondition(join, j, toFar, far, inner)} AND ${joinCondition(model, alias, toJoin, join, j)})`,
      )})`
    }
    case 'computed':
      return functionResultSql(ctx, source.fn, field, { model, alias })
  }
}

/**
 * A function's field: its result, shaped as the field asks, from one call read once (a function
 * in FROM is called once, however often its value is used). A root field's call, a computed
 * field's (of the row `row`) and a mutation's alike:
 * - a scalar or array: its served value (a bare call when served as is);
 * - `void`: true once called;
 * - a table's row: that object, or null; a record (RETURNS TABLE, OUT parameters, a composite
 *   type): an object of its columns, or null. A row or record whose columns are all NULL is null
 *   (PostgreSQL tells them apart no better);
 * - SETOF a table's rows: a connection, paged by offset (function rows have no key to keep keyset
 *   cursors stable), in the function's own order unless `orderBy` says otherwise; for a mutation a
 *   list, as its call must run once and its rows cannot be asked for page by page;
 * - SETOF anything else: a list, in the function's order.
 */
export function functionResultSql(ctx: CompileContext, fn: FunctionInfo, field: SelectedField, row?: { model: ModelInfo; alias: Sql }): Sql {
  const result = fn.returns
  const target = result.kind === 'row' ? ctx.datamodel.models.get(result.model)! : undefined
  if (target && fn.set && fn.role !== 'mutation') {
    // Written only if the selection reads rows (`{ __typename }` reads none): an argument's
    // parameter that no SQL uses would have no type.
    let call: Sql | undefined
    const from = () => (call ??= callSql(ctx.datamodel, ctx.params, fn, field.args, row))
    return sql`(${connectionSql(ctx, target, field, () => sql`TRUE`, { from })})`
  }
  const call = callSql(ctx.datamodel, ctx.params, fn, field.args, row)
  const f = ctx.params.alias()
  if (result.kind === 'void') return sql`(SELECT TRUE FROM ${call} AS ${f})`
  if (result.kind === 'scalar' || result.kind === 'array') {
    const value = functionValueSql(ctx.datamodel, result, sql`${f}.v`)
    if (fn.set) return sql`(SELECT coalesce(json_agg(${value} ORDER BY ${f}.i), '[]'::json) FROM ${call} WITH ORDINALITY AS ${f}(v, i))`
    return servedAsIs(ctx.datamodel, result) ? call : sql`(SELECT ${value} FROM ${call} AS ${f}(v))`
  }
  if (result.kind === 'record') {
    const type = objectTypeOf(field)
    // c0, c1, ...: names made here.
    const columns = join(result.fields.map((_, i) => sql`c${int(i)}`), sql`, `)
    const object = jsonObject(
      [...selectionOf(ctx.op, type, field.nodes).values()].map((part): [string, Sql] => {
        if (part.name === '__typename') return [part.key, literal(type.name)]
        const i = result.fields.findIndex((c) => c.name === part.name)
        return [part.key, functionValueSql(ctx.datamodel, result.fields[i]!.type, sql`${f}.c${int(i)}`)]
      }),
    )
    if (fn.set) return sql`(SELECT coalesce(json_agg(${object} ORDER BY ${f}.i), '[]'::json) FROM ${call} WITH ORDINALITY AS ${f}(${columns}, i))`
    return sql`(SELECT ${object} FROM ${call} AS ${f}(${columns}) WHERE NOT (${f} IS NULL))`
  }
  const type = objectTypeOf(field)
  const object = objectJson(ctx, target!, type, selectionOf(ctx.op, type, field.nodes), f)
  // A function scan hands the aggregate its rows in the function's order.
  if (fn.set) return sql`(SELECT coalesce(json_agg(${object}), '[]'::json) FROM ${call} AS ${f})`
  return sql`(SELECT ${object} FROM ${call} AS ${f} WHERE NOT (${f} IS NULL))`
}

export const objectTypeOf = (field: SelectedField): GraphQLObjectType => {
  const type = getNamedType(field.def.type)
  if (!isObjectType(type)) throw new Error(`${field.name} is not an object field`)
  return type
}

/** `{ count, sum { f }, avg { f }, min { f }, max { f }, nonNullCount { f }, distinctCount { f } }` as asked, over the rows of alias `c`. */
export function aggregatesJson(ctx: CompileContext, model: ModelInfo, field: SelectedField, c: Sql): Sql {
  const type = objectTypeOf(field)
  return jsonObject(
    [...selectionOf(ctx.op, type, field.nodes).values()].map((part): [string, Sql] => {
      if (part.name === '__typename') return [part.key, literal(type.name)]
      if (part.name === 'count') return [part.key, sql`count(*)`]
      const fnType = objectTypeOf(part)
      const count = part.name === 'nonNullCount' || part.name === 'distinctCount' ? COUNT_SQL[part.name] : undefined
      const values = [...selectionOf(ctx.op, fnType, part.nodes).values()].map((f): [string, Sql] => {
        if (f.name === '__typename') return [f.key, literal(fnType.name)]
        const scalar = model.scalars.find((s) => s.name === f.name)!
        const value = column(model, c, f.name)
        return [f.key, count ? count(value) : aggregateSql(ctx.datamodel, model, part.name as AggregateFunction, scalar, value)]
      })
      return [part.key, jsonObject(values)]
    }),
  )
}

/**
 * A connection over `target` rows, shaped as asked (`edges { cursor node }`, `nodes`, `pageInfo`,
 * `totalCount`, under any aliases). One row more than the page is read, to know whether there is
 * another page; rows are numbered in read order (`rn`) and a backward page is turned around.
 */
export function connectionSql(ctx: CompileContext, target: ModelInfo, field: SelectedField, source: RowSource, called?: { from: () => Sql }): Sql {
  const args = field.args as ConnectionArgs & { where?: Record<string, unknown>; orderBy?: OrderInput }
  // Rows from a function call (`called.from`): offset cursors, and the function's own order unless
  // orderBy is given (then completed by the key, as for a table's rows).
  const from = () => called?.from() ?? tableName(target)
  const byOffset = !target.keyName || !!called
  const window = pageWindow(args, ctx.pageSizes, byOffset)
  const size = window.limit - 1
  const offset = window.offset
  const connectionType = objectTypeOf(field)
  const t = ctx.params.alias()
  const columns: Sql[] = []
  // n0, n1, ...: names made here.
  const addColumn = (value: Sql) => {
    columns.push(sql`${value} AS n${int(columns.length)}`)
    return sql`x.n${int(columns.length - 1)}`
  }
  let cursor: Sql | undefined
  const cursorOf = () => {
    if (byOffset) return offsetCursorSql(sql`${int(offset)} + x.rn - 1`)
    cursor ??= addColumn(keyCursorSql(target, t))
    return cursor
  }
  const outputOrder = window.backward ? sql`DESC` : sql`ASC`
  const onPage = sql`FILTER (WHERE x.rn <= ${int(size)})`
  const list = (item: Sql) => sql`coalesce(json_agg(${item} ORDER BY x.rn ${outputOrder}) ${onPage}, '[]'::json)`
  const nodeObject = (part: SelectedField) => {
    const nodeType = objectTypeOf(part)
    return addColumn(objectJson(ctx, target, nodeType, selectionOf(ctx.op, nodeType, part.nodes), t))
  }

  const pairs: [string, Sql][] = []
  // Only edges, nodes and pageInfo need the page's rows; totalCount alone reads none.
  let readsRows = false
  for (const part of selectionOf(ctx.op, connectionType, field.nodes).values()) {
    if (part.name === 'edges' || part.name === 'nodes' || part.name === 'pageInfo') readsRows = true
    let value: Sql
    switch (part.name) {
      case '__typename':
        value = literal(connectionType.name)
        break
      case 'totalCount': {
        const c = ctx.params.alias()
        value = sql`(SELECT count(*) FROM ${from()} ${c} WHERE (${source(c)}) AND (${compileWhere(ctx.datamodel, target, c, args.where, ctx.params)}))`
        break
      }
      case 'aggregates': {
        // Over every matching row, not the page: like totalCount. GROUP BY (): one row even when
        // the selection holds no aggregate function (`aggregates { min { __typename } }`).
        const c = ctx.params.alias()
        value = sql`(SELECT ${aggregatesJson(ctx, target, part, c)} FROM ${from()} ${c} WHERE (${source(c)}) AND (${compileWhere(ctx.datamodel, target, c, args.where, ctx.params)}) GROUP BY ())`
        break
      }
      case 'nodes':
        value = list(nodeObject(part))
        break
      case 'edges': {
        const edgeType = objectTypeOf(part)
        const edgePairs = [...selectionOf(ctx.op, edgeType, part.nodes).values()].map((edgePart): [string, Sql] => {
          const edgeValue = edgePart.name === '__typename' ? literal(edgeType.name) : edgePart.name === 'cursor' ? cursorOf() : nodeObject(edgePart)
          return [edgePart.key, edgeValue]
        })
        value = list(jsonObject(edgePairs))
        break
      }
      case 'pageInfo': {
        const pageInfoType = objectTypeOf(part)
        const infoPairs = [...selectionOf(ctx.op, pageInfoType, part.nodes).values()].map(
          (infoPart): [string, Sql] => [infoPart.key, pageInfoValue(infoPart.name, pageInfoType.name)],
        )
        value = jsonObject(infoPairs)
        break
      }
      default:
        throw new Error(`${connectionType.name}.${part.name} cannot be read`)
    }
    pairs.push([part.key, value])
  }

  function pageInfoValue(name: string, typeName: string): Sql {
    const more = sql`count(*) > ${int(size)}`
    const edgeCursor = (order: Sql) => sql`(array_agg(${cursorOf()} ORDER BY x.rn ${order}) ${onPage})[1]`
    switch (name) {
      case '__typename':
        return literal(typeName)
      case 'hasNextPage':
        return byOffset || (args.before == null && args.last == null) ? more : args.before != null ? sql`TRUE` : sql`FALSE`
      case 'hasPreviousPage':
        if (byOffset) return offset > 0 ? sql`TRUE` : sql`FALSE`
        return args.after != null ? sql`TRUE` : window.backward ? more : sql`FALSE`
      case 'startCursor':
        return byOffset ? literal(offsetToCursor(offset)) : edgeCursor(outputOrder)
      case 'endCursor':
        return byOffset ? offsetCursorSql(sql`${int(offset)} + least(count(*), ${int(size)}) - 1`) : edgeCursor(window.backward ? sql`ASC` : sql`DESC`)
      default:
        throw new Error(`PageInfo.${name} cannot be read`)
    }
  }

  if (!readsRows) return sql`SELECT ${jsonObject(pairs)}`
  let items = called && !args.orderBy?.length ? [] : orderItems(target, args.orderBy, ctx)
  if (window.backward) items = reversed(items)
  const conditions = [source(t), compileWhere(ctx.datamodel, target, t, args.where, ctx.params)]
  let rowsFrom = sql`${from()} ${t}`
  if (window.cursor) {
    const cursorAlias = ctx.params.alias()
    const key = decodeKeyCursor(window.cursor, target)
    const match = join(target.key.map((k, i) => sql`${column(target, cursorAlias, k)} = ${valueFor(ctx.params, target, k, key[i])}`), sql` AND `)
    rowsFrom = sql`${rowsFrom} CROSS JOIN (SELECT * FROM ${tableName(target)} ${cursorAlias} WHERE ${match}) ${cursorAlias}`
    conditions.push(afterCursorSql(t, cursorAlias, items))
  }
  const order = items.length ? sql` ORDER BY ${orderBySql(t, items)}` : sql``
  const page = sql` LIMIT ${int(window.limit)}${offset ? sql` OFFSET ${int(offset)}` : sql``}`
  const rows = sql`SELECT ${columns.length ? join(columns, sql`, `) : sql`1 AS n`} FROM ${rowsFrom} WHERE ${join(conditions.map((c) => sql`(${c})`), sql` AND `)}${order}${page}`
  // GROUP BY (): exactly one row, also when nothing asked for aggregates the rows (`pageInfo { __typename }`).
  return sql`SELECT ${jsonObject(pairs)} FROM (SELECT y.*, row_number() OVER () AS rn FROM (${rows}) y) x GROUP BY ()`
}
