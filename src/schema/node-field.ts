/** `node(nodeId: ID!)`: any keyed row by its global id (the `nodeId` field of every `Node`). */
import { brandWithType, PothosValidationError } from '@pothos/core'
import { decodeGlobalID } from '@pothos/plugin-relay'
import { isObjectType, type GraphQLResolveInfo } from 'graphql'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'

export function nodeField(t: Builder, ctx: SchemaContext) {
  return t.field({
    type: ctx.builder.nodeInterfaceRef(),
    nullable: true,
    description: 'Any row that has a key, by its global nodeId; null when there is no such row.',
    args: { nodeId: t.arg.id({ required: true, description: 'A nodeId, as returned by any Node.' }) },
    resolve: async (_root: unknown, args: { nodeId: string }, context: object, info: GraphQLResolveInfo) => {
      const { typename, id } = decodeGlobalID(String(args.nodeId))
      const model = ctx.datamodel.models.get(typename)
      const type = info.schema.getType(typename)
      if (!model?.keyName || !isObjectType(type)) throw new PothosValidationError(`Invalid nodeId: ${args.nodeId}`)
      const key = model.key.length === 1 ? [id] : parseKey(id, model.key.length, args.nodeId)
      const row = await ctx.planner.byKey(model, key, type, info, context)
      if (row) brandWithType(row, typename as never)
      return row
    },
  })
}

function parseKey(id: string, length: number, nodeId: string): unknown[] {
  try {
    const key = JSON.parse(id) as unknown
    if (Array.isArray(key) && key.length === length) return key
  } catch {
    // reported below
  }
  throw new PothosValidationError(`Invalid nodeId: ${nodeId}`)
}
