/**
 * Applies Portico's naming rules (./inflect.ts) to an introspected Prisma schema, with `@@map` and
 * `@map` keeping the database names, so the Prisma client and the GraphQL API read the same.
 *
 * Relation fields:
 * - the foreign-key side is named after its column without the key suffix (`language_id` ->
 *   `language`, `original_language_id` -> `originalLanguage`); a column with no suffix, or a name
 *   already taken, gives `<targetType>By<Column>` (`post.author` -> `personByAuthor`);
 * - the other side is the referencing type, plural for to-many (`films`), singular for one-to-one;
 *   when two tables are related through several foreign keys, or a table references itself, each
 *   back-relation adds `By<KeyColumns>` without the suffix (`filmsByLanguage`,
 *   `filmsByOriginalLanguage`, `employeesByReportsTo`).
 * Names are derived from database names only, so applying this twice changes nothing.
 */
import {
  blockAttribute,
  blocks,
  dbFieldNameOf,
  dbNameOf,
  enumDbNameOf,
  enums,
  fieldAttribute,
  fieldMap,
  fields,
  quote,
  relationKeyValue,
  relationName,
  type Block,
  type BlockAttribute,
  type Field,
  type Schema,
  type Value,
} from './prisma-ast.js'
import { backRelationName, enumName, fieldName, forwardRelationName, relationKeyWord, typeName } from './inflect.js'
import type { Catalog } from '../introspect/catalog.js'
import { catalogRelationOf } from './catalog-relation-of.js'
import { tagText } from '../introspect/smart-tags.js'
import { claimName, type Names } from './claim-name.js'

export function applyNames(schema: Schema, catalog: Catalog): void {
  const allBlocks = blocks(schema)
  const allEnums = enums(schema)
  const typeNames = computeTypeNames(schema, catalog)
  const blockNames = new Set(allBlocks.map((b) => b.name))
  const isRelation = (f: Field) => typeof f.fieldType === 'string' && blockNames.has(f.fieldType)
  const relationOf = (block: Block) => catalogRelationOf(catalog, block)
  /** The catalog's foreign key of `block` over exactly these columns: its smart tags name the relation. */
  const foreignKeyTags = (block: Block, dbColumns: string[]) =>
    relationOf(block)?.foreignKeys.find((k) => k.columns.join() === dbColumns.join())?.tags

  // 1. Scalar fields: camelCase (or the column's @name), unique per block.
  const fieldRenames = new Map<string, Map<string, string>>()
  const taken = new Map<string, Names>()
  for (const block of allBlocks) {
    const renames = new Map<string, string>()
    const names: Names = new Map()
    const columns = new Map(relationOf(block)?.columns.map((c) => [c.name, c]))
    for (const field of fields(block).filter((f) => !isRelation(f))) {
      const column = dbFieldNameOf(field)
      const name = claimName(tagText(columns.get(column)?.tags, 'name') ?? fieldName(column), names, `${typeNames.get(block.name)}: column "${column}"`)
      renames.set(field.name, name)
    }
    fieldRenames.set(block.name, renames)
    taken.set(block.name, names)
  }

  // 2. Foreign-key sides of relations.
  const byName = new Map(allBlocks.map((b) => [b.name, b]))
  const relationRenames = new Map<Field, string>()
  const forwardName = new Map<string, string>() // `${source}|${target}|${relationName}` -> key word
  for (const block of allBlocks) {
    for (const field of fields(block).filter(isRelation)) {
      const columns = relationKeyValue(field, 'fields')
      if (!columns) continue
      const target = typeNames.get(String(field.fieldType))!
      const dbColumns = columns.map((c) => dbFieldNameOf(fields(block).find((f) => f.name === c) ?? ({ name: c } as Field)))
      const names = taken.get(block.name)!
      const tags = foreignKeyTags(block, dbColumns)
      const name = claimName(forwardRelationName(dbColumns, target, names, tagText(tags, 'fieldName')), names, `${typeNames.get(block.name)}: the relation of foreign key (${dbColumns.join(', ')}) to ${target}`)
      relationRenames.set(field, name)
      forwardName.set(`${block.name}|${field.fieldType}|${relationName(field) ?? ''}`, relationKeyWord(dbColumns))
    }
  }

  // 3. The other sides.
  for (const block of allBlocks) {
    for (const field of fields(block).filter(isRelation)) {
      if (relationKeyValue(field, 'fields')) continue
      const source = String(field.fieldType)
      const sourceType = typeNames.get(source)!
      const between = fields(block).filter((f) => f.fieldType === source && !relationKeyValue(f, 'fields')).length
      const forward = forwardName.get(`${source}|${block.name}|${relationName(field) ?? ''}`)
      const names = taken.get(block.name)!
      const owning = fields(byName.get(source)!).find((f) => f.fieldType === block.name && relationKeyValue(f, 'fields') && relationName(f) === relationName(field))
      const dbColumns = (owning && relationKeyValue(owning, 'fields')?.map((c) => dbFieldNameOf(fields(byName.get(source)!).find((f) => f.name === c) ?? ({ name: c } as Field)))) ?? []
      const tagged = owning ? tagText(foreignKeyTags(byName.get(source)!, dbColumns), 'foreignFieldName') : undefined
      const ambiguous = (between > 1 || source === block.name) && forward !== undefined
      const name = claimName(
        backRelationName(sourceType, !!field.array, forward ?? '', ambiguous, forward !== undefined ? names : new Set(), tagged),
        names,
        `${typeNames.get(block.name)}: the back-relation of ${sourceType}'s foreign key (${dbColumns.join(', ')})`,
      )
      relationRenames.set(field, name)
    }
  }

  // 4. Apply: fields, references inside attributes, then the blocks and enums themselves.
  for (const block of allBlocks) {
    const renames = fieldRenames.get(block.name)!
    for (const field of fields(block)) {
      const newName = relationRenames.get(field) ?? renames.get(field.name)
      if (!isRelation(field) && newName !== dbFieldNameOf(field) && !fieldAttribute(field, 'map')) {
        field.attributes = [...(field.attributes ?? []), fieldMap(dbFieldNameOf(field))]
      }
      if (isRelation(field)) {
        const target = fieldRenames.get(String(field.fieldType))!
        renameRelationArguments(field, renames, target)
      }
      if (typeof field.fieldType === 'string' && typeNames.has(field.fieldType)) field.fieldType = typeNames.get(field.fieldType)!
      if (newName) field.name = newName
    }
    for (const attribute of block.properties.filter((p): p is BlockAttribute => p.type === 'attribute')) {
      if (['id', 'unique', 'index'].includes(attribute.name)) renameFieldLists(attribute.args.map((a) => a.value as Value), renames)
    }
  }
  for (const block of allBlocks) renameBlock(block, typeNames.get(block.name)!, dbNameOf(block).name)
  for (const e of allEnums) {
    const dbName = enumDbNameOf(e).name
    const newName = typeNames.get(e.name)!
    const hasMap = e.enumerators.some((x) => x.type === 'attribute' && x.name === 'map')
    if (newName !== dbName && !hasMap) e.enumerators.push(blockAttribute('map', [quote(dbName)]))
    e.name = newName
  }
}

