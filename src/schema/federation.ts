/**
 * The Apollo Federation 2 side of the schema: every keyed type (or those the config names) is an
 * entity with `@key` on its key and on each single-column unique key. `_entities` is compiled
 * into the operation's one statement (../planner/compile-operation.ts); executed field by field,
 * references resolve through the planner's per-request loaders, one statement per type and key,
 * however many representations. `@shareable` and `@inaccessible` come from the config.
 */
import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql'
import type { SchemaContext } from './schema-context.js'
import { entityKeys, representationKey } from '../planner/entity-keys.js'

/** The federation version the subgraph links to. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6'

/** Pothos federation options for a type ("Film") or a field ("Film.title"), from the config. */
export function federationMarks(ctx: SchemaContext, name: string): { shareable?: true; inaccessible?: true } {
  return {
    ...(ctx.federation.shareable.includes(name) ? { shareable: true } : {}),
    ...(ctx.federation.inaccessible.includes(name) ? { inaccessible: true } : {}),
  }
}

export function declareEntities(ctx: SchemaContext): void {
  const chosen = ctx.federation.entities
  for (const model of ctx.datamodel.models.values()) {
    if (!model.keyName || (chosen && !chosen.includes(model.name))) continue
    ctx.builder.asEntity(model.name, {
      key: entityKeys(model).map((fields) => ctx.builder.selection(fields.join(' '))),
      // async: a bad representation fails its own item of `_entities`, not the whole list.
      resolveReference: async (representation: Record<string, unknown>, context: object, info: GraphQLResolveInfo) => {
        const fields = representationKey(model, representation)
        const type = info.schema.getType(model.name) as GraphQLObjectType
        return ctx.planner.byKey(model, fields.map((f) => representation[f]), type, info, context, fields)
      },
    })
  }
}
