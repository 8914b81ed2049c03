/**
 * The Relay types every schema shares: the `Node` interface (any keyed row, by its global
 * `nodeId`) and `PageInfo`. Their values are built by the planner's SQL, so fields read them by
 * response key like every other field.
 */
import { getTypeBrand } from '@pothos/core'
import type { Builder } from './builder.js'
import { byResponseKey } from './resolve-by-key.js'

export const NODE = 'Node'
export const PAGE_INFO = 'PageInfo'

/** `Node` only where some type has a key to be found by. */
export function createRelayTypes(builder: Builder, withNode: boolean): void {
  if (withNode) builder.interfaceType(NODE, {
    fields: (t: Builder) => ({ nodeId: t.id({ resolve: byResponseKey }) }),
    // node(nodeId:) brands the row with its type; a row selected through a fragment has __typename.
    resolveType: (row: { __typename?: string }) => (getTypeBrand(row) as string | null) ?? row.__typename,
  })
  builder.objectType(PAGE_INFO, {
    fields: (t: Builder) => ({
      hasNextPage: t.boolean({ resolve: byResponseKey }),
      hasPreviousPage: t.boolean({ resolve: byResponseKey }),
      startCursor: t.string({ nullable: true, resolve: byResponseKey }),
      endCursor: t.string({ nullable: true, resolve: byResponseKey }),
    }),
  })
}
