/**
 * Relay connection types (`FilmConnection`, `FilmEdge`, `PageInfo`) over a page the planner read.
 * A connection's nodes come from the row objects the SQL built for each place they are asked for:
 * `<edges alias>.<node alias>` and `#<nodes alias>` (see ../planner/compile-read.ts).
 */
import type { GraphQLResolveInfo } from 'graphql'
import type { ConnectionPage, ConnectionRow } from '../planner/connection.js'
import type { Builder } from './builder.js'

interface Edge {
  row: ConnectionRow
  cursor: string
  /** The response key of the `edges` field this edge was asked under. */
  edges: string
}

const keyOf = (info: GraphQLResolveInfo) => info.path.key as string

/** Makes `<name>` and its edge type `<edgeName>` over rows of `nodeType`; returns the connection's name. */
export function connectionType(builder: Builder, name: string, edgeName: string, nodeType: string): string {
  builder.objectType(edgeName, {
    fields: (t: Builder) => ({
      cursor: t.string({ resolve: (edge: Edge) => edge.cursor }),
      node: t.field({ type: nodeType, resolve: (edge: Edge, _args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => edge.row[`${edge.edges}.${keyOf(info)}`] }),
    }),
  })
  builder.objectType(name, {
    fields: (t: Builder) => ({
      edges: t.field({
        type: [edgeName],
        resolve: (page: ConnectionPage, _args: unknown, _ctx: unknown, info: GraphQLResolveInfo) =>
          page.rows.map((row, i): Edge => ({ row, cursor: page.cursors[i]!, edges: keyOf(info) })),
      }),
      nodes: t.field({
        type: [nodeType],
        resolve: (page: ConnectionPage, _args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => page.rows.map((row) => row[`#${keyOf(info)}`]),
      }),
      pageInfo: t.field({ type: builder.pageInfoRef(), resolve: (page: ConnectionPage) => page.pageInfo }),
      totalCount: t.int({ description: 'How many rows match, across all pages.', resolve: (page: ConnectionPage) => page.totalCount }),
    }),
  })
  return name
}

/** first/last/after/before, as every connection takes them. */
export function pageArgs(t: Builder) {
  return {
    first: t.arg.int({ required: false }),
    last: t.arg.int({ required: false }),
    after: t.arg.string({ required: false }),
    before: t.arg.string({ required: false }),
  }
}
