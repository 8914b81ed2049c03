/**
 * Prisma's introspection skips materialized views; Portico serves them as read-only views. Each
 * column's PostgreSQL type is mapped to the Prisma type introspection would give a table column.
 */
import type { Catalog, CatalogColumn } from '../introspect/catalog.js'
import { blocks, dbNameOf, enumDbNameOf, enums, fieldMap, quote, blockAttribute, type Field, type Schema, type View } from './prisma-ast.js'

const PRISMA_TYPES: Record<string, [type: string, native?: string]> = {
  int2: ['Int', 'SmallInt'],
  int4: ['Int'],
  int8: ['BigInt'],
  oid: ['Int', 'Oid'],
  float4: ['Float', 'Real'],
  float8: ['Float'],
  numeric: ['Decimal'],
  money: ['Decimal', 'Money'],
  bool: ['Boolean'],
  text: ['String'],
  varchar: ['String', 'VarChar'],
  bpchar: ['String', 'Char'],
  citext: ['String', 'Citext'],
  uuid: ['String', 'Uuid'],
  inet: ['String', 'Inet'],
  xml: ['String', 'Xml'],
  date: ['DateTime', 'Date'],
  time: ['DateTime', 'Time'],
  timetz: ['DateTime', 'Timetz'],
  timestamp: ['DateTime', 'Timestamp'],
  timestamptz: ['DateTime', 'Timestamptz'],
  json: ['Json', 'Json'],
  jsonb: ['Json'],
  bytea: ['Bytes'],
}

export function addMaterializedViews(schema: Schema, catalog: Catalog, notes: string[]): void {
  const present = new Set(blocks(schema).map((b) => { const n = dbNameOf(b); return `${n.schema}.${n.name}` }))
  const enumNames = new Map(enums(schema).map((e) => { const n = enumDbNameOf(e); return [`${n.schema}.${n.name}`, e.name] }))
  for (const relation of catalog.relations) {
    const qualified = `${relation.schema}.${relation.name}`
    if (relation.kind !== 'materialized view' || present.has(qualified)) continue
    const view: View = { type: 'view', name: relation.name, properties: [] }
    for (const column of relation.columns) {
      const field = prismaField(column, enumNames)
      if (field) view.properties.push(field)
      else notes.push(`${qualified}.${column.name}: type ${column.type} is not supported; left out`)
    }
    // Portico's datasource always lists its schemas, so every block names its own.
    view.properties.push(blockAttribute('schema', [quote(relation.schema)], 'view'))
    schema.list.push({ type: 'break' }, view)
    notes.push(`${qualified}: materialized view, served read-only`)
  }
}

function prismaField(column: CatalogColumn, enumNames: Map<string, string>): Field | undefined {
  const enumName = column.isEnum ? enumNames.get(`${column.baseTypeSchema}.${column.baseType}`) : undefined
  const mapped = enumName ? [enumName] : PRISMA_TYPES[column.baseType]
  if (!mapped) return undefined
  const [type, native] = mapped
  const attributes: NonNullable<Field['attributes']> = []
  if (native) {
    const params = /\(([^)]*)\)/.exec(column.type)?.[1]?.split(',').map((p) => Number(p.trim()))
    attributes.push({ type: 'attribute', kind: 'field', group: 'db', name: native, args: params?.map((value) => ({ type: 'attributeArgument', value })) ?? [] })
  }
  const name = /^[A-Za-z][A-Za-z0-9_]*$/.test(column.name) ? column.name : column.name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]/, 'n')
  if (name !== column.name) attributes.unshift(fieldMap(column.name))
  return {
    type: 'field',
    name,
    fieldType: type!,
    array: column.isArray,
    // A materialized view says nothing about nullability; only arrays are never optional in Prisma.
    optional: !column.isArray && !column.notNull,
    attributes,
  }
}
