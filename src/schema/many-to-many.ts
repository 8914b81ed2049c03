/**
 * Many-to-many shortcuts: a join table whose key is exactly two foreign keys (`film_actor`) gives
 * `film.actors` and `actor.films`, connections over the join rows that yield the far side's rows.
 * They take the far type's `where` and `orderBy`, and are read in the parent's statement like any
 * other relation.
 */
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import { inverseRelation, type DMMFField, type ModelInfo } from '../model/datamodel.js'
import { camel, plural, uniqueName } from '../model/inflect.js'
import { relationConnectionField } from './relation-connection.js'

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
    const source = { kind: 'manyToMany' as const, toJoin: path.toJoin.name, join: path.join, toFar: path.toFar.name, far: path.far }
    return [name, relationConnectionField(t, ctx, model, name, path.far, source, `${path.far.name} rows related through ${path.join.name}.`)]
  })
}
