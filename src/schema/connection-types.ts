/**
 * Relay connection types (`FilmConnection` and `FilmEdge`). The planner's SQL builds each
 * connection as asked, under the response keys of the query (../planner/compile-read.ts), so
 * every field here reads by response key.
 */
import type { Builder } from './builder.js'
import { byResponseKey } from './resolve-by-key.js'
import { PAGE_INFO } from './relay-types.js'

const made = new WeakMap<object, Set<string>>()

/**
 * Makes `<name>` and its edge type `<edgeName>` over rows of `nodeType` on first use (a root list
 * and a function returning the same rows share theirs); returns the connection's name.
 */
export function connectionType(builder: Builder, name: string, edgeName: string, nodeType: string, aggregatesType: string): string {
  let names = made.get(builder)
  if (!names) made.set(builder, (names = new Set()))
  if (names.has(name)) return name
  names.add(name)
  builder.objectType(edgeName, {
    fields: (t: Builder) => ({
      cursor: t.string({ resolve: byResponseKey }),
      node: t.field({ type: nodeType, resolve: byResponseKey }),
    }),
  })
  builder.objectType(name, {
    fields: (t: Builder) => ({
      edges: t.field({ type: [edgeName], resolve: byResponseKey }),
      nodes: t.field({ type: [nodeType], resolve: byResponseKey }),
      pageInfo: t.field({ type: PAGE_INFO, resolve: byResponseKey }),
      totalCount: t.int({ description: 'How many rows match, across all pages.', resolve: byResponseKey }),
      aggregates: t.field({ type: aggregatesType, description: 'count, sum, avg, min, max and per-column counts over all matching rows.', resolve: byResponseKey }),
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
