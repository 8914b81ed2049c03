/**
 * GraphQL `orderBy` -> SQL ORDER BY, always completed with the model's key (or, for a keyless
 * view, every orderable column) so the order is total: pages are stable and cursors unambiguous.
 * Also the keyset condition "comes after this cursor row" for the same order.
 *
 * An item orders by an SQL expression on a row alias: a column; a to-one relation's column, as a
 * correlated subquery (`(SELECT c.last_name FROM customer c WHERE c.customer_id = t.customer_id
 * LIMIT 1)`, nested for a chain of to-one relations); or an aggregate of a to-many relation's rows
 * (`(SELECT count(*) FROM invoice c WHERE c.customer_id = t.customer_id)`). The same expression is
 * written for the row and for the cursor row, so keyset pages follow any of these orders. A
 * tsvector column orders by its rank for some words (./full-text.ts); a `@sortable` computed field
 * by the function of the row (./compile-function.ts).
 */
import { isOpaqueText, type Datamodel, type ModelInfo } from '../model/datamodel.js'
import { badInput } from './client-errors.js'
import { joinCondition } from './joins.js'
import { rankDirection, rankSql, type RankOrder } from './full-text.js'
import { column, join, tableName, type Params } from './sql.js'
import { sql, type Sql } from './sql-text.js'
import { callSql } from './compile-function.js'

/**
 * One `orderBy` list item, shaped like Prisma's: `{ lastName: ASC }`, `{ customer: { lastName: ASC } }`,
 * `{ invoices: { count: DESC } }`, `{ invoiceLines: { sum: { unitPrice: DESC } } }`.
 */
export type OrderEntry = Record<string, unknown>
export type OrderInput = OrderEntry[] | null | undefined

export interface OrderItem {
  /** The value ordered by, for a row of the model as `alias`. */
  sql: (alias: Sql) => Sql
  descending: boolean
  nullsFirst: boolean
}

/** What ordering through relations needs: the related models, and fresh aliases for the subqueries. */
export interface OrderScope {
  datamodel: Datamodel
  params: Params
}

/**
 * The aggregates of related rows an order may use, and the SQL each one is: a fixed list, so no
 * function name ever comes from the input. Sums and averages as exact numbers, as the aggregates
 * are served (./aggregates.ts): a float sum would depend on the order the rows arrive in.
 */
const RELATED_AGGREGATES = new Map<string, (value: Sql) => Sql>([
  ['sum', (v) => sql`sum(${v}::numeric)`],
  ['avg', (v) => sql`avg(${v}::numeric)`],
  ['min', (v) => sql`min(${v})`],
  ['max', (v) => sql`max(${v})`],
])

/** Turns an expression on the innermost relation's alias into one on the listed row's alias. */
type Via = (inner: (alias: Sql) => Sql) => (alias: Sql) => Sql

/** Adds an item unless `path` is ordered by already; `sql` is made only then (it may add parameters). */
type Add = (path: string, expression: () => (alias: Sql) => Sql, direction: unknown) => void

export function orderItems(model: ModelInfo, input: OrderInput, scope?: OrderScope): OrderItem[] {
  const items: OrderItem[] = []
  const seen = new Set<string>()
  const add: Add = (path, make, direction) => {
    if (typeof direction !== 'string' || seen.has(path)) return
    seen.add(path)
    const expression = make()
    const descending = direction.startsWith('DESC')
    // PostgreSQL's default: NULLs are larger than any value (last ascending, first descending).
    const nullsFirst = direction.endsWith('NULLS_FIRST') ? true : direction.endsWith('NULLS_LAST') ? false : descending
    items.push({ sql: expression, descending, nullsFirst })
  }
  for (const entry of input ?? []) collect(model, entry, (e) => e, '', add, scope)
  const orderable = model.scalars.filter((f) => !f.isList && f.type !== 'Json' && f.type !== 'Bytes' && !isOpaqueText(model, f))
  const tieBreakers = model.key.length ? model.key : orderable.map((f) => f.name)
  for (const field of tieBreakers) if (!seen.has(field)) items.push({ sql: (alias) => column(model, alias, field), descending: false, nullsFirst: false })
  return items
}

