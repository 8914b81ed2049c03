/**
 * The Apollo Federation 2 side of the schema: every keyed type (or those the config names) is an
 * entity with `@key` on its key and on each single-column unique key. `_entities` is compiled
 * into the operation's one statement (../planner/compile-operation.ts); executed field by field,
 * references resolve through the planner's per-request loaders, one statement per type and key,
 * however many representations. `@shareable` and `@inaccessible` come from the config.
 */
import { isUnionType, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql'
import type { SchemaContext } from './schema-context.js'
import { entityKeys, representationKey } from '../planner/entity-keys.js'
import { ClientError } from '../errors.js'

/** The federation version the subgraph links to. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6'

/** Pothos federation options for a type ("Film") or a field ("Film.title"), from the config. */
export function federationMarks(ctx: SchemaContext, name: string): { shareable?: true; inaccessible?: true } {
  return {
    ...(ctx.federation.shareable.includes(name) ? { shareable: true } : {}),
    ...(ctx.federation.inaccessible.includes(name) ? { inaccessible: true } : {}),
  }
}

export function declareEntities(ctx: SchemaContext): void {
  const chosen = ctx.federation.entities
  for (const model of ctx.datamodel.models.values()) {
    if (!model.keyName || (chosen && !chosen.includes(model.name))) continue
    ctx.builder.asEntity(model.name, {
      key: entityKeys(model).map((fields) => ctx.builder.selection(fields.join(' '))),
      // async: a bad representation fails its own item of `_entities`, not the whole list.
      resolveReference: async (representation: Record<string, unknown>, context: object, info: GraphQLResolveInfo) => {
        const fields = representationKey(model, representation)
        const type = info.schema.getType(model.name) as GraphQLObjectType
        return ctx.planner.byKey(model, fields.map((f) => representation[f]), type, info, context, fields)
      },
    })
  }
}

/**
 * `_entities` as @apollo/subgraph resolves it maps the representations in order and throws, in
 * the middle of the map, at the first one whose `__typename` is no type: the references already
 * started are then left running, and one that fails is an unhandled rejection, which ends the
 * process. So every representation is checked first: one that is not an object naming an entity
 * of this subgraph answers its own item with an error, and only the others are resolved.
 */
export function guardEntities(subgraph: GraphQLSchema): void {
  const field = subgraph.getQueryType()?.getFields()._entities
  const union = subgraph.getType('_Entity')
  if (!field?.resolve || !isUnionType(union)) return
  const entities = new Set(union.getTypes().map((t) => t.name))
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve
  field.resolve = (source, args: { representations?: unknown[] }, context, info) => {
    const representations = args.representations ?? []
    const problems = representations.map((r) => representationProblem(r, entities))
    if (problems.every((p) => p === undefined)) return resolve(source, args, context, info)
    const valid = representations.filter((_, i) => problems[i] === undefined)
    const resolved = (valid.length ? resolve(source, { ...args, representations: valid }, context, info) : []) as unknown[]
    let next = 0
    return problems.map((problem) => (problem === undefined ? resolved[next++] : Promise.reject(new ClientError(problem))))
  }
}

function representationProblem(representation: unknown, entities: Set<string>): string | undefined {
  if (typeof representation !== 'object' || representation === null || Array.isArray(representation)) return 'A representation must be an object with a __typename'
  const typename = (representation as { __typename?: unknown }).__typename
  if (typeof typename !== 'string' || !entities.has(typename)) return `A representation's __typename must name an entity of this subgraph, not ${JSON.stringify(typename) ?? 'nothing'}`
  return undefined
}
