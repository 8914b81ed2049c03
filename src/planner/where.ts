/**
 * GraphQL `where` input -> Prisma `where`. Almost a copy: the inputs are shaped like Prisma's.
 * The differences: `isNull` (Prisma spells it `equals: null` / `not: null`), `not` meaning SQL's
 * `<>`, and `mode` for case-insensitive text.
 */
import type { Datamodel, ModelInfo } from '../model/datamodel.js'

type Input = Record<string, unknown>
type Where = Record<string, unknown>

export function toPrismaWhere(datamodel: Datamodel, model: ModelInfo, input: Input | null | undefined): Where | undefined {
  if (!input) return undefined
  const conditions: Where[] = []
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue
    if (key === 'AND' || key === 'OR') {
      conditions.push({ [key]: (value as Input[]).map((item) => toPrismaWhere(datamodel, model, item) ?? {}) })
    } else if (key === 'NOT') {
      conditions.push({ NOT: toPrismaWhere(datamodel, model, value as Input) ?? {} })
    } else {
      const relation = model.relations.find((r) => r.name === key)
      if (relation) conditions.push(...relationConditions(datamodel, relation.type, relation.isList, key, value as Input))
      else conditions.push(...scalarConditions(key, value as Input))
    }
  }
  if (conditions.length === 0) return undefined
  return conditions.length === 1 ? conditions[0] : { AND: conditions }
}

function scalarConditions(field: string, filter: Input): Where[] {
  const conditions: Where[] = []
  const { isNull, mode, ...ops } = filter
  if (isNull === true) conditions.push({ [field]: null })
  if (isNull === false) conditions.push({ [field]: { not: null } })
  const present = Object.fromEntries(Object.entries(ops).filter(([, v]) => v !== undefined && v !== null))
  if (Object.keys(present).length) conditions.push({ [field]: mode ? { ...present, mode } : present })
  return conditions
}

function relationConditions(datamodel: Datamodel, targetName: string, isList: boolean, field: string, filter: Input): Where[] {
  const target = datamodel.models.get(targetName)!
  const conditions: Where[] = []
  const nested = (value: unknown) => toPrismaWhere(datamodel, target, value as Input) ?? {}
  if (isList) {
    for (const op of ['some', 'every', 'none'] as const) {
      if (filter[op]) conditions.push({ [field]: { [op]: nested(filter[op]) } })
    }
  } else {
    if (filter.is) conditions.push({ [field]: { is: nested(filter.is) } })
    if (filter.isNot) conditions.push({ [field]: { isNot: nested(filter.isNot) } })
    if (filter.isNull === true) conditions.push({ [field]: { is: null } })
    if (filter.isNull === false) conditions.push({ [field]: { isNot: null } })
  }
  return conditions
}
