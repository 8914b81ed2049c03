/** `node(nodeId: ID!)`: any keyed row by its global id (the `nodeId` field of every `Node`). */
import { brandWithType } from '@pothos/core'
import type { GraphQLResolveInfo } from 'graphql'
import { rootSource } from '../planner/field-source.js'
import { decodeNodeId } from '../planner/node-id.js'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import { NODE } from './relay-types.js'

export function nodeField(t: Builder, ctx: SchemaContext) {
  return t.field({
    type: NODE,
    nullable: true,
    description: 'Any row that has a key, by its global nodeId; null when there is no such row.',
    args: { nodeId: t.arg.id({ required: true, description: 'A nodeId, as returned by any Node.' }) },
    resolve: async (_root: unknown, args: { nodeId: string }, context: object, info: GraphQLResolveInfo) => {
      const { model, type, key } = decodeNodeId(ctx.datamodel, info.schema, String(args.nodeId))
      const row = await ctx.planner.byKey(model, key, type, info, context)
      if (row) brandWithType(row, type.name as never)
      return row
    },
    extensions: rootSource({ kind: 'node' }),
  })
}
