/**
 * GraphQL `orderBy` -> SQL ORDER BY, always completed with the model's key (or, for a keyless
 * view, every orderable column) so the order is total: pages are stable and cursors unambiguous.
 * Also the keyset condition "comes after this cursor row" for the same order.
 */
import { isOpaqueText, type ModelInfo } from '../model/datamodel.js'
import { column } from './sql.js'

type Direction = 'ASC' | 'DESC' | 'ASC_NULLS_FIRST' | 'ASC_NULLS_LAST' | 'DESC_NULLS_FIRST' | 'DESC_NULLS_LAST'
export type OrderInput = Record<string, Direction | null | undefined>[] | null | undefined

export interface OrderItem {
  field: string
  descending: boolean
  nullsFirst: boolean
}

export function orderItems(model: ModelInfo, input: OrderInput): OrderItem[] {
  const items: OrderItem[] = []
  const seen = new Set<string>()
  for (const entry of input ?? []) {
    for (const [field, direction] of Object.entries(entry)) {
      if (!direction || seen.has(field)) continue
      seen.add(field)
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

export const reversed = (items: OrderItem[]): OrderItem[] =>
  items.map((item) => ({ field: item.field, descending: !item.descending, nullsFirst: !item.nullsFirst }))

export function orderBySql(model: ModelInfo, alias: string, items: OrderItem[]): string {
  return items
    .map((item) => `${column(model, alias, item.field)} ${item.descending ? 'DESC' : 'ASC'} NULLS ${item.nullsFirst ? 'FIRST' : 'LAST'}`)
    .join(', ')
}

/**
 * Rows strictly after the cursor row `cursorAlias` in this order: for each position i, all earlier
 * columns equal (NULL equal to NULL) and column i after the cursor's, with NULLs placed as ordered.
 */
export function afterCursorSql(model: ModelInfo, alias: string, cursorAlias: string, items: OrderItem[]): string {
  const branches = items.map((item, i) => {
    const equal = items.slice(0, i).map((e) => `${column(model, alias, e.field)} IS NOT DISTINCT FROM ${column(model, cursorAlias, e.field)}`)
    const e = column(model, alias, item.field)
    const c = column(model, cursorAlias, item.field)
    const beyond = `${e} ${item.descending ? '<' : '>'} ${c}`
    const after = item.nullsFirst ? `(${beyond} OR (${c} IS NULL AND ${e} IS NOT NULL))` : `(${c} IS NOT NULL AND (${beyond} OR ${e} IS NULL))`
    return [...equal, after].join(' AND ')
  })
  return branches.map((b) => `(${b})`).join(' OR ')
}
