/**
 * Fields that extensions add (../schema/extend.ts) are marked on their `extensions`; their
 * resolvers run in Node. What an extension field on a generated type reads from its row: the plugin-prisma `select`
 * (`{ title: true, language: { select: { name: true } }, _count: { select: { rentals: true } } }`),
 * or, with none, every column. The planner reads it in the operation's own statement, under a
 * hidden key of the row's JSON (ROW_KEY: no GraphQL alias can be written so), and the field's
 * resolver gets it as the parent (../schema/prisma-row.ts), by Prisma field names.
 */
import type { GraphQLField } from 'graphql'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'

export const ROW_KEY = '@row'

/** The mark on every field an extension added (root fields included). */
export const extensionMark = () => ({ porticoExtension: true })

export function isExtensionField(def: Pick<GraphQLField<unknown, unknown>, 'extensions'>): boolean {
  return (def.extensions as { porticoExtension?: boolean } | undefined)?.porticoExtension === true
}

/** A select normalised: which columns, which relations (each its own selection), which relation counts. */
export interface RowSelection {
  scalars: 'all' | Set<string>
  relations: Map<string, RowSelection>
  counts: Set<string>
}

/** Recorded on an extension field of a generated type (its `extensions`). */
export interface RowField {
  model: string
  selection: RowSelection
}

export const rowField = (field: RowField) => ({ porticoRow: field })

export function rowFieldOf(def: Pick<GraphQLField<unknown, unknown>, 'extensions'>): RowField | undefined {
  return (def.extensions as { porticoRow?: RowField } | undefined)?.porticoRow
}

const everything = (): RowSelection => ({ scalars: 'all', relations: new Map(), counts: new Set() })

/**
 * A plugin-prisma select (or include, or none) as a RowSelection of `model`, checked against
 * the model: a name that is neither a served column nor a relation is an error naming it.
 */
export function rowSelection(datamodel: Datamodel, model: ModelInfo, select: unknown, where: string): RowSelection {
  if (select === undefined || select === null || select === false || select === true) return everything()
  return fromSelect(datamodel, model, { select }, where)
}

function fromSelect(datamodel: Datamodel, model: ModelInfo, query: unknown, where: string): RowSelection {
  if (query === true) return everything()
  if (typeof query !== 'object' || query === null) throw new Error(`${where}: a selection must be true or { select: {...} }`)
  const { select, include, ...rest } = query as { select?: unknown; include?: unknown }
  const extra = Object.keys(rest)
  if (extra.length) throw new Error(`${where}: ${extra.join(', ')} in a select is not supported (only select and include); filter in the resolver`)
  if (select !== undefined && include !== undefined) throw new Error(`${where}: give select or include, not both`)
  const selection: RowSelection = { scalars: select === undefined ? 'all' : new Set(), relations: new Map(), counts: new Set() }
  const entries = (select ?? include ?? {}) as Record<string, unknown>
  if (typeof entries !== 'object' || entries === null) throw new Error(`${where}: select must be an object`)
  for (const [name, value] of Object.entries(entries)) {
    if (value === false || value === undefined) continue
    if (name === '_count') {
      const counted = value === true ? model.relations.filter((r) => r.isList).map((r) => r.name) : Object.keys(((value as { select?: object }).select ?? {}) as object)
      for (const relation of counted) {
        const field = model.relations.find((r) => r.name === relation)
        if (!field?.isList || !datamodel.models.has(field.type)) throw new Error(`${where}: _count of ${relation}, which is not a to-many relation of ${model.name}`)
        selection.counts.add(relation)
      }
      continue
    }
    const relation = model.relations.find((r) => r.name === name)
    if (relation) {
      const target = datamodel.models.get(relation.type)
      if (!target) throw new Error(`${where}: ${model.name}.${name} leads to a type that is not served`)
      selection.relations.set(name, merge(selection.relations.get(name), fromSelect(datamodel, target, value, `${where} (${name})`)))
      continue
    }
    if (!model.scalars.some((s) => s.name === name)) throw new Error(`${where}: ${model.name} has no field ${name} to select`)
    if (value !== true) throw new Error(`${where}: the column ${name} is selected with true`)
    if (selection.scalars !== 'all') selection.scalars.add(name)
  }
  return selection
}

/** Everything two selections read. */
export function merge(a: RowSelection | undefined, b: RowSelection): RowSelection {
  if (!a) return b
  const relations = new Map(a.relations)
  for (const [name, nested] of b.relations) relations.set(name, merge(relations.get(name), nested))
  return {
    scalars: a.scalars === 'all' || b.scalars === 'all' ? 'all' : new Set([...a.scalars, ...b.scalars]),
    relations,
    counts: new Set([...a.counts, ...b.counts]),
  }
}
