/**
 * The read planner: the one place where a GraphQL selection and its arguments become database
 * reads. Today it hands Prisma one query per root field, into which Pothos has merged the nested
 * selection (relationJoins makes that one SQL statement); the batching work may replace what is
 * inside without touching the schema modules, which only call these functions.
 */
import { GraphQLError } from 'graphql'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { toPrismaOrderBy } from './order.js'
import { toPrismaWhere } from './where.js'

export interface ListArgs {
  where?: Record<string, unknown> | null
  orderBy?: Record<string, never>[] | null
  offset?: number | null
  after?: string | null
  before?: string | null
}

// Prisma's model delegates are keyed by the model name with a lower-case first letter.
type Delegate = {
  findMany(args: object): Promise<unknown[]>
  findUnique(args: object): Promise<unknown>
  count(args: object): Promise<number>
}
const delegate = (prisma: unknown, model: ModelInfo): Delegate =>
  (prisma as Record<string, Delegate>)[model.name[0]!.toLowerCase() + model.name.slice(1)]!

export class ReadPlanner {
  constructor(
    private readonly prisma: unknown,
    readonly datamodel: Datamodel,
  ) {}

  where(model: ModelInfo, args: ListArgs) {
    return toPrismaWhere(this.datamodel, model, args.where ?? undefined)
  }

  /** `where` and `orderBy` for a list of `model`, root or nested. */
  listQuery(model: ModelInfo, args: ListArgs) {
    return { where: this.where(model, args), orderBy: toPrismaOrderBy(model, args.orderBy) }
  }

  /** A root list: `query` is what Pothos planned for the selection (take/skip/cursor/include). */
  findMany(model: ModelInfo, args: ListArgs, query: { skip?: number } & Record<string, unknown>) {
    if (args.offset != null) {
      if (args.after || args.before) throw new GraphQLError('Use either offset or after/before, not both.', { extensions: { code: 'BAD_USER_INPUT' } })
      if (args.offset < 0) throw new GraphQLError('offset must not be negative.', { extensions: { code: 'BAD_USER_INPUT' } })
    }
    const skip = (query.skip ?? 0) + (args.offset ?? 0)
    return delegate(this.prisma, model).findMany({ ...query, ...this.listQuery(model, args), skip })
  }

  /** A page of a keyless model, by offset: it has no unique key to seek on. */
  findPage(model: ModelInfo, args: ListArgs, page: { limit: number; offset: number }) {
    return delegate(this.prisma, model).findMany({ ...this.listQuery(model, args), take: page.limit, skip: page.offset })
  }

  count(model: ModelInfo, args: ListArgs) {
    return delegate(this.prisma, model).count({ where: this.where(model, args) })
  }

  findByKey(model: ModelInfo, key: Record<string, unknown>, query: Record<string, unknown>) {
    const where = model.key.length === 1 ? key : { [model.keyName!]: key }
    return delegate(this.prisma, model).findUnique({ ...query, where })
  }
}
