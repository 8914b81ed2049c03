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
import { camel, plural } from '../model/inflect.js'
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

export function manyToManyFields(t: Builder, ctx: SchemaContext, model: ModelInfo): [string, unknown][] {
  return manyToManyPaths(ctx, model).map((path) => [plural(camel(path.far.name)), shortcut(t, ctx, path)])
}

function shortcut(t: Builder, ctx: SchemaContext, { join, toJoin, toFar, far }: JoinPath) {
  const allColumns = Object.fromEntries(far.scalars.map((f) => [f.name, true]))
  const helpers = prismaConnectionHelpers(ctx.builder, join.name as never, {
    cursor: join.keyName as never,
    defaultSize: ctx.pageSizes.defaultPageSize,
    maxSize: ctx.pageSizes.maxPageSize,
    // The join rows are read in select mode, so the far rows' columns must be named explicitly.
    select: ((nodeSelection: (s: object) => object) => ({ [toFar.name]: nodeSelection({ select: allColumns }) })) as never,
    resolveNode: ((row: Record<string, unknown>) => row[toFar.name]) as never,
  })
  return t.connection({
    type: far.name,
    description: `${far.name} rows related through ${join.name}.`,
    args: listArgs(t, ctx, far, { offset: false }),
    select: (args: Record<string, never>, context: object, nestedSelection: unknown) => {
      const farWhere = ctx.planner.where(far, args)
      const order = toPrismaOrderBy(far, args.orderBy).map((item) => ({ [toFar.name]: item }))
      return {
        [toJoin.name]: {
          ...helpers.getQuery(args as never, context as never, nestedSelection as never),
          ...(farWhere ? { where: { [toFar.name]: { is: farWhere } } } : {}),
          orderBy: [...order, ...join.key.map((k) => ({ [k]: 'asc' }))],
        },
      }
    },
    resolve: (parent: Record<string, unknown>, args: never, context: never) => helpers.resolve(parent[toJoin.name] as never, args, context),
  })
}
