/**
 * The Prisma type introspection gives a column of each PostgreSQL base type, for the columns
 * Portico adds or retypes itself (materialized views, which Prisma skips; domains, which it may
 * mark Unsupported). A type with no Prisma type is read as text (./text-read-types.ts).
 */
import type { CatalogColumn } from '../introspect/catalog.js'
import type { Attribute } from './prisma-ast.js'

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

export interface PrismaColumnType {
  fieldType: string
  /** `@db.X(params)`, when the type needs one. */
  native?: Attribute
}

/** The Prisma type of a catalog column (its base type, domains resolved); enums by their Prisma name. */
export function prismaColumnType(column: CatalogColumn, enumNames: Map<string, string>): PrismaColumnType | undefined {
  const enumName = column.isEnum ? enumNames.get(`${column.baseTypeSchema}.${column.baseType}`) : undefined
  if (enumName) return { fieldType: enumName }
  const mapped = PRISMA_TYPES[column.baseType]
  if (!mapped) return undefined
  const [fieldType, native] = mapped
  if (!native) return { fieldType }
  const params = /\(([^)]*)\)/.exec(column.type)?.[1]?.split(',').map((p) => Number(p.trim()))
  return { fieldType, native: { type: 'attribute', kind: 'field', group: 'db', name: native, args: params?.map((value) => ({ type: 'attributeArgument', value })) ?? [] } }
}
