/** `node(nodeId: ID!)`: any keyed row by its global id (the `nodeId` field of every `Node`). */
import type { Builder } from './builder.js'

export function nodeField(t: Builder) {
  return t.node({
    description: 'Any row that has a key, by its global nodeId; null when there is no such row.',
    args: { nodeId: t.arg.id({ required: true, description: 'A nodeId, as returned by any Node.' }) },
    id: (_root: unknown, args: { nodeId: string }) => args.nodeId,
  })
}
