/**
 * Columns of types Prisma marks `Unsupported(...)` are invisible to its client. Those whose text
 * form is useful are read as text instead, as `String` fields: interval (ISO-8601 durations, the
 * pool sets IntervalStyle), tsvector and tsquery, macaddr, and the geometric types. The original
 * type stays in a trailing comment, which ../model/datamodel.ts reads. Other unsupported columns
 * stay left out, with Prisma's warning in the log.
 */
import { blocks, fields, type Schema } from './prisma-ast.js'

export const TEXT_READ_TYPES = ['interval', 'tsvector', 'tsquery', 'macaddr', 'macaddr8', 'point', 'lseg', 'path', 'box', 'polygon', 'line', 'circle']
export const TEXT_READ_COMMENT = /Unsupported\("(\w+)"\)/

export function readUnsupportedAsText(schema: Schema, notes: string[]): void {
  for (const block of blocks(schema)) {
    for (const field of fields(block)) {
      const type = field.fieldType as unknown as { type?: string; name?: string; params?: unknown[] }
      if (typeof field.fieldType === 'string' || type?.name !== 'Unsupported') continue
      const pgType = String(type.params?.[0] ?? '').replace(/"/g, '')
      if (!TEXT_READ_TYPES.includes(pgType)) continue
      field.fieldType = 'String'
      field.comment = `// Unsupported("${pgType}"): read as text`
      notes.push(`${block.name}.${field.name}: ${pgType} read as text`)
    }
  }
}
