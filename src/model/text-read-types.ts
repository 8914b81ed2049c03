/**
 * Columns of types Prisma marks `Unsupported(...)` are invisible to its client. Portico reads every
 * one of them as text instead, as a `String` field, so no column is left out: interval (served as
 * ISO-8601 durations, the pool sets IntervalStyle), tsvector and tsquery, ranges, macaddr, bit
 * strings, the geometric types, types of extensions... The original type stays in a trailing
 * comment, which ../model/datamodel.ts reads. Such text has no useful order or equality for
 * filters, so those columns are served but not filtered or ordered on (interval aside, whose
 * filters compare durations, and tsvector, which has full-text search: ../schema/full-text.ts).
 */
import { blocks, fieldListOf, fields, type Schema } from './prisma-ast.js'

export const TEXT_READ_COMMENT = /Unsupported\("([^"]+)"\)/

export const readAsTextComment = (pgType: string) => `// Unsupported("${pgType}"): read as text`

export function readUnsupportedAsText(schema: Schema, notes: string[]): void {
  for (const block of blocks(schema)) {
    const asText = new Set<string>()
    for (const field of fields(block)) {
      const type = field.fieldType as unknown as { type?: string; name?: string; params?: unknown[] }
      if (typeof field.fieldType === 'string' || type?.name !== 'Unsupported') continue
      const pgType = String(type.params?.[0] ?? '').replace(/"/g, '')
      field.fieldType = 'String'
      field.comment = readAsTextComment(pgType)
      notes.push(`${block.name}.${field.name}: ${pgType} read as text`)
      asText.add(field.name)
    }
    // An index over such a column (a GIN index on a tsvector) is one Prisma refuses on a String
    // ("The Gin index type does not support the type of the field"). Portico's client never uses
    // indexes (it runs no migrations), and PostgreSQL keeps them: they are left out.
    if (asText.size) block.properties = block.properties.filter((p) => !(p.type === 'attribute' && p.name === 'index' && fieldListOf(p).some((f) => asText.has(f))))
  }
}
