/**
 * GraphQL `orderBy` -> SQL ORDER BY, always completed with the model's key (or, for a keyless
 * view, every orderable column) so the order is total: pages are stable and cursors unambiguous.
 * Also the keyset condition "comes after this cursor row" for the same order.
 */
import { isOpaqueText, type ModelInfo } from '../model/datamodel.js'
import { column, type Params } from './sql.js'
import { rankOrderItem, type RankOrder } from './full-text.js'

type Direction = 'ASC' | 'DESC' | 'ASC_NULLS_FIRST' | 'ASC_NULLS_LAST' | 'DESC_NULLS_FIRST' | 'DESC_NULLS_LAST'
/** A column's direction, or a tsvector column's rank for some words. */
export type OrderInput = Record<string, Direction | RankOrder | null | undefined>[] | null | undefined

export interface OrderItem {
  field: string
  descending: boolean
  nullsFirst: boolean
  /** Ordered by this expression of a row alias instead of the column (a full-text rank). */
  expression?: (alias: string) => string
}

/** `params`: where an ordering's own values go (the words of a rank). */
export function orderItems(model: ModelInfo, input: OrderInput, params?: Params): OrderItem[] {
  const items: OrderItem[] = []
  const seen = new Set<string>()
  for (const entry of input ?? []) {
    for (const [field, direction] of Object.entries(entry)) {
      if (!direction || seen.has(field)) continue
      seen.add(field)
      if (typeof direction === 'object') {
        if (!params) throw new Error(`ordering by ${field} needs parameters`)
        items.push(rankOrderItem(model, field, direction, params))
        continue
      }
      const descending = direction.startsWith('DESC')
      // PostgreSQL's default: NULLs are larger than any value (last ascending, first descending).
      const nullsFirst = direction.endsWith('NULLS_FIRST') ? true : direction.endsWith('NULLS_LAST') ? false : descending
      items.push({ field, descending, nullsFirst })
    }
  }
  const orderable = model.scalars.filter((f) => !f.isList && f.type !== 'Json' && f.type !== 'Bytes' && !isOpaqueText(model, f))
  const tieBreakers = model.key.length ? model.key : orderable.map((f) => f.name)
  for (const field of tieBreakers) if (!seen.has(field)) items.push({ field, descending: false, nullsFirst: false })
  return items
}

export const reversed = (items: OrderItem[]): OrderItem[] => items.map((item) => ({ ...item, descending: !item.descending, nullsFirst: !item.nullsFirst }))

/** What an item orders by, on the row `alias`. */
const orderedBy = (model: ModelInfo, alias: string, item: OrderItem) => item.expression?.(alias) ?? column(model, alias, item.field)

export function orderBySql(model: ModelInfo, alias: string, items: OrderItem[]): string {
  return items
    .map((item) => `${orderedBy(model, alias, item)} ${item.descending ? 'DESC' : 'ASC'} NULLS ${item.nullsFirst ? 'FIRST' : 'LAST'}`)
    .join(', ')
}

/**
 * Rows strictly after the cursor row `cursorAlias` in this order: for each position i, all earlier
 * columns equal (NULL equal to NULL) and column i after the cursor's, with NULLs placed as ordered.
 */
export function afterCursorSql(model: ModelInfo, alias: string, cursorAlias: string, items: OrderItem[]): string {
  const branches = items.map((item, i) => {
    const equal = items.slice(0, i).map((e) => `${orderedBy(model, alias, e)} IS NOT DISTINCT FROM ${orderedBy(model, cursorAlias, e)}`)
    const e = orderedBy(model, alias, item)
    const c = orderedBy(model, cursorAlias, item)
    const beyond = `${e} ${item.descending ? '<' : '>'} ${c}`
    const after = item.nullsFirst ? `(${beyond} OR (${c} IS NULL AND ${e} IS NOT NULL))` : `(${c} IS NOT NULL AND (${beyond} OR ${e} IS NULL))`
    return [...equal, after].join(' AND ')
  })
  return branches.map((b) => `(${b})`).join(' OR ')
}
