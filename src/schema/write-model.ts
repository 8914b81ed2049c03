/**
 * What can be written to a model, worked out once and shared by the input types
 * (./mutation-inputs.ts) and the conversion of their values into Prisma's arguments
 * (./mutation-data.ts), so the two never disagree about a field.
 */
import { inverseRelation, type DMMFField, type ModelInfo } from '../model/datamodel.js'
import { manyToManyFieldName, manyToManyPaths, type JoinPath } from './many-to-many.js'
import type { SchemaContext } from './schema-context.js'

type Ctx = Pick<SchemaContext, 'datamodel'>

/** A relation a nested write can go through. */
export interface WriteRelation {
  field: DMMFField
  target: ModelInfo
  /** The same relation seen from the target (`post.personByAuthor` <-> `person.posts`). */
  inverse: DMMFField
  /** This side holds the foreign key (`post.personByAuthor`); the other side lists or points back. */
  owning: boolean
}

/** A many-to-many shortcut (`film.actors`) through which rows can be linked and unlinked. */
export interface WriteShortcut {
  name: string
  path: JoinPath
}

/** Keyed tables get every mutation; views (and keyless tables, which Prisma models as views) none. */
export function isWritable(model: ModelInfo): boolean {
  return !model.isView && model.key.length > 0
}

/** Relations to writable models, with both sides known. */
export function writeRelations(ctx: Ctx, model: ModelInfo): WriteRelation[] {
  const relations: WriteRelation[] = []
  // Relations Prisma does not know (../model/catalog-relations.ts) are read-only.
  for (const field of model.relations.filter((r) => !model.readOnlyRelations.has(r.name))) {
    const target = ctx.datamodel.models.get(field.type)
    const inverse = target && inverseRelation(ctx.datamodel, model.name, field)
    if (!target || !inverse || !isWritable(target)) continue
    relations.push({ field, target, inverse, owning: (field.relationFromFields?.length ?? 0) > 0 })
  }
  return relations
}

/**
 * Many-to-many shortcuts named as the object type names them (./many-to-many.ts), kept only when
 * a join row needs nothing but its two foreign keys (its other columns have defaults).
 */
export function writeShortcuts(ctx: Ctx, model: ModelInfo): WriteShortcut[] {
  const taken = new Set([...model.scalars.map((f) => f.name), ...model.relations.filter((r) => ctx.datamodel.models.has(r.type)).map((r) => r.name)])
  const shortcuts: WriteShortcut[] = []
  for (const path of manyToManyPaths(ctx, model)) {
    const name = manyToManyFieldName(path, taken)
    taken.add(name)
    const keys = new Set(path.join.key)
    const simple = path.join.scalars.every((f) => keys.has(f.name) || !f.isRequired || f.hasDefaultValue)
    if (isWritable(path.join) && isWritable(path.far) && simple) shortcuts.push({ name, path })
  }
  return shortcuts
}

/** The foreign-key fields of each to-one relation this model owns. */
export function foreignKeyFields(model: ModelInfo): Set<string> {
  return new Set(model.relations.flatMap((r) => (r.isList ? [] : [...(r.relationFromFields ?? [])])))
}

/**
 * A nested create under `without` (the relation it is reached through, seen from this model)
 * leaves out that relation and the foreign key it sets: Prisma fills them in.
 */
export function excludedFields(without: DMMFField | undefined): Set<string> {
  return new Set(without ? [without.name, ...(without.relationFromFields ?? [])] : [])
}

