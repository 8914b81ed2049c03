/**
 * The Apollo Federation 2 subgraph of a built schema: the same types, and a Query with
 * `_entities` (over every type with a resolvable `@key`) and `_service`.
 *
 * Pothos's `toSubGraphSchema` does this too, but it also prints the subgraph's SDL while it builds
 * (Apollo's printSubgraphSchema builds and validates a whole federation subgraph for it), and sorts
 * the schema twice: together more than half of a warm start on Pagila (1.8 s of 3.6 s of CPU,
 * measured with --cpu-prof). Here `_service.sdl` is printed when a composition tool first asks for
 * it, and the served schema keeps the order types and fields were defined in (the printed SDL and
 * schema.graphql are sorted, as before).
 */
import { hasResolvableKey } from '@pothos/plugin-federation'
import { EntityType, entitiesField, serviceField } from '@apollo/subgraph/dist/types.js'
import { GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLUnionType, isObjectType, type GraphQLFieldConfigMap } from 'graphql'

export function toSubgraph(schema: GraphQLSchema, print: (subgraph: GraphQLSchema) => string): GraphQLSchema {
  const query = schema.getQueryType()
  const types = Object.values(schema.getTypeMap()).filter((type) => type !== query)
  const entities = types.filter((type): type is GraphQLObjectType => isObjectType(type) && hasResolvableKey(type))
  let sdl: string | undefined
  const own = query?.toConfig()
  const subgraphQuery = new GraphQLObjectType({
    ...own,
    name: own?.name ?? 'Query',
    fields: (): GraphQLFieldConfigMap<unknown, unknown> => ({
      ...(entities.length
        ? { _entities: { ...entitiesField, type: new GraphQLNonNull(new GraphQLList(new GraphQLUnionType({ ...EntityType.toConfig(), types: entities }))) } }
        : {}),
      _service: { ...serviceField, resolve: () => ({ sdl: (sdl ??= print(subgraph)) }) },
      ...own?.fields,
    }),
  })
  const subgraph: GraphQLSchema = new GraphQLSchema({ ...schema.toConfig(), query: subgraphQuery, types: [...types, subgraphQuery] })
  return subgraph
}
