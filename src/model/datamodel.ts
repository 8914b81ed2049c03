/**
 * Portico's view of the Prisma datamodel: what the GraphQL layer needs to know about each model
 * (its key, its cursor, its relations, native column types, whether it is a read-only view),
 * derived once from the Pothos datamodel and the schema.prisma text.
 */
import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma'
import type { Catalog } from '../introspect/catalog.js'
import { TEMPORAL_COMMENT } from './exact-temporal.js'
import { TEXT_READ_COMMENT, TEXT_READ_TYPES } from './text-read-types.js'
import { blocks, dbFieldNameOf, dbNameOf, enums, fields as astFields, fieldAttribute, parsePrismaSchema, stringArgument, type Field } from './prisma-ast.js'

export type DMMFField = PothosPrismaDatamodel['datamodel']['models'][string]['fields'][number]

export interface ModelInfo {
  name: string
  description?: string
  isView: boolean
  /** Fields of the primary key (or declared key), in key order; empty when there is none. */
  key: string[]
  /** The Prisma unique-input name for the key (`filmId`, `actorId_filmId`), used for cursors and nodes. */
  keyName?: string
  scalars: DMMFField[]
  relations: DMMFField[]
  /** `@db.X` of each scalar field that has one (Date, Time, Timestamptz, Uuid, ...). */
  nativeTypes: Map<string, string>
  /** Every unique key (unique columns and unique indexes), by field names. */
  uniques: string[][]
  /** Where the rows live, for the SQL the planner writes. */
  table: { schema: string; name: string }
  /** What PostgreSQL says the relation is: a keyless table is a Prisma view, but still a table here. */
  relationKind: Catalog['relations'][number]['kind']
  /** Row-level security is on: a row another refers to may be invisible to the caller. */
  rowSecurity: boolean
  /** Each scalar field's column: its name, its type as format_type() prints it (for casts),
   *  whether only PostgreSQL writes it (generated, or identity ALWAYS), and whether it is NOT NULL
   *  (the catalog's word: Prisma marks every list field required, even a nullable array). */
  columns: Map<string, { name: string; type: string; generatedAlways: boolean; notNull: boolean }>
  /** Each relation field's join: these fields of this model equal those fields of the target. */
  joins: Map<string, { from: string[]; to: string[] }>
}

export interface Datamodel {
  models: Map<string, ModelInfo>
  /** Each enum's values: GraphQL name -> the label stored in the database (`PG_13` -> `PG-13`). */
  enums: Map<string, Map<string, string>>
  raw: PothosPrismaDatamodel
}

