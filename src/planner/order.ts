/**
 * GraphQL `orderBy` -> Prisma `orderBy`, always completed with the model's key (or, for a keyless
 * view, every column) so that the order is total: pages are stable and cursors unambiguous.
 */
import { isOpaqueText, type ModelInfo } from '../model/datamodel.js'

type Direction = 'ASC' | 'DESC' | 'ASC_NULLS_FIRST' | 'ASC_NULLS_LAST' | 'DESC_NULLS_FIRST' | 'DESC_NULLS_LAST'
type OrderItem = Record<string, unknown>

export function toPrismaOrderBy(model: ModelInfo, input: Record<string, Direction | null | undefined>[] | null | undefined): OrderItem[] {
  const order: OrderItem[] = []
  const seen = new Set<string>()
  for (const item of input ?? []) {
    for (const [field, direction] of Object.entries(item)) {
      if (!direction || seen.has(field)) continue
      seen.add(field)
      const [sort, nulls] = direction.toLowerCase().split('_nulls_') as ['asc' | 'desc', ('first' | 'last')?]
      const optional = !model.scalars.find((f) => f.name === field)?.isRequired
      order.push({ [field]: nulls && optional ? { sort, nulls } : sort })
    }
  }
  const orderable = model.scalars.filter((f) => !f.isList && f.type !== 'Json' && f.type !== 'Bytes' && !isOpaqueText(model, f))
  const tieBreakers = model.key.length ? model.key : orderable.map((f) => f.name)
  for (const field of tieBreakers) if (!seen.has(field)) order.push({ [field]: 'asc' })
  return order
}
