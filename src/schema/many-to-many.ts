/**
 * Many-to-many shortcuts: a join table whose key is exactly two foreign keys (`film_actor`) gives
 * `film.actors` and `actor.films`, connections over the join rows that yield the far side's rows.
 * They take the far type's `where` and `orderBy`, and are merged into the parent's query like any
 * other relation (Pothos's indirect connections).
 */
import { prismaConnectionHelpers } from '@pothos/plugin-prisma'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import { inverseRelation, type DMMFField, type ModelInfo } from '../model/datamodel.js'
import { camel, plural, uniqueName } from '../model/inflect.js'
import { listArgs } from './list-args.js'
import { toPrismaOrderBy } from '../planner/order.js'

export interface JoinPath {
  /** The join model, e.g. FilmActor. */
  join: ModelInfo
  /** On the near model: its back-relation to the join rows (`film.filmActors`). */
  toJoin: DMMFField
  /** On the join model: its relation to the far model (`filmActor.actor`). */
  toFar: DMMFField
  far: ModelInfo
}

/** Every many-to-many path starting at `model`. */
export function manyToManyPaths(ctx: Pick<SchemaContext, 'datamodel'>, model: ModelInfo): JoinPath[] {
  const paths: JoinPath[] = []
  for (const toJoin of model.relations.filter((r) => r.isList)) {
    const join = ctx.datamodel.models.get(toJoin.type)
    if (!join || join.key.length !== 2) continue
    const keys = join.relations.filter((r) => !r.isList && r.relationFromFields?.length === 1)
    if (keys.length !== 2) continue
    const covered = new Set(keys.map((r) => r.relationFromFields![0]))
    if (!join.key.every((k) => covered.has(k))) continue
    const back = inverseRelation(ctx.datamodel, model.name, toJoin)
    const toFar = keys.find((r) => r !== back)
    const far = toFar && ctx.datamodel.models.get(toFar.type)
    if (toFar && far?.keyName) paths.push({ join, toJoin, toFar, far })
  }
  return paths
}

/** `film.actors`; when the model already has a field of that name, `<fars>Via<JoinType>`. */
export function manyToManyFieldName(path: JoinPath, taken: Set<string>): string {
  const name = plural(camel(path.far.name))
  return uniqueName(taken.has(name) ? `${name}Via${path.join.name}` : name, taken)
}

export function manyToManyFields(t: Builder, ctx: SchemaContext, model: ModelInfo, taken: Set<string>): [string, unknown][] {
  return manyToManyPaths(ctx, model).map((path) => {
    const name = manyToManyFieldName(path, taken)
    taken.add(name)
    return [name, shortcut(t, ctx, path)]
  })
}

function shortcut(t: Builder, ctx: SchemaContext, { join, toJoin, toFar, far }: JoinPath) {
  const helpers = prismaConnectionHelpers(ctx.builder, join.name as never, {
    cursor: join.keyName as never,
    defaultSize: ctx.pageSizes.defaultPageSize,
    maxSize: ctx.pageSizes.maxPageSize,
    select: ((nodeSelection: (s: object) => object) => ({ [toFar.name]: nodeSelection({}) })) as never,
    resolveNode: ((row: Record<string, unknown>) => row[toFar.name]) as never,
  })
  return t.connection({
    type: far.name,
    description: `${far.name} rows related through ${join.name}.`,
    args: listArgs(t, ctx, far, { offset: false }),
    select: (args: Record<string, never>, context: object, nestedSelection: unknown) => {
      const farWhere = ctx.planner.where(far, args)
      const order = toPrismaOrderBy(far, args.orderBy).map((item) => ({ [toFar.name]: item }))
      const where = farWhere ? { where: { [toFar.name]: { is: farWhere } } } : {}
      return {
        [toJoin.name]: {
          ...connectionQuery(helpers, args, context, nestedSelection as NestedSelection),
          ...where,
          orderBy: [...order, ...join.key.map((k) => ({ [k]: 'asc' }))],
        },
        // totalCount comes from the same statement, as relatedConnection's does.
        _count: { select: { [toJoin.name]: farWhere ? where : true } },
      }
    },
    resolve: (parent: Record<string, unknown>, args: never, context: never) => ({
      ...helpers.resolve(parent[toJoin.name] as never, args, context),
      totalCount: (parent._count as Record<string, number> | undefined)?.[toJoin.name],
    }),
  }, {
    fields: (c: Builder) => ({
      totalCount: c.int({ description: 'How many rows match, across all pages.', resolve: (connection: { totalCount: number }) => connection.totalCount }),
    }),
  })
}

type NestedSelection = (selection: unknown, path: string[]) => unknown
type Helpers = { getQuery(args: never, context: never, nestedSelection: never): Record<string, unknown> }

/**
 * Pothos's connection helpers plan the node selection found under `edges { node }` only; the
 * same nodes can be asked for under `nodes { }`. Plan both and merge them.
 */
function connectionQuery(helpers: Helpers, args: object, context: object, nestedSelection: NestedSelection) {
  const viaEdges = helpers.getQuery(args as never, context as never, nestedSelection as never)
  const viaNodes = helpers.getQuery(args as never, context as never, ((selection: unknown) => nestedSelection(selection, ['nodes'])) as never)
  return mergeSelections(viaEdges, viaNodes)
}

function mergeSelections(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...a }
  for (const [key, value] of Object.entries(b)) {
    const mine = merged[key]
    if (isPlainObject(mine) && isPlainObject(value)) merged[key] = mergeSelections(mine, value)
    else if (mine === undefined || mine === true) merged[key] = value
  }
  return merged
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
