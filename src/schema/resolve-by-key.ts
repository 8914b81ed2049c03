/**
 * Every field of a row reads its value by response key: the planner's SQL built each object with
 * exactly the fields asked for, under their aliases (two aliases of one relation with different
 * arguments are two keys), so resolving is a property read.
 */
import type { GraphQLResolveInfo } from 'graphql'

export const byResponseKey = (parent: Record<string, unknown>, _args: unknown, _context: unknown, info: GraphQLResolveInfo): unknown =>
  parent[info.path.key as string]
