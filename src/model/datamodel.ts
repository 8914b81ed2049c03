/**
 * Portico's view of the Prisma datamodel: what the GraphQL layer needs to know about each model
 * (its key, its cursor, its relations, native column types, whether it is a read-only view),
 * derived once from the Pothos datamodel and the schema.prisma text.
 */
import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma'
import type { Catalog, CatalogColumn, CatalogRelation } from '../introspect/catalog.js'
import { tagText } from '../introspect/smart-tags.js'
import { TEMPORAL_COMMENT } from './exact-temporal.js'
import { TEXT_READ_COMMENT } from './text-read-types.js'
import { addCatalogRelations } from './catalog-relations.js'
import { omittedActions, type OmitAction } from './omit.js'
import { uniqueKeysOf } from './unique-keys.js'
import { leftOutColumns, type LeftOutColumn } from './left-out.js'
import { computedFieldsByModel, describeFunctions, type FunctionInfo, type LeftOutFunction } from './functions.js'
import { blocks, dbFieldNameOf, dbNameOf, enumDbNameOf, enums, fields as astFields, parsePrismaSchema, relationKeyValue, stringArgument, type Field } from './prisma-ast.js'

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
  /** Every unique key but the primary key (unique constraints and indexes, declared `@unique`s), by field names. */
  uniques: string[][]
  /** Root lookups besides the key's: `customerByEmail(email:)`, one per unique key not omitted. */
  lookups: { fields: string[]; name: string }[]
  /** Where the rows live, for the SQL the planner writes. */
  table: { schema: string; name: string }
  /** What PostgreSQL says the relation is: a keyless table is a Prisma view, but still a table here. */
  relationKind: Catalog['relations'][number]['kind']
  /** Row-level security is on: a row another refers to may be invisible to the caller. */
  rowSecurity: boolean
  /** Each scalar field's column: its name, its type as format_type() prints it (for casts), and
   *  whether only PostgreSQL writes it (generated, or identity ALWAYS); whether it is NOT NULL (or
   *  its domain is); for a tsvector column, the text search configuration its searches use (none:
   *  PostgreSQL's default_text_search_config). */
  columns: Map<string, { name: string; type: string; generatedAlways: boolean; notNull: boolean; textSearchConfig?: string }>
  /** The other way round: each served column's field (`language_id` -> `languageId`). */
  fieldByColumn: Map<string, string>
  /** Each relation field's join: these fields of this model equal those fields of the target. */
  joins: Map<string, { from: string[]; to: string[] }>
  /**
   * Relations Prisma does not know (foreign keys of keyless tables, `@foreignKey`s declared on
   * views): read by the planner like any other, but no nested writes go through them.
   */
  readOnlyRelations: Set<string>
  /** Fields served as PostgreSQL's text of a type Prisma does not support (./text-read-types.ts). */
  readAsText: Set<string>
  /** What `@omit` takes away from the whole type (create, update, delete, filter, order, aggregate). */
  omitted: Set<OmitAction>
  /** What `@omit` takes away from each column's field. */
  omittedFields: Map<string, Set<OmitAction>>
  /** `@deprecated reason` of the type's fields (columns and relations). */
  deprecated: Map<string, string>
  /** `@cacheTtl 30` on the table or view: how long the response cache keeps answers that read it. */
  cacheTtlSeconds?: number
  /** `@deprecated reason` of the table or view: its root fields are deprecated. */
  deprecation?: string
}

export interface Datamodel {
  models: Map<string, ModelInfo>
  /** Each enum's values: GraphQL name -> the label stored in the database (`PG_13` -> `PG-13`). */
  enums: Map<string, Map<string, string>>
  raw: PothosPrismaDatamodel
  /** Columns of the exposed schemas the API does not serve (none but those @omit hides, normally). */
  leftOut: LeftOutColumn[]
  /** The functions the API serves: root queries, mutations and computed fields (./functions.ts). */
  functions: FunctionInfo[]
  /** Each model's computed fields, by field name. */
  computed: Map<string, Map<string, FunctionInfo>>
  /** Functions of the exposed schemas the API does not serve, and why (logged at start). */
  leftOutFunctions: LeftOutFunction[]
}

