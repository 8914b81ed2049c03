/**
 * `@live` on a query operation: graphql-live-query's convention (the same definition as
 * @n1ru4l/graphql-live-query's GraphQLLiveDirective), so its clients and GraphiQL know it. Built
 * here with this process's graphql, as every other type of the schema is.
 */
import { DirectiveLocation, getDirectiveValues, GraphQLBoolean, GraphQLDirective, GraphQLInt, GraphQLSchema, type OperationDefinitionNode } from 'graphql'

export const LIVE_DIRECTIVE = new GraphQLDirective({
  name: 'live',
  description: 'Instruction for establishing a live connection that is updated once the underlying data changes.',
  locations: [DirectiveLocation.QUERY],
  args: {
    if: { type: GraphQLBoolean, defaultValue: true, description: 'Whether the query should be live or not.' },
    throttle: {
      type: GraphQLInt,
      description: 'Propose a desired throttle interval to the server in order to receive updates to at most once per "throttle" milliseconds. The server must not accept this value.',
    },
  },
})

/** The schema with `@live` among its directives. */
export function withLiveDirective(schema: GraphQLSchema): GraphQLSchema {
  if (schema.getDirective('live')) return schema
  return new GraphQLSchema({ ...schema.toConfig(), directives: [...schema.getDirectives(), LIVE_DIRECTIVE] })
}

/** Whether an operation is a live query (`@live`, or `@live(if: true)`, `if` possibly a variable). */
export function isLiveOperation(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): boolean {
  if (operation.operation !== 'query' || !operation.directives?.some((d) => d.name.value === 'live')) return false
  return getDirectiveValues(LIVE_DIRECTIVE, operation, variables ?? {})?.if !== false
}
