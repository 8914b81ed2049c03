/**
 * Mutations, for every keyed table (none for views; a keyless table has none until a key is
 * declared for it, see ./write-model.ts):
 *
 *   createFilm(data, idempotencyKey)  createManyFilm(data: [...], skipDuplicates)
 *   updateFilm(where, data)           updateManyFilm(where: FilmFilter, all, data)
 *   deleteFilm(where)                 deleteManyFilm(where: FilmFilter, all)
 *
 * updateMany/deleteMany with no filter need `all: true`, and stop at limits.maxBulkRows (./bulk-writes.ts).
 *   upsertFilm(where, create, update)
 *
 * Each field writes through the Prisma client in one interactive transaction: on any error
 * nothing of it is written, and the error is a typed one (./mutation-errors.ts). GraphQL runs a
 * mutation operation's fields one after the other, so each is atomic on its own and reports its
 * own result or error: the fields are nullable, so one field's error leaves the others' results.
 *
 * Rows are returned the way reads return them: the object types resolve by response key from
 * JSON the planner builds in SQL, so after the write commits the affected row is read by its key
 * through the planner (one statement, its relations included). A delete reads the row just
 * before its transaction deletes it: what it returns is the row as committed when it was read
 * (a row that vanishes in between is NOT_FOUND).
 */
