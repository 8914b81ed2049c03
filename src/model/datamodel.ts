/**
 * Portico's view of the Prisma datamodel: what the GraphQL layer needs to know about each model
 * (its key, its cursor, its relations, native column types, whether it is a read-only view),
 * derived once from the Pothos datamodel and the schema.prisma text.
 */
import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma'
import { TEMPORAL_COMMENT } from './exact-temporal.js'
import { TEXT_READ_COMMENT, TEXT_READ_TYPES } from './text-read-types.js'
import { blocks, enums, fields as astFields, parsePrismaSchema } from './prisma-ast.js'

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
  /** Digits after the point of each `numeric(p, s)` field, so values print as PostgreSQL does. */
  decimalScales: Map<string, number>
}

export interface Datamodel {
  models: Map<string, ModelInfo>
  enums: Map<string, string[]>
  raw: PothosPrismaDatamodel
}

export function describeDatamodel(raw: PothosPrismaDatamodel, prismaSchema: string): Datamodel {
  const ast = parsePrismaSchema(prismaSchema)
  const views = new Set(blocks(ast).filter((b) => b.type === 'view').map((b) => b.name))
  const native = new Map<string, Map<string, string>>()
  const scales = new Map<string, Map<string, number>>()
  for (const block of blocks(ast)) {
    const types = new Map<string, string>()
    const blockScales = new Map<string, number>()
    for (const field of astFields(block)) {
      const db = field.attributes?.find((a) => a.group === 'db')
      const readAsText = TEMPORAL_COMMENT.exec(field.comment ?? '')?.[1] ?? TEXT_READ_COMMENT.exec(field.comment ?? '')?.[1]
      if (db) types.set(field.name, db.name)
      else if (readAsText) types.set(field.name, readAsText)
      const scale = db?.name === 'Decimal' ? Number(db.args?.[1]?.value) : NaN
      if (Number.isInteger(scale)) blockScales.set(field.name, scale)
    }
    native.set(block.name, types)
    scales.set(block.name, blockScales)
  }
  const models = new Map<string, ModelInfo>()
  for (const [name, model] of Object.entries(raw.datamodel.models)) {
    const key = keyOf(model)
    models.set(name, {
      name,
      description: model.documentation,
      isView: views.has(name),
      key,
      keyName: key.length ? key.join('_') : undefined,
      scalars: model.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum'),
      relations: model.fields.filter((f) => f.kind === 'object'),
      nativeTypes: native.get(name) ?? new Map(),
      decimalScales: scales.get(name) ?? new Map(),
    })
  }
  const enumValues = new Map(
    enums(ast).map((e) => [e.name, e.enumerators.filter((x) => x.type === 'enumerator').map((x) => (x as { name: string }).name)]),
  )
  return { models, enums: enumValues, raw }
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