/** `textSearchConfig`: the configured default for full-text search (a column's `@textSearchConfig` wins). */
export function describeDatamodel(raw: PothosPrismaDatamodel, prismaSchema: string, catalog: Catalog, options: { textSearchConfig?: string } = {}): Datamodel {
  const ast = parsePrismaSchema(prismaSchema)
  const astBlocks = new Map(blocks(ast).map((b) => [b.name, b]))
  const views = new Set(blocks(ast).filter((b) => b.type === 'view').map((b) => b.name))
  const native = new Map<string, Map<string, string>>()
  const textRead = new Map<string, Set<string>>()
  for (const block of blocks(ast)) {
    const types = new Map<string, string>()
    const asText = new Set<string>()
    for (const field of astFields(block)) {
      const db = field.attributes?.find((a) => a.group === 'db')
      const unsupported = TEXT_READ_COMMENT.exec(field.comment ?? '')?.[1]
      const readAsText = TEMPORAL_COMMENT.exec(field.comment ?? '')?.[1] ?? unsupported
      if (db) types.set(field.name, db.name)
      else if (readAsText) types.set(field.name, readAsText)
      if (unsupported) asText.add(field.name)
    }
    native.set(block.name, types)
    textRead.set(block.name, asText)
  }
  const models = new Map<string, ModelInfo>()
  const catalogRelations = new Map<string, CatalogRelation>()
  for (const [name, model] of Object.entries(raw.datamodel.models)) {
    const key = keyOf(model)
    const block = astBlocks.get(name)!
    const table = dbNameOf(block)
    const relation = catalog.byName.get(`${table.schema}.${table.name}`)
    const catalogColumns = new Map(relation?.columns.map((c) => [c.name, c]))
    const columns: ModelInfo['columns'] = new Map()
    const joins = new Map<string, { from: string[]; to: string[] }>()
    for (const field of astFields(block)) {
      const column = dbFieldNameOf(field)
      const found = catalogColumns.get(column)
      if (found) {
        columns.set(field.name, { name: column, type: found.type, generatedAlways: found.generatedAlways, notNull: found.notNull, ...textSearchOf(found, options.textSearchConfig) })
      }
    }
    const qualified = `${table.schema}.${table.name}`
    const fieldByColumn = new Map([...columns].map(([field, c]) => [c.name, field]))
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
      relationKind: relation?.kind ?? 'view',
      rowSecurity: relation?.rowSecurity ?? false,
      columns,
      fieldByColumn,
      joins,
      uniques: [],
      lookups: [],
      readOnlyRelations: new Set(),
      readAsText: textRead.get(name) ?? new Set(),
      omitted: omittedActions(relation?.tags, qualified),
      omittedFields: new Map(relation?.columns.filter((c) => fieldByColumn.has(c.name)).map((c) => [fieldByColumn.get(c.name)!, omittedActions(c.tags, `${qualified}.${c.name}`)])),
      deprecation: tagText(relation?.tags, 'deprecated'),
      cacheTtlSeconds: cacheTtlOf(relation?.tags),
      deprecated: new Map(relation?.columns.filter((c) => fieldByColumn.has(c.name) && c.tags.deprecated).map((c) => [fieldByColumn.get(c.name)!, tagText(c.tags, 'deprecated') ?? 'No longer supported.'])),
    })
    if (relation) catalogRelations.set(name, relation)
  }
  // Joins need both sides: a back-relation (`film.inventories`) has no `fields:` of its own.
  for (const [name, info] of models) {
    const block = astBlocks.get(name)!
    for (const relation of info.relations) {
      const own = relationFields(astFields(block).find((f) => f.name === relation.name)!)
      if (own) info.joins.set(relation.name, own)
      else {
        const inverse = inverseRelation({ models }, name, relation)
        const other = inverse && relationFields(astFields(astBlocks.get(relation.type)!).find((f) => f.name === inverse.name)!)
        if (other) info.joins.set(relation.name, { from: other.to, to: other.from })
      }
    }
  }
  for (const [name, info] of models) {
    const relation = catalogRelations.get(name)
    if (!relation) continue
    const keys = uniqueKeysOf(info, relation)
    info.uniques = keys.map((k) => k.fields)
    info.lookups = keys.filter((k) => k.lookup).map((k) => ({ fields: k.fields, name: k.lookup! }))
  }
  addCatalogRelations(models, catalogRelations)
  deprecateRelations(models, catalogRelations)
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
  const enumNames = new Map(enums(ast).map((e) => [`${enumDbNameOf(e).schema}.${enumDbNameOf(e).name}`, e.name]))
  const functions = describeFunctions(catalog.functions ?? [], models.values(), enumNames)
  return {
    models,
    enums: enumValues,
    raw,
    leftOut: leftOutColumns(models.values(), catalog),
    functions: functions.functions,
    computed: computedFieldsByModel(functions.functions),
    leftOutFunctions: functions.leftOut,
  }
}