import { getNamedType, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import { allows, type ModelInfo } from '../model/datamodel.js'
import { rootFieldName } from '../model/inflect.js'
import { toPrismaWhere } from '../planner/prisma-where.js'
import { ClientError } from '../errors.js'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import { identityOf } from '../serve/use-auth.js'
import { principalOf } from '../auth/principal.js'
import type { Idempotency } from './idempotency.js'
import { toText } from '../planner/sql.js'
import { toPrismaData, toPrismaScalars, whereUnique } from './mutation-data.js'
import { constraintLookup, toDatabaseMutationError, toMutationError, type ConstraintLookup } from './mutation-errors.js'
import { MutationInputs } from './mutation-inputs.js'
import { isWritable } from './write-model.js'
import { checkBulkCount, checkBulkFilter, type BulkConfig } from './bulk-writes.js'

type Row = Record<string, unknown>
type Args = Record<string, unknown>
// Model delegates are only known at run time (`prisma.film`), as in ./builder.ts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Delegate = Record<string, (args: any) => Promise<any>>
interface PrismaClient {
  $transaction<T>(fn: (tx: Record<string, Delegate> & Pick<PrismaClient, '$queryRawUnsafe'>) => Promise<T>, options?: { maxWait?: number; timeout?: number }): Promise<T>
  $queryRawUnsafe(sql: string, ...values: unknown[]): Promise<Row[]>
}

/** Long enough for a large createMany; a transaction left open longer is rolled back. */
const TRANSACTION = { maxWait: 10_000, timeout: 60_000 }
const COUNT_TYPE = 'AffectedRows'

/** Returns whether it made the Mutation type (some table takes writes). */
export function createMutationFields(ctx: SchemaContext, config: Pick<PorticoConfig, 'idempotencyWindowMs'> & BulkConfig, idempotency?: Idempotency): boolean {
  const models = [...ctx.datamodel.models.values()].filter(isWritable)
  // A table with no key (and none declared) can still take new rows: inserts only.
  const insertOnly = [...ctx.datamodel.models.values()].filter((m) => !m.keyName && (m.relationKind === 'table' || m.relationKind === 'partitioned table'))
  if (models.length === 0 && insertOnly.length === 0) return false
  const inputs = new MutationInputs(ctx)
  const writer = new Writer(ctx, config, idempotency)
  ctx.builder.objectType(COUNT_TYPE, {
    description: 'How many rows a createMany, updateMany or deleteMany wrote.',
    fields: (t: Builder) => ({ count: t.exposeInt('count') }),
  })
  // Input types are registered now, not in the fields thunk: Pothos must know them all before it builds.
  const typed = models.map((model) => ({ model, ...modelInputs(inputs, model) }))
  const insertable = insertOnly.map((model) => ({ model, input: inputs.createMany(model) }))
  ctx.builder.mutationType({
    fields: (t: Builder) => {
      const fields: Record<string, unknown> = {}
      for (const { model, ...names } of typed) Object.assign(fields, modelMutations(t, ctx, names, writer, model))
      for (const { model, input } of insertable) if (input && allows(model, undefined, 'create')) Object.assign(fields, insertMutations(t, input, writer, model))
      return fields
    },
  })
  return true
}

/** createX and createManyX of a keyless table: written in SQL by the planner (Prisma sees a view). */
function insertMutations(t: Builder, input: string, w: Writer, model: ModelInfo): Record<string, unknown> {
  return {
    [rootFieldName.create(model.name)]: t.field({
      type: model.name,
      nullable: true,
      description: `Insert a ${model.name} row (a table without a key: inserts only) and return it.`,
      args: { data: t.arg({ type: input, required: true }) },
      resolve: async (_root: unknown, args: Args, _context: object, info: GraphQLResolveInfo) => (await w.insert(model, [args.data as Args], info, true))[0],
    }),
    [rootFieldName.createMany(model.name)]: t.field({
      type: COUNT_TYPE,
      nullable: true,
      description: `Insert ${model.name} rows in one statement.`,
      args: { data: t.arg({ type: [input], required: true }) },
      resolve: async (_root: unknown, args: Args, _context: object, info: GraphQLResolveInfo) => ({ count: (await w.insert(model, args.data as Args[], info, false)).length }),
    }),
  }
}

type InputNames = ReturnType<typeof modelInputs>

function modelInputs(inputs: MutationInputs, model: ModelInfo) {
  return { create: inputs.create(model), createMany: inputs.createMany(model), update: inputs.update(model), updateMany: inputs.updateMany(model), where: inputs.whereUnique(model) }
}

function modelMutations(t: Builder, ctx: SchemaContext, inputs: InputNames, w: Writer, model: ModelInfo): Record<string, unknown> {
  const name = model.name
  // `@omit create` (or update, delete) on the table takes those mutations away.
  const create = allows(model, undefined, 'create') ? inputs.create : undefined
  const createMany = allows(model, undefined, 'create') ? inputs.createMany : undefined
  const update = allows(model, undefined, 'update') ? inputs.update : undefined
  const updateMany = allows(model, undefined, 'update') ? inputs.updateMany : undefined
  const { where } = inputs
  const deletes = allows(model, undefined, 'delete')
  const filter = ctx.filters.where.get(name)
  const row = (description: string, args: Record<string, unknown>, resolve: (args: Args, context: object, info: GraphQLResolveInfo) => Promise<unknown>) =>
    t.field({ type: name, nullable: true, description, args, resolve: (_root: unknown, args: Args, context: object, info: GraphQLResolveInfo) => resolve(args, context, info) })
  const count = (description: string, args: Record<string, unknown>, resolve: (args: Args) => Promise<{ count: number }>) =>
    t.field({ type: COUNT_TYPE, nullable: true, description, args, resolve: (_root: unknown, args: Args) => resolve(args) })
  const fields: Record<string, unknown> = {}
  if (create) {
    fields[rootFieldName.create(name)] = row(
      `Insert a ${name} row (with related rows to create or connect) and return it. With an idempotency key (or an Idempotency-Key header), a retry returns the first result instead of writing again.`,
      { data: t.arg({ type: create, required: true }), idempotencyKey: t.arg.string({ required: false }) },
      (args, context, info) => w.create(model, args, context, info),
    )
  }
  if (createMany) {
    fields[rootFieldName.createMany(name)] = count(
      `Insert ${name} rows in one statement; skipDuplicates skips rows whose key or unique values exist already.`,
      { data: t.arg({ type: [createMany], required: true }), skipDuplicates: t.arg.boolean({ required: false }) },
      (args) => w.createMany(model, args),
    )
  }
  if (update && where) {
    fields[rootFieldName.update(name)] = row(`Change the ${name} row with this key and return it.`, { where: t.arg({ type: where, required: true }), data: t.arg({ type: update, required: true }) }, (args, context, info) =>
      w.update(model, args, context, info),
    )
  }
  if (updateMany && filter) {
    fields[rootFieldName.updateMany(name)] = count(
      `Change every ${name} row matching the filter (the same filter as the list's). With no filter the call is refused unless it says all: true (see limits.maxBulkRows).`,
      { where: t.arg({ type: filter, required: false }), data: t.arg({ type: updateMany, required: true }), all: bulkAll(t, 'change') },
      (args) => w.updateMany(model, args),
    )
  }
  if (where && deletes) {
    fields[rootFieldName.delete(name)] = row(`Delete the ${name} row with this key and return it as it was.`, { where: t.arg({ type: where, required: true }) }, (args, context, info) => w.delete(model, args, context, info))
  }
  if (filter && deletes) {
    fields[rootFieldName.deleteMany(name)] = count(
      `Delete every ${name} row matching the filter. With no filter the call is refused unless it says all: true (see limits.maxBulkRows).`,
      { where: t.arg({ type: filter, required: false }), all: bulkAll(t, 'delete') },
      (args) => w.deleteMany(model, args),
    )
  }
  if (create && update && where) {
    fields[rootFieldName.upsert(name)] = row(
      `Update the ${name} row with this key, or insert it if there is none, and return it.`,
      { where: t.arg({ type: where, required: true }), create: t.arg({ type: create, required: true }), update: t.arg({ type: update, required: true }) },
      (args, context, info) => w.upsert(model, args, context, info),
    )
  }
  return fields
}

/** The explicit `all: true` an unfiltered bulk write needs (./bulk-writes.ts). */
function bulkAll(t: Builder, verb: string): unknown {
  return t.arg.boolean({ required: false, description: `true: ${verb} every row (the where must then be absent or empty). Without it, a call with no filter is refused.` })
}

/** Runs each kind of write in its transaction and reads back what it wrote. */
class Writer {
  private readonly prisma: PrismaClient
  private readonly lookup: ConstraintLookup

  constructor(
    private readonly ctx: SchemaContext,
    private readonly bulk: BulkConfig,
    private readonly idempotency?: Idempotency,
  ) {
    this.prisma = ctx.prisma as PrismaClient
    this.lookup = constraintLookup(ctx.datamodel, (sql, name) => this.prisma.$queryRawUnsafe(sql, name))
  }

  async create(model: ModelInfo, args: Args, context: object, info: GraphQLResolveInfo): Promise<unknown> {
    const data = () => toPrismaData(this.ctx, model, args.data as Args, 'create')
    const key = this.idempotency?.enabled ? idempotencyKey(args, context, info) : undefined
    if (key === undefined) return this.read(model, [await this.transaction(model, (m) => m.create!({ data: data(), select: this.keySelect(model) }))], info)
    // The key is claimed in the create's own transaction (./idempotency.ts): both commit, or neither.
    const idempotency = this.idempotency!
    const prepared = await idempotency.prepare(key, args.data)
    let wrote = false
    const outcome = await this.transaction(model, async (m, run) => {
      const stored = await idempotency.claim(run, prepared)
      if (stored !== undefined) return Object.fromEntries(model.key.map((k, i) => [k, (JSON.parse(stored) as unknown[])[i]])) as Row
      const row = (await m.create!({ data: data(), select: this.keySelect(model) })) as Row
      await idempotency.finish(run, prepared, JSON.stringify(model.key.map((k) => toText(row[k]))))
      wrote = true
      return row
    })
    if (wrote) idempotency.committed()
    return this.read(model, [outcome], info)
  }

  async createMany(model: ModelInfo, args: Args): Promise<{ count: number }> {
    const data = (args.data as Args[]).map((item) => toPrismaScalars(model, item))
    return this.transaction(model, (m) => m.createMany!({ data, skipDuplicates: args.skipDuplicates ?? undefined }))
  }

  async update(model: ModelInfo, args: Args, _context: object, info: GraphQLResolveInfo): Promise<unknown> {
    const row = await this.transaction(model, (m) =>
      m.update!({ where: whereUnique(this.ctx, model, args.where as Args), data: toPrismaData(this.ctx, model, args.data as Args, 'update'), select: this.keySelect(model) }),
    )
    return this.read(model, [row], info)
  }

  async updateMany(model: ModelInfo, args: Args): Promise<{ count: number }> {
    const field = rootFieldName.updateMany(model.name)
    const where = toPrismaWhere(this.ctx.datamodel, model, checkBulkFilter(field, model.name, 'update', args, this.bulk))
    return this.transaction(model, async (m) => {
      const result = (await m.updateMany!({ where, data: toPrismaScalars(model, args.data as Args) })) as { count: number }
      checkBulkCount(field, model.name, 'update', result.count, this.bulk)
      return result
    })
  }

  async delete(model: ModelInfo, args: Args, _context: object, info: GraphQLResolveInfo): Promise<unknown> {
    const where = whereUnique(this.ctx, model, args.where as Args)
    // Read before the row is gone, and before the transaction holds a connection the read would
    // wait for with a pool of one (see the top of this file).
    const found = (await this.transaction(model, (m) => m.findUnique!({ where, select: this.keySelect(model) }))) as Row | null
    if (!found) throw new ClientError(`no ${model.name} row has this key`, 'NOT_FOUND', { type: model.name })
    const before = await this.read(model, [found], info)
    await this.transaction(model, (m) => m.delete!({ where: this.keyWhere(model, found) }))
    return before
  }

  async deleteMany(model: ModelInfo, args: Args): Promise<{ count: number }> {
    const field = rootFieldName.deleteMany(model.name)
    const where = toPrismaWhere(this.ctx.datamodel, model, checkBulkFilter(field, model.name, 'delete', args, this.bulk))
    return this.transaction(model, async (m) => {
      const result = (await m.deleteMany!({ where })) as { count: number }
      checkBulkCount(field, model.name, 'delete', result.count, this.bulk)
      return result
    })
  }

  async upsert(model: ModelInfo, args: Args, _context: object, info: GraphQLResolveInfo): Promise<unknown> {
    const row = await this.transaction(model, (m) =>
      m.upsert!({
        where: whereUnique(this.ctx, model, args.where as Args),
        create: toPrismaData(this.ctx, model, args.create as Args, 'create'),
        update: toPrismaData(this.ctx, model, args.update as Args, 'update'),
        select: this.keySelect(model),
      }),
    )
    return this.read(model, [row], info)
  }

  /** One interactive transaction; any error rolls it back and becomes a typed error. */
  /** Rows into a keyless table, through the planner's SQL; a database error becomes a typed one, as Prisma's do. */
  async insert(model: ModelInfo, rows: Args[], info: GraphQLResolveInfo, shaped: boolean): Promise<unknown[]> {
    try {
      return await this.ctx.planner.insert(model, rows, getNamedType(info.returnType) as GraphQLObjectType, info, shaped)
    } catch (error) {
      if (!(error as { code?: string })?.code) throw error
      throw await toDatabaseMutationError(error, this.ctx.datamodel, this.lookup, model.name)
    }
  }

  private async transaction<T>(model: ModelInfo, write: (delegate: Delegate, run: (sql: string, ...values: unknown[]) => Promise<Row[]>) => Promise<T>): Promise<T> {
    try {
      return await this.prisma.$transaction((tx) => write(tx[delegateName(model)]!, (sql, ...values) => tx.$queryRawUnsafe(sql, ...values)), TRANSACTION)
    } catch (error) {
      throw await toMutationError(error, this.ctx.datamodel, this.lookup)
    }
  }

  /**
   * The rows with these keys, shaped for the field's selection: one planner statement for all of
   * them. The loaders live in an object of this call's own, so a later field of the same operation
   * never gets a row cached before its write.
   */
  private read(model: ModelInfo, rows: Row[], info: GraphQLResolveInfo): Promise<unknown> {
    const type = getNamedType(info.returnType) as GraphQLObjectType
    const reads = {}
    const loads = rows.map((row) => this.ctx.planner.byKey(model, model.key.map((k) => row[k]), type, info, reads))
    return rows.length === 1 ? loads[0]! : Promise.all(loads)
  }

  private keySelect(model: ModelInfo): Record<string, true> {
    return Object.fromEntries(model.key.map((k) => [k, true]))
  }

  private keyWhere(model: ModelInfo, row: Row): Record<string, unknown> {
    return whereUnique(this.ctx, model, Object.fromEntries(model.key.map((k) => [k, row[k]])))
  }
}

/** Prisma names a model's delegate after it with a lower-case first letter: `prisma.filmActor`. */
function delegateName(model: ModelInfo): string {
  return `${model.name[0]!.toLowerCase()}${model.name.slice(1)}`
}

/**
 * The idempotency key of a create: its argument, else the request's `Idempotency-Key` header
 * (one header may cover several creates of an operation, so the field's response key is part of
 * it). Keys are per mutation field, and per caller when authorization is on: one user's key must
 * never replay another user's row.
 */
function idempotencyKey(args: Args, context: object, info: GraphQLResolveInfo): string | undefined {
  const request = (context as { request?: Request }).request
  const identity = identityOf(request)
  // The caller, not the token: a retry sent with a refreshed token is the same caller's (../auth/principal.ts).
  const caller = identity ? `${principalOf(identity)}\u0000` : ''
  if (typeof args.idempotencyKey === 'string') return `${caller}${info.fieldName}\u0000${args.idempotencyKey}`
  const header = request?.headers?.get('idempotency-key')
  return header ? `${caller}${info.fieldName}\u0000${String(info.path.key)}\u0000${header}` : undefined
}
