/**
 * Builds the GraphQL schema of a database from its Prisma datamodel: no code per table.
 * Order matters only in that types must exist before the root fields name them.
 */
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql'
import type { PorticoConfig } from '../config/config.js'
import type { Datamodel } from '../model/datamodel.js'
import { ReadPlanner } from '../planner/read-planner.js'
import { createBuilder } from './builder.js'
import { createFilterTypes } from './filters.js'
import { createObjectTypes } from './object-types.js'
import { createOrderTypes } from './order.js'
import { createRootFields } from './root-fields.js'
import type { SchemaContext } from './schema-context.js'

export function buildGraphQLSchema(
  prisma: unknown,
  datamodel: Datamodel,
  pageSizes: Pick<PorticoConfig, 'defaultPageSize' | 'maxPageSize'>,
): GraphQLSchema {
  if (datamodel.models.size === 0) throw new Error('the database has no tables or views in the chosen schemas')
  const builder = createBuilder({ prisma, dmmf: datamodel.raw })
  const enumRefs = new Map<string, unknown>()
  // Values carry their database label (`PG_13` is 'PG-13'): rows and filters speak the database's.
  for (const [name, values] of datamodel.enums) {
    const options = Object.fromEntries([...values].map(([value, label]) => [value, { value: label }]))
    enumRefs.set(name, builder.enumType(name, { values: options }))
  }
  const planner = new ReadPlanner(prisma, datamodel, pageSizes)
  const ctx: SchemaContext = {
    builder,
    datamodel,
    planner,
    enumRefs,
    pageSizes,
    filters: createFilterTypes(builder, datamodel, enumRefs),
    orderTypes: createOrderTypes(builder, datamodel),
  }
  createObjectTypes(ctx)
  createRootFields(ctx)
  return builder.toSchema({ sortSchema: false })
}

/** The SDL written to schema.graphql: sorted, so it only changes when the API does. */
export function printGraphQLSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`
}
