/**
 * Prisma's engine writes a partial unique index (`CREATE UNIQUE INDEX ... WHERE region = 'vip'`)
 * as `@unique(where: raw(...))`, which its client only accepts behind a preview feature, and which
 * would let a lookup treat a partial key as a whole one. The index stays in the database, doing
 * its job; the Prisma schema leaves it out (partial plain indexes too, for the same reason).
 */
import { blocks, fields, namedArgument, type Schema } from './prisma-ast.js'

const hasWhere = (attribute: { args?: { value: unknown }[] }) => namedArgument(attribute, 'where') !== undefined

export function dropPartialIndexes(schema: Schema): void {
  for (const block of blocks(schema)) {
    block.properties = block.properties.filter((p) => !(p.type === 'attribute' && ['unique', 'index'].includes(p.name) && hasWhere(p)))
    for (const field of fields(block)) {
      if (field.attributes) field.attributes = field.attributes.filter((a) => !(a.name === 'unique' && !a.group && hasWhere(a)))
    }
  }
}
