/**
 * The Apollo Federation 2 side of the schema: every keyed type (or those the config names) is an
 * entity with `@key` on its key and on each single-column unique key, resolved through the
 * planner's per-request loaders, so `_entities` costs one statement per type and shape, however
 * many representations it gets. `@shareable` and `@inaccessible` come from the config.
 */
import { GraphQLError, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql'
import type { SchemaContext } from './schema-context.js'
import type { ModelInfo } from '../model/datamodel.js'

/** The federation version the subgraph links to. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6'

/** Pothos federation options for a type ("Film") or a field ("Film.title"), from the config. */
export function federationMarks(ctx: SchemaContext, name: string): { shareable?: true; inaccessible?: true } {
  return {
    ...(ctx.federation.shareable.includes(name) ? { shareable: true } : {}),
    ...(ctx.federation.inaccessible.includes(name) ? { inaccessible: true } : {}),
  }
}

/** The keys an entity is found by: its key first, then each single-column unique key. */
export function entityKeys(model: ModelInfo): string[][] {
  const keys = [model.key]
  for (const unique of model.uniques) {
    const [name] = unique
    const single = unique.length === 1 && model.scalars.find((f) => f.name === name)?.isRequired
    if (single && !keys.some((k) => k.length === 1 && k[0] === name)) keys.push(unique)
  }
  return keys
}

export function declareEntities(ctx: SchemaContext): void {
  const chosen = ctx.federation.entities
  for (const model of ctx.datamodel.models.values()) {
    if (!model.keyName || (chosen && !chosen.includes(model.name))) continue
    const keys = entityKeys(model)
    ctx.builder.asEntity(model.name, {
      key: keys.map((fields) => ctx.builder.selection(fields.join(' '))),
      // async: a bad representation fails its own item of `_entities`, not the whole list.
      resolveReference: async (representation: Record<string, unknown>, context: object, info: GraphQLResolveInfo) => {
        const fields = keyOf(model, keys, representation)
        const type = info.schema.getType(model.name) as GraphQLObjectType
        return ctx.planner.byKey(model, fields.map((f) => representation[f]), type, info, context, fields)
      },
    })
  }
}

/** The key a representation gives; unknown fields, or none of the keys complete, are the caller's error. */
function keyOf(model: ModelInfo, keys: string[][], representation: Record<string, unknown>): string[] {
  const known = new Set(['__typename', ...keys.flat()])
  const unknown = Object.keys(representation).filter((f) => !known.has(f))
  const expected = keys.map((k) => `{ ${k.join(' ')} }`).join(' or ')
  if (unknown.length) {
    throw new GraphQLError(`A ${model.name} representation has fields that are not a key: ${unknown.join(', ')} (give ${expected})`, { extensions: { code: 'BAD_USER_INPUT' } })
  }
  const key = keys.find((k) => k.every((f) => representation[f] !== undefined && representation[f] !== null))
  if (!key) throw new GraphQLError(`A ${model.name} representation needs ${expected}`, { extensions: { code: 'BAD_USER_INPUT' } })
  return key
}
