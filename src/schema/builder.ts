/**
 * The Pothos builder Portico uses for every database: the Prisma plugin binds each object type to
 * its Prisma model; the Federation plugin (with Directives) makes the subgraph (./federation.ts);
 * reads are planned by ../planner, Relay's types are ./relay-types.ts.
 */
import SchemaBuilder from '@pothos/core'
import DirectivePlugin from '@pothos/plugin-directives'
import FederationPlugin from '@pothos/plugin-federation'
import PrismaPlugin from '@pothos/plugin-prisma'
import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma'
import { SCALARS } from './scalars.js'
import { EXTENSION_PLUGIN } from './extension-plugin.js'

/**
 * Model names are only known at run time, so Pothos's per-model static types cannot apply: the
 * builder is used untyped, and the exact-data tests check what it builds.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Builder = any

export interface BuilderOptions {
  prisma: unknown
  dmmf: PothosPrismaDatamodel
}

export function createBuilder({ prisma, dmmf }: BuilderOptions): Builder {
  const builder: Builder = new SchemaBuilder<{ PrismaTypes: {}; Context: object; DefaultFieldNullability: false }>({
    // Federation after the plugins that wrap resolvers, as its documentation asks.
    // Extensions' plugin first: it sees field configs after plugin-prisma (./extension-plugin.ts).
    plugins: [EXTENSION_PLUGIN, PrismaPlugin, DirectivePlugin, FederationPlugin],
    defaultFieldNullability: false,
    prisma: {
      client: prisma as never,
      dmmf,
      exposeDescriptions: true,
      filterConnectionTotalCount: true,
      onUnusedQuery: null,
    },
  } as never)
  for (const [name, scalar] of Object.entries(SCALARS)) builder.addScalarType(name, scalar, {})
  return builder
}
