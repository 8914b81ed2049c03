/**
 * Comments on tables and columns become `///` doc comments in schema.prisma, which Prisma carries
 * into its datamodel and Pothos turns into GraphQL descriptions. Smart tags are not descriptions.
 * Idempotent: doc comments already in place are replaced, not repeated.
 */
import type { Catalog } from '../introspect/catalog.js'
import { blocks, dbFieldNameOf, type Schema } from './prisma-ast.js'
import { catalogRelationOf } from './catalog-relation-of.js'

type Item = { type: string; text?: string }

const isDocComment = (item: Item | undefined): boolean => item?.type === 'comment' && /^\/\/\//.test(item.text ?? '')

function docComments(description: string | null): Item[] {
  return (description ?? '').split('\n').filter((l) => l.trim()).map((line) => ({ type: 'comment', text: `/// ${line.trim()}` }))
}

/** Replace the doc comments right before `list[index]`; returns the item's new index. */
function setDocComments(list: Item[], index: number, description: string | null): number {
  let start = index
  while (start > 0 && isDocComment(list[start - 1])) start--
  const comments = docComments(description)
  list.splice(start, index - start, ...comments)
  return start + comments.length
}

export function addDescriptions(schema: Schema, catalog: Catalog): void {
  for (const block of blocks(schema)) {
    const relation = catalogRelationOf(catalog, block)
    if (!relation) continue
    const list = schema.list as Item[]
    setDocComments(list, list.indexOf(block), relation.description)
    const columns = new Map(relation.columns.map((c) => [c.name, c.description]))
    const properties = block.properties as Item[]
    for (let i = 0; i < properties.length; i++) {
      const property = properties[i] as Item & Parameters<typeof dbFieldNameOf>[0]
      if (property.type !== 'field' || !columns.has(dbFieldNameOf(property))) continue
      i = setDocComments(properties, i, columns.get(dbFieldNameOf(property)) ?? null)
    }
  }
}
