/**
 * Dates, times and timestamps are read as text, not as Prisma `DateTime`s: Prisma turns those into
 * JavaScript Dates, which keep milliseconds, so a timestamp with microseconds would come back
 * changed, and a key holding one (Pagila's `payment`) could never be found again by its lookup,
 * its nodeId or a cursor. As `String` fields Prisma passes PostgreSQL's own text through, and
 * PostgreSQL reads the text Portico sends back in filters and cursors exactly.
 *
 * The column's type is kept in a trailing comment (`// @db.Timestamptz(6)`), which Prisma ignores
 * and ../model/datamodel.ts reads to give the field its GraphQL type (DateTime, LocalDateTime,
 * Date, Time or OffsetTime).
 */
import { blocks, fields, type Schema } from './prisma-ast.js'

export const TEMPORAL_COMMENT = /@db\.(Timestamptz|Timestamp|Date|Timetz|Time)\b/

export function readTemporalsAsText(schema: Schema): void {
  for (const block of blocks(schema)) {
    for (const field of fields(block)) {
      if (field.fieldType !== 'DateTime') continue
      const db = field.attributes?.find((a) => a.group === 'db')
      // A DateTime without @db is Prisma's default, timestamp(3).
      const native = db ? `@db.${db.name}${db.args?.length ? `(${db.args.map((a) => a.value).join(', ')})` : ''}` : '@db.Timestamp(3)'
      field.fieldType = 'String'
      field.attributes = (field.attributes ?? [])
        .filter((a) => a.group !== 'db' && a.name !== 'updatedAt')
        .map((a) => (a.name === 'default' && isNow(a.args?.[0]?.value) ? nowDefault(a) : a))
      field.comment = `// ${native}: read as text, to keep microseconds`
    }
  }
}

function isNow(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: string; name?: string }).type === 'function' && (value as { name?: string }).name === 'now'
}

/** `@default(now())` belongs to DateTime fields; the database's own default says the same. */
function nowDefault<T extends { args?: unknown[] }>(attribute: T): T {
  return {
    ...attribute,
    args: [{ type: 'attributeArgument', value: { type: 'function', name: 'dbgenerated', params: ['"now()"'] } }],
  }
}
