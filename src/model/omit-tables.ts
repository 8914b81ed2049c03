/**
 * `COMMENT ON TABLE t IS '@omit'` keeps a table or view out of the API entirely: its block goes,
 * and so do the relation fields of other models that point at it.
 */
import type { Catalog } from '../introspect/catalog.js'
import { parseSmartComment } from '../introspect/smart-tags.js'
import { blocks, dbNameOf, dropRelations, type Schema } from './prisma-ast.js'

export function omitTables(schema: Schema, catalog: Catalog, notes: string[]): void {
  const omitted = new Set<string>()
  for (const block of blocks(schema)) {
    const { schema: dbSchema, name } = dbNameOf(block)
    if (parseSmartComment(catalog.byName.get(`${dbSchema}.${name}`)?.comment).tags.omit) {
      omitted.add(block.name)
      notes.push(`${dbSchema}.${name}: omitted (@omit)`)
    }
  }
  if (!omitted.size) return
  dropRelations(schema, omitted)
  schema.list = schema.list.filter((b) => !((b.type === 'model' || b.type === 'view') && omitted.has(b.name)))
}