/** Old model/enum name -> new type name, unique across models, views and enums (a table's @name wins). */
function computeTypeNames(schema: Schema, catalog: Catalog): Map<string, string> {
  const items = [
    ...blocks(schema).map((b) => ({ old: b.name, db: dbNameOf(b), make: typeName, what: 'table or view' })),
    ...enums(schema).map((e) => ({ old: e.name, db: enumDbNameOf(e), make: enumName, what: 'enum type' })),
  ]
  const schemasByName = new Map<string, Set<string>>()
  for (const { db } of items) schemasByName.set(db.name, (schemasByName.get(db.name) ?? new Set()).add(db.schema))
  const result = new Map<string, string>()
  const taken: Names = new Map()
  for (const { old, db, make, what } of items) {
    const tagged = what === 'enum type' ? undefined : tagText(catalog.byName.get(`${db.schema}.${db.name}`)?.tags, 'name')
    result.set(old, claimName(tagged ?? make(db.name, db.schema, schemasByName.get(db.name)!.size > 1), taken, `${what} ${db.schema}.${db.name}`))
  }
  return result
}


function renameBlock(block: Block, newName: string, dbName: string): void {
  const hasMap = block.properties.some((p) => p.type === 'attribute' && p.name === 'map')
  if (newName !== dbName && !hasMap) {
    block.properties.push(blockAttribute('map', [quote(dbName)], block.type === 'view' ? 'view' : 'object'))
  }
  block.name = newName
}

function renameRelationArguments(field: Field, own: Map<string, string>, target: Map<string, string>): void {
  for (const arg of fieldAttribute(field, 'relation')?.args ?? []) {
    const value = arg.value as { type?: string; key?: string; value?: { type?: string; args?: Value[] } }
    if (value?.type !== 'keyValue' || value.value?.type !== 'array') continue
    const renames = value.key === 'fields' ? own : value.key === 'references' ? target : undefined
    if (renames) value.value.args = (value.value.args ?? []).map((v) => renames.get(String(v)) ?? v)
  }
}

/** `@@id([a, b])`, `@@index([a(sort: Desc)])`: rename the field names inside. */
function renameFieldLists(values: Value[], renames: Map<string, string>): void {
  for (const value of values) {
    const list = value as { type?: string; args?: Value[] }
    if (list?.type !== 'array' || !list.args) continue
    list.args = list.args.map((item) => {
      if (typeof item === 'string') return renames.get(item) ?? item
      const fn = item as { type?: string; name?: string }
      if (fn?.type === 'function' && fn.name) fn.name = renames.get(fn.name) ?? fn.name
      return item
    })
  }
}
