/**
 * `where` inputs, shaped like Prisma's in GraphQL style:
 *   where: { device: { equals: "house" }, power: { gt: 100 }, OR: [...], film: { is: {...} } }
 * One filter input per scalar type, one `<Type>Filter` per model with its relations.
 * ../planner/compile-where.ts turns them into SQL.
 */
import type { Builder } from './builder.js'
import { allows, isOpaqueText, type Datamodel, type ModelInfo } from '../model/datamodel.js'
import { derivedTypeName, scalarFilterTypeName } from '../model/inflect.js'
import { graphqlScalarName } from './scalars.js'
import { createJsonFilter } from './json-filter.js'
import { createFullTextTypes, FULL_TEXT_FILTER, isFullText } from './full-text.js'

const COMPARABLE = ['equals', 'not', 'lt', 'lte', 'gt', 'gte'] as const
const TEXT = ['contains', 'startsWith', 'endsWith'] as const

export interface FilterTypes {
  /** The where input of each model, by model name. */
  where: Map<string, unknown>
}

export function createFilterTypes(builder: Builder, datamodel: Datamodel, enumRefs: Map<string, unknown>): FilterTypes {
  const made = new Set<string>()
  builder.enumType('QueryMode', {
    description: 'How text filters compare: DEFAULT is case-sensitive, INSENSITIVE ignores case.',
    values: { DEFAULT: { value: 'default' }, INSENSITIVE: { value: 'insensitive' } },
  })

  const scalarFilter = (type: string, list: boolean, ref: unknown) => {
    const name = scalarFilterTypeName(type, list)
    if (made.has(name)) return name
    made.add(name)
    if (type === 'JSON' && !list) return createJsonFilter(builder)
    builder.inputType(name, {
      description: `Conditions on a ${type}${list ? ' list' : ''} column; all given conditions must hold.`,
      fields: (t: Builder) => {
        if (list) {
          return {
            has: t.field({ type: ref, required: false, description: 'The list contains this value.' }),
            hasEvery: t.field({ type: [ref], required: false, description: 'The list contains all these values.' }),
            hasSome: t.field({ type: [ref], required: false, description: 'The list contains at least one of these values.' }),
            isEmpty: t.boolean({ required: false, description: 'The list is empty.' }),
            equals: t.field({ type: [ref], required: false }),
            isNull: t.boolean({ required: false, description: 'true: the column is NULL; false: it is not.' }),
          }
        }
        const fields: Record<string, unknown> = {}
        const ops: readonly string[] = type === 'Boolean' || type === 'Bytes' || enumRefs.has(type) ? ['equals', 'not'] : COMPARABLE
        for (const op of ops) fields[op] = t.field({ type: ref, required: false })
        if (type !== 'Boolean') {
          fields.in = t.field({ type: [ref], required: false, description: 'The value is one of these.' })
          fields.notIn = t.field({ type: [ref], required: false, description: 'The value is none of these.' })
        }
        if (type === 'String') {
          for (const op of TEXT) fields[op] = t.string({ required: false })
          fields.mode = t.field({ type: 'QueryMode', required: false, description: 'INSENSITIVE makes every text condition ignore case.' })
        }
        fields.isNull = t.boolean({ required: false, description: 'true: the column is NULL; false: it is not.' })
        return fields
      },
    })
    return name
  }

  // Only a schema with tsvector columns has full-text inputs.
  if ([...datamodel.models.values()].some((m) => m.scalars.some((f) => isFullText(m, f)))) createFullTextTypes(builder)
  const where = new Map<string, unknown>()
  const whereName = (model: ModelInfo) => derivedTypeName.filter(model.name)
  for (const model of datamodel.models.values()) {
    const name = whereName(model)
    where.set(model.name, name)
    builder.inputType(name, {
      description: `Conditions on ${model.name} rows; all given conditions must hold.`,
      fields: (t: Builder) => {
        const fields: Record<string, unknown> = {
          AND: t.field({ type: [name], required: false, description: 'All of these hold.' }),
          OR: t.field({ type: [name], required: false, description: 'At least one of these holds.' }),
          NOT: t.field({ type: name, required: false, description: 'This does not hold.' }),
        }
        // `@omit filter` on a column (or its table) keeps it out of `where`.
        const filterable = model.scalars.filter((f) => allows(model, f.name, 'filter'))
        for (const field of filterable.filter((f) => isFullText(model, f))) fields[field.name] = t.field({ type: FULL_TEXT_FILTER, required: false })
        for (const field of filterable.filter((f) => !isOpaqueText(model, f))) {
          const type = graphqlScalarName(field.type, model.nativeTypes.get(field.name))
          const ref = enumRefs.get(type) ?? type
          fields[field.name] = t.field({ type: scalarFilter(type, field.isList, ref), required: false })
        }
        // `@filterable` computed fields, as a column of their type (../model/functions.ts).
        for (const fn of datamodel.computed.get(model.name)?.values() ?? []) {
          if (!fn.filterable || (fn.returns.kind !== 'scalar' && fn.returns.kind !== 'array')) continue
          const scalar = fn.returns.kind === 'array' ? fn.returns.element : fn.returns
          const type = scalar.enum ?? graphqlScalarName(scalar.prismaType, scalar.native)
          fields[fn.field] = t.field({ type: scalarFilter(type, fn.returns.kind === 'array', enumRefs.get(type) ?? type), required: false, description: fn.description })
        }
        for (const relation of model.relations) {
          const target = datamodel.models.get(relation.type)
          if (!target || !allows(target, undefined, 'filter')) continue
          fields[relation.name] = t.field({ type: relationFilter(builder, made, target, relation.isList), required: false })
        }
        return fields
      },
    })
  }
  return { where }
}

function relationFilter(builder: Builder, made: Set<string>, target: ModelInfo, list: boolean): string {
  const name = derivedTypeName.relationFilter(target.name, list)
  if (made.has(name)) return name
  made.add(name)
  const where = derivedTypeName.filter(target.name)
  builder.inputType(name, {
    description: list ? `Conditions on related ${target.name} rows.` : `Conditions on the related ${target.name}.`,
    fields: (t: Builder) =>
      list
        ? {
            some: t.field({ type: where, required: false, description: 'At least one related row matches.' }),
            every: t.field({ type: where, required: false, description: 'Every related row matches.' }),
            none: t.field({ type: where, required: false, description: 'No related row matches.' }),
          }
        : {
            is: t.field({ type: where, required: false, description: 'The related row exists and matches.' }),
            isNot: t.field({ type: where, required: false, description: 'The related row does not match.' }),
            isNull: t.boolean({ required: false, description: 'true: there is no related row; false: there is one.' }),
          },
  })
  return name
}
