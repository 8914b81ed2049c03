/**
 * Mutation input values -> Prisma's `data` and unique `where` arguments. The inputs are shaped like
 * Prisma's (./mutation-inputs.ts), so most values pass as they are. What changes:
 * - compound unique keys are given flat and go under Prisma's name (../planner/prisma-where.ts);
 * - a JSON column set to null is SQL NULL (Prisma's DbNull);
 * - many-to-many shortcuts become nested writes of the join rows
 *   (`actors: { connect: [{ actorId: 1 }] }` -> `filmActors: { create: [{ actor: { connect: ... } }] }`);
 * - Prisma takes either foreign-key columns or relation fields in one `data`, not both: when a
 *   relation field is given, the foreign-key columns given beside it become `connect`s (or a
 *   `disconnect` for NULL on update), so a client may mix them.
 */
import { DbNull } from '@prisma/client/runtime/client'
import type { ModelInfo } from '../model/datamodel.js'
import { toPrismaWhereUnique, uniqueKeys, type PrismaWhere } from '../planner/prisma-where.js'
import { ClientError } from '../errors.js'
import type { SchemaContext } from './schema-context.js'
import { writeRelations, writeShortcuts, type WriteShortcut } from './write-model.js'
import { checkWellFormed } from '../planner/well-formed-text.js'

type Ctx = Pick<SchemaContext, 'datamodel'>
type Input = Record<string, unknown>
type Data = Record<string, unknown>

export function whereUnique(ctx: Ctx, model: ModelInfo, input: Input): PrismaWhere {
  checkWellFormed(input)
  const where = toPrismaWhereUnique(ctx.datamodel, model, input)
  if (where) return where
  const keys = uniqueKeys(model).map((k) => k.join(' + '))
  throw new ClientError(`${model.name}: give a whole key to find one row (${keys.join(', or ')})`, 'BAD_USER_INPUT', { type: model.name })
}

/** `checked`: write every foreign key as its relation, as the items of a list must all be alike. */
export function toPrismaData(ctx: Ctx, model: ModelInfo, input: Input, mode: 'create' | 'update', checked = false): Data {
  checkWellFormed(input)
  const data: Data = {}
  const relations = new Map(writeRelations(ctx, model).map((r) => [r.field.name, r]))
  const shortcuts = new Map(writeShortcuts(ctx, model).map((s) => [s.name, s]))
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    const relation = relations.get(name)
    const shortcut = shortcuts.get(name)
    // A nested write given as null asks for nothing (disconnecting is its own `disconnect`).
    if ((relation || shortcut) && value === null) continue
    if (relation) {
      const ops = relationOps(ctx, relation.target, relation.field.isList, value as Input)
      if (Object.keys(ops).length) data[name] = ops
    } else if (shortcut) {
      mergeNested(data, shortcut.path.toJoin.name, shortcutOps(ctx, shortcut, value as Input))
    } else {
      const field = model.scalars.find((f) => f.name === name)
      data[name] = value === null && field?.type === 'Json' ? DbNull : value
    }
  }
  return relationsForForeignKeys(ctx, model, data, mode, checked)
}

/** Scalars only (createMany, updateMany): JSON nulls still need DbNull. */
export function toPrismaScalars(model: ModelInfo, input: Input): Data {
  checkWellFormed(input)
  const json = new Set(model.scalars.filter((f) => f.type === 'Json').map((f) => f.name))
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v === null && json.has(k) ? DbNull : v]))
}

function relationOps(ctx: Ctx, target: ModelInfo, many: boolean, ops: Input): Data {
  const result: Data = {}
  const each = <T>(value: unknown, one: (item: Input) => T): T | T[] => (many ? (value as Input[]).map(one) : one(value as Input))
  if (ops.connect != null) result.connect = each(ops.connect, (item) => whereUnique(ctx, target, item))
  if (ops.create != null) {
    // Prisma takes a list of nested creates all with foreign-key columns or all with relations.
    const checked = many && (ops.create as Input[]).some((item) => givesRelation(ctx, target, item))
    result.create = each(ops.create, (item) => toPrismaData(ctx, target, item, 'create', checked))
  }
  if (ops.disconnect != null) {
    if (many) result.disconnect = (ops.disconnect as Input[]).map((item) => whereUnique(ctx, target, item))
    else if (ops.disconnect === true) result.disconnect = true
  }
  return result
}

/** Link: a join row per far row; unlink: delete the join rows, found by the far rows' keys. */
function shortcutOps(ctx: Ctx, { path }: WriteShortcut, ops: Input): Data {
  const result: Data = {}
  const join = path.join.joins.get(path.toFar.name)!
  if (ops.connect != null) {
    result.create = (ops.connect as Input[]).map((item) => ({ [path.toFar.name]: { connect: whereUnique(ctx, path.far, item) } }))
  }
  if (ops.disconnect != null) {
    result.deleteMany = (ops.disconnect as Input[]).map((item) => {
      const values = join.to.map((field) => item[field])
      if (values.some((v) => v == null)) {
        throw new ClientError(`${path.far.name}: unlink by ${join.to.join(' + ')}`, 'BAD_USER_INPUT', { type: path.far.name })
      }
      return Object.fromEntries(join.from.map((field, i) => [field, values[i]]))
    })
  }
  return result
}

/** Nested writes given both through a shortcut and through the join relation itself: one list per op. */
function mergeNested(data: Data, field: string, ops: Data): void {
  const current = (data[field] ?? {}) as Data
  for (const [op, items] of Object.entries(ops)) {
    const before = current[op]
    current[op] = before === undefined ? items : [...(Array.isArray(before) ? before : [before]), ...(items as unknown[])]
  }
  data[field] = current
}

/** Foreign-key columns beside relation fields become `connect`/`disconnect` (see the top). */
function relationsForForeignKeys(ctx: Ctx, model: ModelInfo, data: Data, mode: 'create' | 'update', checked: boolean): Data {
  const owning = writeRelations(ctx, model).filter((r) => r.owning)
  if (!checked && !owning.some((r) => data[r.field.name] !== undefined)) return data
  for (const relation of owning) {
    const join = model.joins.get(relation.field.name)
    if (!join || data[relation.field.name] !== undefined || !join.from.some((f) => f in data)) continue
    const values = join.from.map((f) => data[f])
    for (const field of join.from) delete data[field]
    if (values.every((v) => v === null || v === undefined)) {
      if (mode === 'update') data[relation.field.name] = { disconnect: true }
      continue
    }
    data[relation.field.name] = { connect: whereUnique(ctx, relation.target, Object.fromEntries(join.to.map((f, i) => [f, values[i]]))) }
  }
  return data
}

/** Does this input give a relation whose foreign key is on its side? */
function givesRelation(ctx: Ctx, model: ModelInfo, input: Input): boolean {
  return writeRelations(ctx, model).some((r) => r.owning && input[r.field.name] != null)
}
