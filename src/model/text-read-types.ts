/**
 * Columns of types Prisma marks `Unsupported(...)` are invisible to its client. Those whose text
 * form is useful are read as text instead, as `String` fields: interval (ISO-8601 durations, the
 * pool sets IntervalStyle), tsvector and tsquery, macaddr, and the geometric types. The original
 * type stays in a trailing comment, which ../model/datamodel.ts reads. Other unsupported columns
 * stay left out, with Prisma's warning in the log.
 */
import { blocks, fields, type BlockAttribute, type Schema } from './prisma-ast.js'

export const TEXT_READ_TYPES = ['interval', 'tsvector', 'tsquery', 'macaddr', 'macaddr8', 'point', 'lseg', 'path', 'box', 'polygon', 'line', 'circle']
export const TEXT_READ_COMMENT = /Unsupported\("(\w+)"\)/

export function readUnsupportedAsText(schema: Schema, notes: string[]): void {
  for (const block of blocks(schema)) {
    const asText = new Set<string>()
    for (const field of fields(block)) {
      const type = field.fieldType as unknown as { type?: string; name?: string; params?: unknown[] }
      if (typeof field.fieldType === 'string' || type?.name !== 'Unsupported') continue
      const pgType = String(type.params?.[0] ?? '').replace(/"/g, '')
      if (!TEXT_READ_TYPES.includes(pgType)) continue
      field.fieldType = 'String'
      field.comment = `// Unsupported("${pgType}"): read as text`
      notes.push(`${block.name}.${field.name}: ${pgType} read as text`)
      asText.add(field.name)
    }
    // An index over such a column (a GIN index on a tsvector) is one Prisma refuses on a String
    // ("The Gin index type does not support the type of the field"). Portico's client never uses
    // indexes (it runs no migrations), and PostgreSQL keeps them: they are left out.
    if (asText.size) block.properties = block.properties.filter((p) => !(p.type === 'attribute' && p.name === 'index' && indexFields(p).some((f) => asText.has(f))))
  }
}

/** The field names an `@@index([a, b(ops: ...)])` lists. */
function indexFields(index: BlockAttribute): string[] {
  const list = index.args?.[0]?.value as { type?: string; args?: unknown[] } | undefined
  if (list?.type !== 'array') return []
  return (list.args ?? []).map((item) => (typeof item === 'string' ? item : String((item as { name?: unknown }).name)))
}
