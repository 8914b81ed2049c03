/**
 * Tables without a primary key (the reference `api.iotawatt`) come out of Prisma's introspection
 * with `@@ignore`, which would hide them from the client. Portico keeps them:
 * - with a declared key (a `@primaryKey a,b` smart tag, in a comment or the config) the model gets
 *   `@@id([...])` and every feature of a keyed table;
 * - without one it becomes a read-only Prisma `view`, which needs no unique criteria: it can be
 *   listed, filtered, ordered, counted and paged (by offset), duplicate rows included.
 * Views with a declared key get `@@unique` (Prisma allows no `@@id` on a view): it is their key all the same.
 */
import type { Catalog } from '../introspect/catalog.js'
import { columnList, tagText } from '../introspect/smart-tags.js'
import { ModelError } from '../errors.js'
import {
  blockAttribute,
  blockAttributes,
  blocks,
  dbFieldNameOf,
  dbNameOf,
  dropRelations,
  fieldList,
  fields,
  type Block,
  type Schema,
} from './prisma-ast.js'

const NO_UNIQUE_IDENTIFIER = /does not contain a valid unique identifier/

export function declareKeys(schema: Schema, catalog: Catalog, notes: string[]): void {
  const removed = new Set<string>()
  for (const block of blocks(schema)) {
    const { schema: dbSchema, name } = dbNameOf(block)
    const qualified = `${dbSchema}.${name}`
    const relation = catalog.byName.get(qualified)
    const tagged = tagText(relation?.tags, 'primaryKey')
    const key = tagged ? columnList(tagged) : undefined
    const ignored = blockAttributes(block, 'ignore').length > 0
    if (key) {
      setKey(block, key, qualified, relation?.kind === 'view' || relation?.kind === 'materialized view')
      notes.push(`${qualified}: declared key (${key.join(', ')})`)
    } else if (ignored) {
      block.type = 'view'
      // Prisma views cannot declare indexes; the database keeps its own all the same.
      block.properties = block.properties.filter((p) => !(p.type === 'attribute' && p.name === 'index'))
      removed.add(block.name)
      notes.push(`${qualified}: no primary key; read-only, paged by offset (declare a key for more)`)
    }
    if (ignored) {
      block.properties = block.properties.filter((p) => !(p.type === 'attribute' && p.name === 'ignore'))
    }
  }
  dropKeylessDocComments(schema)
  // Prisma relations need a key on both sides: keyless views lose theirs (and @ignore'd back-relations).
  dropRelations(schema, removed)
}

/**
 * A view's columns are all nullable as far as PostgreSQL says: declaring them its key says they are
 * not, so they become non-null in the API. A table's nullable column is nullable for real.
 */
function setKey(block: Block, columns: string[], qualified: string, isView: boolean): void {
  const byColumn = new Map(fields(block).map((f) => [dbFieldNameOf(f), f]))
  const names = columns.map((column) => {
    const field = byColumn.get(column)
    if (!field) throw new ModelError(`the declared key (@primaryKey) of ${qualified} names column "${column}", which it does not have (columns: ${[...byColumn.keys()].join(', ')})`)
    if (field.optional && !isView) {
      throw new ModelError(`the declared key (@primaryKey) of ${qualified} names column "${column}", which may be NULL: make it NOT NULL, or declare another key`)
    }
    field.optional = false
    return field.name
  })
  block.properties = block.properties.filter((p) => !(p.type === 'attribute' && p.name === 'id'))
  // Prisma allows no @@id on a view, but a @@unique over required fields identifies its rows as well.
  if (block.type === 'view') block.properties.push(blockAttribute('unique', [fieldList(names)], 'view'))
  else block.properties.push(blockAttribute('id', [fieldList(names)], 'object'))
}

function dropKeylessDocComments(schema: Schema): void {
  schema.list = schema.list.filter((b) => !(b.type === 'comment' && NO_UNIQUE_IDENTIFIER.test(b.text)))
}