export function describeDatamodel(raw: PothosPrismaDatamodel, prismaSchema: string, catalog: Catalog): Datamodel {
  const ast = parsePrismaSchema(prismaSchema)
  const astBlocks = new Map(blocks(ast).map((b) => [b.name, b]))
  const views = new Set(blocks(ast).filter((b) => b.type === 'view').map((b) => b.name))
  const native = new Map<string, Map<string, string>>()
  for (const block of blocks(ast)) {
    const types = new Map<string, string>()
    for (const field of astFields(block)) {
      const db = field.attributes?.find((a) => a.group === 'db')
      const readAsText = TEMPORAL_COMMENT.exec(field.comment ?? '')?.[1] ?? TEXT_READ_COMMENT.exec(field.comment ?? '')?.[1]
      if (db) types.set(field.name, db.name)
      else if (readAsText) types.set(field.name, readAsText)
    }
    native.set(block.name, types)
  }
  const models = new Map<string, ModelInfo>()
  for (const [name, model] of Object.entries(raw.datamodel.models)) {
    const key = keyOf(model)
    const block = astBlocks.get(name)!
    const table = dbNameOf(block)
    const catalogColumns = new Map(catalog.byName.get(`${table.schema}.${table.name}`)?.columns.map((c) => [c.name, c]))
    const columns = new Map<string, { name: string; type: string; generatedAlways: boolean; notNull: boolean }>()
    const joins = new Map<string, { from: string[]; to: string[] }>()
    for (const field of astFields(block)) {
      const column = dbFieldNameOf(field)
      const found = catalogColumns.get(column)
      if (found) columns.set(field.name, { name: column, type: found.type, generatedAlways: found.generatedAlways, notNull: found.notNull })
    }
    models.set(name, {
      name,
      description: model.documentation,
      isView: views.has(name),
      key,
      keyName: key.length ? key.join('_') : undefined,
      scalars: model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum'),
      relations: model.fields.filter((f) => f.kind === 'object'),
      nativeTypes: native.get(name) ?? new Map(),
      table,
      relationKind: catalog.byName.get(`${table.schema}.${table.name}`)?.kind ?? 'view',
      rowSecurity: catalog.byName.get(`${table.schema}.${table.name}`)?.rowSecurity ?? false,
      columns,
      joins,
      uniques: [...model.fields.filter((f) => f.isUnique).map((f) => [f.name]), ...model.uniqueIndexes.map((u) => [...u.fields])],
    })
  }
  // Joins need both sides: a back-relation (`film.inventories`) has no `fields:` of its own.
  for (const [name, info] of models) {
    const block = astBlocks.get(name)!
    for (const relation of info.relations) {
      const own = relationFields(astFields(block).find((f) => f.name === relation.name)!)
      if (own) info.joins.set(relation.name, own)
      else {
        const inverse = inverseRelation({ models, enums: new Map(), raw }, name, relation)
        const other = inverse && relationFields(astFields(astBlocks.get(relation.type)!).find((f) => f.name === inverse.name)!)
        if (other) info.joins.set(relation.name, { from: other.to, to: other.from })
      }
    }
  }
  const enumValues = new Map(
    enums(ast).map((e) => [
      e.name,
      new Map(
        e.enumerators
          .filter((x) => x.type === 'enumerator')
          .map((x) => [x.name, stringArgument(x.attributes?.find((a) => a.name === 'map')) ?? x.name] as const),
      ),
    ]),
  )
  return { models, enums: enumValues, raw }
}

/** `@relation(fields: [a], references: [b])` -> { from: [a], to: [b] }; undefined on the side without fields. */
function relationFields(field: Field): { from: string[]; to: string[] } | undefined {
  const list = (key: string) => {
    for (const arg of fieldAttribute(field, 'relation')?.args ?? []) {
      const value = arg.value as { type?: string; key?: string; value?: { type?: string; args?: unknown[] } }
      if (value?.type === 'keyValue' && value.key === key && value.value?.type === 'array') return value.value.args!.map(String)
    }
    return undefined
  }
  const from = list('fields')
  const to = list('references')
  return from && to ? { from, to } : undefined
}

/** Primary key, else the first unique index over required fields: what identifies a row. */
function keyOf(model: PothosPrismaDatamodel['datamodel']['models'][string]): string[] {
  if (model.primaryKey) return [...model.primaryKey.fields]
  const id = model.fields.find((f) => f.isId)
  if (id) return [id.name]
  const required = (names: readonly string[]) => names.every((n) => model.fields.find((f) => f.name === n)?.isRequired)
  const unique = model.fields.find((f) => f.isUnique && f.isRequired)
  if (unique) return [unique.name]
  const index = model.uniqueIndexes.find((u) => required(u.fields))
  return index ? [...index.fields] : []
}

/** The relation on the other side of `field` (same relation name, the other model). */
export function inverseRelation(datamodel: Datamodel, model: string, field: DMMFField): DMMFField | undefined {
  const target = datamodel.models.get(field.type)
  return target?.relations.find((r) => r.relationName === field.relationName && (r.name !== field.name || model !== field.type))
}

/**
 * Columns read as text whose text has no useful order or equality for filters (tsvector, geometric
 * types, macaddr): they are served, but not filtered or ordered on.
 */
export function isOpaqueText(model: ModelInfo, field: DMMFField): boolean {
  const native = model.nativeTypes.get(field.name)
  return native !== undefined && native !== 'interval' && TEXT_READ_TYPES.includes(native)
}
