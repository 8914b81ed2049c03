/**
 * Columns typed by a domain (`release_year year`, where `year` is an integer with a CHECK) are
 * served as the domain's base type, with the domain's NOT NULL: a column is non-null when it or
 * its domain says so. Prisma types most domain columns by their base type already; one it marks
 * `Unsupported("year")` gets its base type's Prisma type here, and any other type is then read as
 * text (./text-read-types.ts).
 */
import type { Catalog } from '../introspect/catalog.js'
import { prismaColumnType } from './prisma-types.js'
import { blocks, dbFieldNameOf, enumDbNameOf, enums, fields, type Schema } from './prisma-ast.js'
import { catalogRelationOf } from './catalog-relation-of.js'

export function resolveDomains(schema: Schema, catalog: Catalog): void {
  const enumNames = new Map(enums(schema).map((e) => { const n = enumDbNameOf(e); return [`${n.schema}.${n.name}`, e.name] }))
  for (const block of blocks(schema)) {
    const columns = new Map(catalogRelationOf(catalog, block)?.columns.map((c) => [c.name, c]))
    for (const field of fields(block)) {
      const column = columns.get(dbFieldNameOf(field))
      if (!column) continue
      const unsupported = typeof field.fieldType !== 'string' && (field.fieldType as { name?: string }).name === 'Unsupported'
      const mapped = column.domain && unsupported ? prismaColumnType(column, enumNames) : undefined
      if (mapped) {
        field.fieldType = mapped.fieldType
        field.array = column.isArray
        field.attributes = [...(field.attributes ?? []).filter((a) => a.group !== 'db'), ...(mapped.native ? [mapped.native] : [])]
      }
      // Prisma lists are never optional; a NOT NULL domain makes a scalar required.
      if (column.notNull && field.optional && !field.array) field.optional = false
    }
  }
}
