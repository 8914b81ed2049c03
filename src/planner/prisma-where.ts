/**
 * GraphQL arguments -> Prisma `where` objects, for the writes (../schema/mutation-fields.ts); reads
 * compile their `where` to SQL themselves (./compile-where.ts).
 *
 * `<Type>Filter` -> Prisma `where` is almost a copy, as the filters are shaped like Prisma's. The
 * differences: `isNull` (Prisma spells it `equals: null` / `not: null`, `is: null` on a relation)
 * and `mode`, whose GraphQL enum already has Prisma's values. Enum values stay GraphQL names:
 * those are the Prisma enum names, and Prisma maps them to the database's labels itself.
 *
 * `<Type>WhereUniqueInput` is flat (`{ actorId: 1, filmId: 2 }`, `{ email: "a@b.c" }`); Prisma
 * wants a compound key under its name (`{ actorId_filmId: { actorId: 1, filmId: 2 } }`).
 */
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { checkWellFormed } from './well-formed-text.js'
import { badInput } from './client-errors.js'

type Input = Record<string, unknown>
export type PrismaWhere = Record<string, unknown>

export function toPrismaWhere(datamodel: Datamodel, model: ModelInfo, input: Input | null | undefined): PrismaWhere {
  if (!input) return {}
  checkWellFormed(input)
  const conditions: PrismaWhere[] = []
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue
    if (key === 'AND' || key === 'OR') {
      conditions.push({ [key]: (value as Input[]).map((item) => toPrismaWhere(datamodel, model, item)) })
    } else if (key === 'NOT') {
      conditions.push({ NOT: toPrismaWhere(datamodel, model, value as Input) })
    } else {
      const relation = model.relations.find((r) => r.name === key)
      // Prisma knows nothing of functions: a write's filter cannot mean what the read's does.
      if (datamodel.computed.get(model.name)?.has(key)) throw badInput(`${model.name}.${key} is a computed field: a write's where cannot use it; read the rows' keys first`)
      if (relation) conditions.push(...relationConditions(datamodel, relation.type, relation.isList, relation.isRequired, key, value as Input))
      else {
        checkPrismaCanFilter(model, key, value as Input)
        conditions.push(...scalarConditions(model.scalars.find((f) => f.name === key), key, value as Input))
      }
    }
  }
  if (conditions.length === 0) return {}
  return conditions.length === 1 ? conditions[0]! : { AND: conditions }
}

/**
 * JSON filters beyond `equals`/`not` (paths, containment, keys, JSON's isNull) and full-text
 * `matches` have no Prisma equivalent that means exactly what the reads' SQL means: refused
 * in a write's `where`, rather than matching other rows than a read with the same filter.
 */
function checkPrismaCanFilter(model: ModelInfo, field: string, filter: Input): void {
  const type = model.columns.get(field)?.type
  if (type !== 'json' && type !== 'jsonb' && type !== 'tsvector') return
  const allowed = type === 'tsvector' ? ['isNull'] : ['equals', 'not']
  const refused = Object.keys(filter).find((op) => filter[op] != null && !allowed.includes(op))
  if (refused) {
    const takes = type === 'tsvector' ? 'only isNull on a tsvector column' : 'only equals and not on a JSON column'
    throw badInput(`${field}.${refused}: the where of updateMany and deleteMany takes ${takes}; read the keys with a query first, then write by key.`)
  }
}

/** Prisma's way to match no row. */
const NOTHING: PrismaWhere = { OR: [] }

/**
 * `isNull` as Prisma can take it: Prisma refuses a null operand on a field it knows is never null,
 * and has no `not` on lists, so a required field's `isNull: true` matches nothing and `false`
 * everything (as the reads' SQL does), and a list's `false` is NOT `equals: null`.
 */
function scalarConditions(scalar: { isRequired: boolean; isList: boolean } | undefined, field: string, filter: Input): PrismaWhere[] {
  const conditions: PrismaWhere[] = []
  const { isNull, mode, ...ops } = filter
  const neverNull = scalar?.isRequired === true && !scalar.isList
  if (isNull === true) conditions.push(neverNull ? NOTHING : { [field]: { equals: null } })
  if (isNull === false && !neverNull) conditions.push(scalar?.isList ? { NOT: { [field]: { equals: null } } } : { [field]: { not: null } })
  const present = Object.fromEntries(Object.entries(ops).filter(([, v]) => v !== undefined && v !== null))
  // A list filter takes exactly one operation in Prisma (`has` and `equals` are two conditions).
  if (scalar?.isList) for (const [op, v] of Object.entries(present)) conditions.push({ [field]: { [op]: v } })
  else if (Object.keys(present).length) conditions.push({ [field]: mode ? { ...present, mode } : present })
  return conditions
}

function relationConditions(datamodel: Datamodel, targetName: string, isList: boolean, isRequired: boolean, field: string, filter: Input): PrismaWhere[] {
  const target = datamodel.models.get(targetName)!
  const conditions: PrismaWhere[] = []
  const nested = (value: unknown) => toPrismaWhere(datamodel, target, value as Input)
  if (isList) {
    for (const op of ['some', 'every', 'none'] as const) {
      if (filter[op]) conditions.push({ [field]: { [op]: nested(filter[op]) } })
    }
  } else {
    if (filter.is) conditions.push({ [field]: { is: nested(filter.is) } })
    if (filter.isNot) conditions.push({ [field]: { isNot: nested(filter.isNot) } })
    // A required relation always has its row: Prisma refuses `is: null` on it.
    if (filter.isNull === true) conditions.push(isRequired ? NOTHING : { [field]: { is: null } })
    if (filter.isNull === false && !isRequired) conditions.push({ [field]: { isNot: null } })
  }
  return conditions
}

/** The key, then each unique key over scalar fields: what a `<Type>WhereUniqueInput` may give. */
export function uniqueKeys(model: ModelInfo): string[][] {
  const keys: string[][] = model.key.length ? [model.key] : []
  for (const unique of model.uniques) {
    if (!keys.some((k) => k.length === unique.length && k.every((f) => unique.includes(f)))) keys.push(unique)
  }
  return keys
}

/**
 * Flat unique input -> Prisma's unique `where`: the first key whose fields are all given (the
 * primary key first), compound keys under Prisma's name for them; other fields given are extra
 * conditions, which Prisma allows beside a unique key. Undefined when no key is complete.
 */
export function toPrismaWhereUnique(datamodel: Datamodel, model: ModelInfo, input: Input): PrismaWhere | undefined {
  const given = (field: string) => input[field] !== undefined && input[field] !== null
  const key = uniqueKeys(model).find((fields) => fields.every(given))
  if (!key) return undefined
  const rest = Object.fromEntries(Object.entries(input).filter(([field, value]) => !key.includes(field) && value != null))
  if (key.length === 1) return { [key[0]!]: input[key[0]!], ...rest }
  const values = Object.fromEntries(key.map((field) => [field, input[field]]))
  return { [compoundName(datamodel, model, key)]: values, ...rest }
}

/** Prisma's name for a compound unique: its `name:` if it has one, else the fields joined by `_`. */
function compoundName(datamodel: Datamodel, model: ModelInfo, fields: string[]): string {
  const raw = datamodel.raw.datamodel.models[model.name]
  const same = (names: readonly string[]) => names.length === fields.length && names.every((n, i) => n === fields[i])
  if (raw?.primaryKey && same(raw.primaryKey.fields)) return raw.primaryKey.name || fields.join('_')
  const unique = raw?.uniqueIndexes.find((u) => same(u.fields))
  return unique?.name || fields.join('_')
}