/** The items of one entry, in its fields' order; `path` names what is ordered by, so nothing is ordered by twice. */
function collect(model: ModelInfo, entry: OrderEntry, via: Via, path: string, add: Add, scope: OrderScope | undefined): void {
  for (const [name, value] of Object.entries(entry)) {
    if (value == null) continue
    const relation = model.relations.find((r) => r.name === name)
    if (!relation && typeof value === 'object') {
      // `{ fulltext: { matches: "drama", direction: DESC } }`: the rank's words are a parameter.
      if (!scope) throw new Error(`ordering by ${model.name}.${name} needs parameters`)
      const rank = value as RankOrder
      add(`${path}${name}`, () => via(rankSql(model, name, rank, scope.params)), rankDirection(rank))
      continue
    }
    // A computed field (`@sortable`): the function of the row, with its defaults.
    const computed = scope?.datamodel.computed.get(model.name)?.get(name)
    if (!relation && computed) {
      add(`${path}${name}`, () => via((alias) => callSql(scope!.datamodel, scope!.params, computed, {}, { model, alias })), value)
      continue
    }
    if (!relation) {
      add(`${path}${name}`, () => via((alias) => column(model, alias, name)), value)
      continue
    }
    if (!scope) throw new Error(`ordering by ${model.name}.${name} needs the datamodel`)
    const target = scope.datamodel.models.get(relation.type)!
    const inner = scope.params.alias()
    const related = (alias: Sql) => sql`FROM ${tableName(target)} ${inner} WHERE ${joinCondition(model, alias, name, target, inner)}`
    if (!relation.isList) {
      // The related row's value, or NULL when there is none (a NULL foreign key, or a hidden row).
      collect(target, value as OrderEntry, (e) => via((alias) => sql`(SELECT ${e(inner)} ${related(alias)} LIMIT 1)`), `${path}${name}.`, add, scope)
      continue
    }
    for (const [fn, operand] of Object.entries(value as OrderEntry)) {
      if (operand == null) continue
      if (fn === 'count') {
        add(`${path}${name}.count`, () => via((alias) => sql`(SELECT count(*) ${related(alias)})`), operand)
        continue
      }
      const aggregate = RELATED_AGGREGATES.get(fn)
      if (!aggregate) throw badInput(`orderBy ${path}${name}.${fn}: not an aggregate (count, sum, avg, min, max)`)
      for (const [field, direction] of Object.entries(operand as OrderEntry)) {
        if (direction == null) continue
        // NULL when there are no related rows: placed as NULLs are.
        add(`${path}${name}.${fn}.${field}`, () => via((alias) => sql`(SELECT ${aggregate(column(target, inner, field))} ${related(alias)})`), direction)
      }
    }
  }
}

export const reversed = (items: OrderItem[]): OrderItem[] =>
  items.map((item) => ({ sql: item.sql, descending: !item.descending, nullsFirst: !item.nullsFirst }))

/** An item's direction and where its NULLs go: fixed text, chosen by two booleans. */
export const directionSql = (descending: boolean, nullsFirst: boolean): Sql =>
  descending ? (nullsFirst ? sql`DESC NULLS FIRST` : sql`DESC NULLS LAST`) : nullsFirst ? sql`ASC NULLS FIRST` : sql`ASC NULLS LAST`

export function orderBySql(alias: Sql, items: OrderItem[]): Sql {
  return join(items.map((item) => sql`${item.sql(alias)} ${directionSql(item.descending, item.nullsFirst)}`), sql`, `)
}

/**
 * Rows strictly after the cursor row `cursorAlias` in this order: for each position i, all earlier
 * values equal (NULL equal to NULL) and value i after the cursor's, with NULLs placed as ordered.
 */
export function afterCursorSql(alias: Sql, cursorAlias: Sql, items: OrderItem[]): Sql {
  const branches = items.map((item, i) => {
    const equal = items.slice(0, i).map((e) => sql`${e.sql(alias)} IS NOT DISTINCT FROM ${e.sql(cursorAlias)}`)
    const e = item.sql(alias)
    const c = item.sql(cursorAlias)
    const beyond = sql`${e} ${item.descending ? sql`<` : sql`>`} ${c}`
    const after = item.nullsFirst ? sql`(${beyond} OR (${c} IS NULL AND ${e} IS NOT NULL))` : sql`(${c} IS NOT NULL AND (${beyond} OR ${e} IS NULL))`
    return join([...equal, after], sql` AND `)
  })
  return join(branches.map((b) => sql`(${b})`), sql` OR `)
}
