/**
 * The parent an extension field's resolver gets: the row data the planner read for it (under
 * ROW_KEY, ../planner/extension-fields.ts), by Prisma field names and in the values Prisma's
 * client would give: BigInt as bigint, Decimal as Prisma's Decimal, Bytes as a Uint8Array, JSON as
 * parsed; text-read types (timestamps, intervals, ...) as the strings the API serves. Converted once
 * per row, however many extension fields read it.
 */
import { Decimal } from '@prisma/client/runtime/client'
import type { GraphQLResolveInfo } from 'graphql'
import type { Datamodel, DMMFField, ModelInfo } from '../model/datamodel.js'
import { ROW_KEY } from '../planner/extension-fields.js'

const converted = new WeakMap<object, Record<string, unknown>>()

export function prismaRow(datamodel: Datamodel, model: ModelInfo, parent: unknown, info: GraphQLResolveInfo): Record<string, unknown> {
  const raw = typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)[ROW_KEY] : undefined
  if (typeof raw !== 'object' || raw === null) {
    // Only a parent the planner did not read (a resolver of an extension returning its own object) lands here.
    throw new Error(`${info.parentType.name}.${info.fieldName}: the parent row was not read by Portico's planner`)
  }
  let row = converted.get(raw)
  if (!row) converted.set(raw, (row = convertRow(datamodel, model, raw as Record<string, unknown>)))
  return row
}

function convertRow(datamodel: Datamodel, model: ModelInfo, raw: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(raw)) {
    const scalar = model.scalars.find((s) => s.name === name)
    if (scalar) {
      row[name] = value === null ? null : scalar.isList ? (value as unknown[]).map((v) => (v === null ? null : convertScalar(scalar, v))) : convertScalar(scalar, value)
      continue
    }
    const relation = model.relations.find((r) => r.name === name)
    const target = relation && datamodel.models.get(relation.type)
    if (target && value !== null && typeof value === 'object') {
      row[name] = Array.isArray(value) ? value.map((v) => convertRow(datamodel, target, v as Record<string, unknown>)) : convertRow(datamodel, target, value as Record<string, unknown>)
      continue
    }
    row[name] = value // _count, and a to-one relation's null
  }
  return row
}

function convertScalar(field: DMMFField, value: unknown): unknown {
  switch (field.type) {
    case 'BigInt':
      return BigInt(value as string)
    case 'Decimal':
      return new Decimal(value as string)
    case 'Bytes':
      return new Uint8Array(Buffer.from(value as string, 'base64'))
    default:
      return value
  }
}
