/**
 * `@omit` (or `@omit read`) keeps objects out of the API entirely, and what depends on them goes
 * with them:
 * - a table or view: its block, and the relation fields of other models that point at it;
 * - a column: its field, and the relations whose foreign key uses it (a key column cannot go);
 * - a foreign key: the relation it gives, both sides.
 * Narrower omissions (`@omit create,filter`) are the schema's to apply (../model/datamodel.ts).
 */
import { ModelError } from '../errors.js'
import type { Catalog } from '../introspect/catalog.js'
import { isOmitted } from './omit.js'
import { catalogRelationOf } from './catalog-relation-of.js'
import {
  blockAttributes,
  blocks,
  dbFieldNameOf,
  dbNameOf,
  dropRelations,
  fieldListOf,
  fields,
  relationKeyValue,
  relationName,
  type Block,
  type Field,
  type Schema,
} from './prisma-ast.js'

export function omitTables(schema: Schema, catalog: Catalog, notes: string[]): void {
  const omitted = new Set<string>()
  for (const block of blocks(schema)) {
    const { schema: dbSchema, name } = dbNameOf(block)
    const qualified = `${dbSchema}.${name}`
    if (isOmitted(catalog.byName.get(qualified)?.tags, qualified)) {
      omitted.add(block.name)
      notes.push(`${qualified}: omitted (@omit)`)
    }
  }
  if (omitted.size) {
    dropRelations(schema, omitted)
    schema.list = schema.list.filter((b) => !((b.type === 'model' || b.type === 'view') && omitted.has(b.name)))
  }
  omitColumnsAndForeignKeys(schema, catalog, notes)
}

function omitColumnsAndForeignKeys(schema: Schema, catalog: Catalog, notes: string[]): void {
  const byName = new Map(blocks(schema).map((b) => [b.name, b]))
  for (const block of blocks(schema)) {
    const relation = catalogRelationOf(catalog, block)
    if (!relation) continue
    const { schema: dbSchema, name } = relation
    const hidden = new Set(relation.columns.filter((c) => isOmitted(c.tags, `${dbSchema}.${name}.${c.name}`)).map((c) => c.name))
    const keyFields = new Set(blockAttributes(block, 'id').flatMap((a) => ((a.args[0]?.value as { args?: string[] })?.args ?? []).map(String)))
    for (const field of fields(block)) {
      const column = dbFieldNameOf(field)
      if (!hidden.has(column) || relationKeyValue(field, 'fields')) continue
      if (field.attributes?.some((a) => a.name === 'id' && !a.group) || keyFields.has(field.name)) {
        throw new ModelError(`${dbSchema}.${name}.${column} is part of the primary key and cannot be omitted`)
      }
      notes.push(`${dbSchema}.${name}.${column}: omitted (@omit)`)
    }
    const omittedKeys = relation.foreignKeys.filter((k) => isOmitted(k.tags, `${dbSchema}.${name}.${k.name}`) || k.columns.some((c) => hidden.has(c)))
    for (const field of fields(block)) {
      const own = relationKeyValue(field, 'fields')
      if (!own) continue
      const columns = own.map((f) => dbFieldNameOf(fields(block).find((x) => x.name === f) ?? ({ name: f } as Field)))
      if (!omittedKeys.some((k) => k.columns.join() === columns.join())) continue
      dropRelationPair(block, field, byName.get(String(field.fieldType)))
      notes.push(`${dbSchema}.${name}: relation over (${columns.join(', ')}) omitted`)
    }
    const hiddenFields = new Set(fields(block).filter((f) => hidden.has(dbFieldNameOf(f)) && !relationKeyValue(f, 'fields')).map((f) => f.name))
    block.properties = block.properties.filter((p) => !(p.type === 'field' && hiddenFields.has(p.name)))
    // Indexes over a hidden column are the database's business, not the client's.
    block.properties = block.properties.filter((p) => !(p.type === 'attribute' && ['index', 'unique'].includes(p.name) && fieldListOf(p).some((f) => hiddenFields.has(f))))
  }
}

/** Removes a relation field and the field on the other side of the same relation. */
function dropRelationPair(block: Block, field: Field, target: Block | undefined): void {
  const name = relationName(field)
  block.properties = block.properties.filter((p) => p !== field)
  if (!target) return
  const other = fields(target).find((f) => f.fieldType === block.name && !relationKeyValue(f, 'fields') && relationName(f) === name)
  if (other) target.properties = target.properties.filter((p) => p !== other)
}
