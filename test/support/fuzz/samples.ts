/**
 * What the fuzzer needs to know about the data before it starts, read through the API itself:
 * real nodeIds and cursors (so hostile cases can sit next to valid ones), one existing key per
 * table (a create with it must fail as a duplicate) and one key no row has (an update or delete
 * with it must fail as not found). Mutations built on these are invalid by construction, so the
 * database must be exactly as before when the fuzzer is done (./mutations.ts).
 */
import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql'
import type { Datamodel, ModelInfo } from '../../../src/model/datamodel.js'
import { rootSourceOf } from '../../../src/planner/field-source.js'
import type { Pools } from './hostile.js'

export type Key = Record<string, unknown>

export interface ModelSample {
  model: ModelInfo
  /** The GraphQL type of each key field (Int, BigInt, String, Date, ...). */
  keyTypes: Record<string, string>
  /** Keys of rows that exist, as the API serves them (valid input values as they are). */
  keys: Key[]
  /** A key no row has. */
  ghost: Key
}

export interface Samples extends Pools {
  models: Map<string, ModelSample>
  /** Federation representations of rows that exist. */
  representations: Record<string, unknown>[]
}

type Post = (query: string) => Promise<{ data?: any; errors?: unknown[] }>

const GHOSTS: Record<string, unknown> = { Int: -777, BigInt: '-777', String: 'fuzz-ghost', Date: '1800-01-01', DateTime: '1800-01-01T00:00:00Z', LocalDateTime: '1800-01-01T00:00:00', UUID: '00000000-0000-0000-0000-0000000f0220', Time: '03:03:03' }

export async function collectSamples(schema: GraphQLSchema, datamodel: Datamodel, post: Post): Promise<Samples> {
  const samples: Samples = { nodeIds: [], cursors: [], models: new Map(), representations: [] }
  const query = schema.getQueryType()!
  const lookups = new Map<string, string>()
  for (const field of Object.values(query.getFields())) {
    const source = rootSourceOf(field)
    // The key's own lookup (`person(id:)`), not one by another unique key (`personByEmail`).
    if (source?.kind === 'lookup' && source.fields.join() === source.model.key.join()) lookups.set(source.model.name, field.name)
  }
  for (const field of Object.values(query.getFields())) {
    const source = rootSourceOf(field)
    if (source?.kind !== 'rootList') continue
    const model = source.model
    if (!model.keyName) {
      // Keyless: offset cursors only.
      const result = await must(post(`{ ${field.name}(first: 3) { edges { cursor } } }`))
      samples.cursors.push(...result[field.name].edges.map((e: { cursor: string }) => e.cursor))
      continue
    }
    const result = await must(post(`{ ${field.name}(first: 3) { edges { cursor node { nodeId ${model.key.join(' ')} } } } }`))
    const nodes = result[field.name].edges.map((e: { cursor: string; node: Key }) => (samples.cursors.push(e.cursor), e.node))
    const keys = nodes.map((node: Key) => Object.fromEntries(model.key.map((k) => [k, node[k]])))
    samples.nodeIds.push(...nodes.map((node: Key) => node.nodeId as string))
    const lookup = query.getFields()[lookups.get(model.name)!]!
    const keyTypes = Object.fromEntries(lookup.args.map((a) => [a.name, getNamedType(a.type).name]))
    if (!keys.length) continue
    const ghost = { ...keys[0], [model.key[0]!]: GHOSTS[keyTypes[model.key[0]!]!] ?? 'fuzz-ghost' }
    // The ghost must really be missing, or "must fail as not found" would not hold.
    const args = Object.entries(ghost).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')
    const found = await must(post(`{ ${lookup.name}(${args}) { __typename } }`))
    if (found[lookup.name] !== null) throw new Error(`the ghost key of ${model.name} exists: ${args}`)
    samples.models.set(model.name, { model, keyTypes, keys, ghost })
    if (isObjectType(schema.getType(model.name))) samples.representations.push({ __typename: model.name, ...keys[0] })
  }
  return samples
}

async function must(result: ReturnType<Post>): Promise<any> {
  const { data, errors } = await result
  if (errors?.length) throw new Error(`sampling failed: ${JSON.stringify(errors)}`)
  return data
}