/** `@deprecated reason` on a foreign key deprecates the relation, both sides. */
function deprecateRelations(models: Map<string, ModelInfo>, relations: Map<string, CatalogRelation>): void {
  for (const [name, model] of models) {
    const keys = relations.get(name)?.foreignKeys ?? []
    for (const relation of model.relations.filter((r) => r.relationFromFields?.length)) {
      const columns = model.joins.get(relation.name)?.from.map((f) => model.columns.get(f)?.name)
      const reason = tagText(keys.find((k) => k.columns.join() === columns?.join())?.tags, 'deprecated')
      if (!reason) continue
      model.deprecated.set(relation.name, reason)
      const inverse = inverseRelation({ models }, name, relation)
      if (inverse) models.get(relation.type)?.deprecated.set(inverse.name, reason)
    }
  }
}

/** `@relation(fields: [a], references: [b])` -> { from: [a], to: [b] }; undefined on the side without fields. */
function relationFields(field: Field): { from: string[]; to: string[] } | undefined {
  const from = relationKeyValue(field, 'fields')
  const to = relationKeyValue(field, 'references')
  return from && to ? { from, to } : undefined
}

/** A tsvector column's text search configuration: its `@textSearchConfig` smart tag, else the default. */
function textSearchOf(column: CatalogColumn, fallback: string | undefined): { textSearchConfig?: string } {
  if (column.type !== 'tsvector') return {}
  const config = tagText(column.tags, 'textSearchConfig') ?? fallback
  return config ? { textSearchConfig: config } : {}
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
export function inverseRelation(datamodel: Pick<Datamodel, 'models'>, model: string, field: DMMFField): DMMFField | undefined {
  const target = datamodel.models.get(field.type)
  return target?.relations.find((r) => r.relationName === field.relationName && (r.name !== field.name || model !== field.type))
}

/**
 * Columns read as text whose text has no useful order or equality for filters (tsvector, geometric
 * types, macaddr): they are served, but not filtered or ordered on.
 */
export function isOpaqueText(model: ModelInfo, field: DMMFField): boolean {
  return model.readAsText.has(field.name) && model.nativeTypes.get(field.name) !== 'interval'
}

/** The field is served and `@omit` does not take `action` away from it (or from its whole type). */
export function allows(model: ModelInfo, field: string | undefined, action: OmitAction): boolean {
  if (model.omitted.has(action)) return false
  return field === undefined || !model.omittedFields.get(field)?.has(action)
}

/** `@cacheTtl 30`: seconds (a whole number, 0 for "never cache"); anything else is ignored. */
function cacheTtlOf(tags: Parameters<typeof tagText>[0]): number | undefined {
  const text = tagText(tags, 'cacheTtl')
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined
}
