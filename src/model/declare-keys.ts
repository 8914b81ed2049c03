/**
 * Tables without a primary key (the reference `api.iotawatt`) come out of Prisma's introspection
 * with `@@ignore`, which would hide them from the client. Portico keeps them:
 * - with a declared key (config `primaryKeys`, or a `@primaryKey a,b` smart comment) the model gets
 *   `@@id([...])` and every feature of a keyed table;
 * - without one it becomes a read-only Prisma `view`, which needs no unique criteria: it can be
 *   listed, filtered, ordered, counted and paged (by offset), duplicate rows included.
 * Views with a declared key get `@@id` too.
 */
import type { Catalog } from '../introspect/catalog.js'
import { parseSmartComment } from '../introspect/smart-tags.js'
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

export function declareKeys(schema: Schema, catalog: Catalog, declared: Record<string, string[]>, notes: string[]): void {
  const removed = new Set<string>()
  for (const block of blocks(schema)) {
    const { schema: dbSchema, name } = dbNameOf(block)
    const qualified = `${dbSchema}.${name}`
    const tagged = parseSmartComment(catalog.byName.get(qualified)?.comment).tags.primaryKey
    const key = declared[qualified] ?? (typeof tagged === 'string' ? tagged.split(',').map((c) => c.trim()) : undefined)
    const ignored = blockAttributes(block, 'ignore').length > 0
    if (key) {
      setKey(block, key, qualified)
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

function setKey(block: Block, columns: string[], qualified: string): void {
  const byColumn = new Map(fields(block).map((f) => [dbFieldNameOf(f), f]))
  const names = columns.map((column) => {
    const field = byColumn.get(column)
    if (!field) throw new Error(`declared key of ${qualified} names column "${column}", which it does not have`)
    if (field.optional) throw new Error(`declared key of ${qualified} names column "${column}", which is nullable`)
    return field.name
  })
  block.properties = block.properties.filter((p) => !(p.type === 'attribute' && p.name === 'id'))
  block.properties.push(blockAttribute('id', [fieldList(names)], block.type === 'view' ? 'view' : 'object'))
}

function dropKeylessDocComments(schema: Schema): void {
  schema.list = schema.list.filter((b) => !(b.type === 'comment' && NO_UNIQUE_IDENTIFIER.test(b.text)))
}
