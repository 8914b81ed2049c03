/**
 * Builds the GraphQL schema of a database from its Prisma datamodel: no code per table.
 * Order matters only in that types must exist before the root fields name them.
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import { createBuilder, type Builder } from './builder.js'
import { createFilterTypes } from './filters.js'
import { createObjectTypes } from './object-types.js'
import { createOrderTypes } from './order.js'
import { createRootFields } from './root-fields.js'
import { createRelayTypes } from './relay-types.js'
import { declareEntities, FEDERATION_LINK, guardEntities } from './federation.js'
import { createMutationFields } from './mutation-fields.js'
import type { Idempotency } from './idempotency.js'
import { createFunctionFields } from './function-fields.js'
import { printSubgraphSchema } from '@apollo/subgraph'
import { toSubgraph } from './subgraph.js'
import type { SchemaContext } from './schema-context.js'
import { checkGeneratedNames } from '../model/check-names.js'
import { SCALARS } from './scalars.js'
import { createSubscriptionFields, type SubscriptionSources } from './subscription-fields.js'

const BUILT_IN_SCALARS = ['String', 'Int', 'Float', 'Boolean', 'ID']

/** Built on first use (a getter each). */
export interface GraphQLSchemas {
  /** The API: what schema.graphql holds. */
  schema: GraphQLSchema
  /** The same API as an Apollo Federation 2 subgraph: `_service`, `_entities`, `@key`, `@link`. */
  subgraph: GraphQLSchema
}

export function buildGraphQLSchemas(
  prisma: unknown,
  planner: ReadPlanner,
  config: Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize' | 'federation' | 'readOnly' | 'idempotencyWindowMs' | 'allowUnfilteredBulkWrites' | 'limits'>,
  /** Extensions' additions (./extend.ts), made once Portico's own types are defined. */
  extend?: (builder: Builder) => void,
  /** Row events and published events (../live/); none: no Subscription type. */
  subscriptions?: SubscriptionSources,
  /** Where creates' idempotency keys are kept (none: keys are ignored). */
  idempotency?: Idempotency,
): GraphQLSchemas {
  const datamodel = planner.datamodel
  if (datamodel.models.size === 0) throw new Error('the database has no tables or views in the chosen schemas')
  checkGeneratedNames(datamodel, [...BUILT_IN_SCALARS, ...Object.keys(SCALARS)], { mutations: !config.readOnly })
  const builder = createBuilder({ prisma, dmmf: datamodel.raw })
  const enumRefs = new Map<string, unknown>()
  // Served by name (`PG_13`); the planner's SQL maps names to the database's labels ('PG-13').
  for (const [name, values] of datamodel.enums) enumRefs.set(name, builder.enumType(name, { values: [...values.keys()] }))
  const ctx: SchemaContext = {
    prisma,
    builder,
    datamodel,
    planner,
    enumRefs,
    pageSizes: config,
    federation: config.federation,
    filters: createFilterTypes(builder, datamodel, enumRefs),
    orderTypes: createOrderTypes(builder, datamodel),
  }
  createRelayTypes(builder, [...datamodel.models.values()].some((m) => m.keyName))
  createObjectTypes(ctx)
  createRootFields(ctx)
  // Writes: ./mutation-fields.ts; none in read-only mode.
  const hasMutationType = !config.readOnly && createMutationFields(ctx, config, idempotency)
  // PostgreSQL functions: Query fields, and Mutation fields unless read-only (./function-fields.ts).
  createFunctionFields(ctx, { mutations: !config.readOnly, hasMutationType })
  if (subscriptions) createSubscriptionFields(ctx, subscriptions)
  declareEntities(ctx)
  extend?.(builder)
  // Each built when first asked for: a start builds only the one it serves (Pothos builds the whole
  // schema again for the subgraph), `print` the one it prints.
  let schema: GraphQLSchema | undefined
  let subgraph: GraphQLSchema | undefined
  const schemas: GraphQLSchemas = {
    get schema() {
      return (schema ??= builder.toSchema({ sortSchema: false }))
    },
    get subgraph() {
      if (subgraph) return subgraph
      // The federation directives the subgraph imports, as a @link on the schema (./subgraph.ts).
      const link = { name: 'link', args: { url: FEDERATION_LINK, import: ['@key', '@shareable', '@inaccessible'] } }
      const built = toSubgraph(builder.toSchema({ sortSchema: false, extensions: { directives: [link] } }), subgraphSDL)
      guardEntities(built)
      return (subgraph = built)
    },
  }
  return schemas
}

/** The subgraph's SDL, with its federation directives, as a composition tool reads it (`_service.sdl`). */
function subgraphSDL(subgraph: GraphQLSchema): string {
  return printSubgraphSchema(lexicographicSortSchema(subgraph))
}

/** The same, as a file (`portico print --federation`): ending with a newline. */
export function printSubgraphSDL(subgraph: GraphQLSchema): string {
  return `${subgraphSDL(subgraph)}\n`
}

/** The SDL written to schema.graphql: sorted, so it only changes when the API does. */
export function printGraphQLSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`
}
