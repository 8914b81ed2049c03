/** The catalog's relation behind a Prisma model or view block (by its `@@map` and `@@schema`). */
import type { Catalog, CatalogRelation } from '../introspect/catalog.js'
import { dbNameOf, type Block } from './prisma-ast.js'

export function catalogRelationOf(catalog: Catalog, block: Block): CatalogRelation | undefined {
  const { schema, name } = dbNameOf(block)
  return catalog.byName.get(`${schema}.${name}`)
}
