/**
 * Prisma's introspection skips materialized views; Portico serves them as read-only views. Each
 * column's PostgreSQL type (a domain's base type) is mapped to the Prisma type introspection would
 * give a table column; a type with none is read as text.
 */
import type { Catalog, CatalogColumn } from '../introspect/catalog.js'
import { prismaColumnType } from './prisma-types.js'
import { readAsTextComment } from './text-read-types.js'
import { blocks, dbNameOf, enumDbNameOf, enums, fieldMap, quote, blockAttribute, type Field, type Schema, type View } from './prisma-ast.js'

export function addMaterializedViews(schema: Schema, catalog: Catalog, notes: string[]): void {
  const present = new Set(blocks(schema).map((b) => { const n = dbNameOf(b); return `${n.schema}.${n.name}` }))
  const enumNames = new Map(enums(schema).map((e) => { const n = enumDbNameOf(e); return [`${n.schema}.${n.name}`, e.name] }))
  for (const relation of catalog.relations) {
    const qualified = `${relation.schema}.${relation.name}`
    if (relation.kind !== 'materialized view' || present.has(qualified)) continue
    const view: View = { type: 'view', name: relation.name, properties: [] }
    for (const column of relation.columns) {
      const field = prismaField(column, enumNames)
      view.properties.push(field)
      if (field.comment) notes.push(`${qualified}.${column.name}: ${column.type} read as text`)
    }
    // Portico's datasource always lists its schemas, so every block names its own.
    view.properties.push(blockAttribute('schema', [quote(relation.schema)], 'view'))
    schema.list.push({ type: 'break' }, view)
    notes.push(`${qualified}: materialized view, served read-only`)
  }
}

function prismaField(column: CatalogColumn, enumNames: Map<string, string>): Field {
  const mapped = prismaColumnType(column, enumNames)
  const attributes: NonNullable<Field['attributes']> = mapped?.native ? [mapped.native] : []
  const name = /^[A-Za-z][A-Za-z0-9_]*$/.test(column.name) ? column.name : column.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]/, 'n')
  if (name !== column.name) attributes.unshift(fieldMap(column.name))
  return {
    type: 'field',
    name,
    // A type Prisma has no name for is read as text, as for a table's Unsupported column.
    fieldType: mapped?.fieldType ?? 'String',
    array: column.isArray,
    // A materialized view says nothing about nullability (a domain's NOT NULL aside); only arrays are never optional in Prisma.
    optional: !column.isArray && !column.notNull,
    attributes,
    ...(mapped ? {} : { comment: readAsTextComment(column.type) }),
  }
}
