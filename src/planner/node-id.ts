/**
 * Global ids (`nodeId`), as Pothos's Relay plugin writes them: base64 of `Type:key`, the key being
 * the column's text, or a JSON array of texts for a compound key. ./compile-read.ts encodes them
 * in SQL; this reads one back.
 */
import { decodeGlobalID } from '@pothos/plugin-relay'
import { isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql'
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import { badInput } from './client-errors.js'

export function decodeNodeId(datamodel: Datamodel, schema: GraphQLSchema, nodeId: string): { model: ModelInfo; type: GraphQLObjectType; key: unknown[] } {
  const invalid = () => badInput(`Invalid nodeId: ${nodeId}`)
  let decoded: { typename: string; id: string }
  try {
    decoded = decodeGlobalID(nodeId)
  } catch {
    throw invalid()
  }
  const model = datamodel.models.get(decoded.typename)
  const type = schema.getType(decoded.typename)
  if (!model?.keyName || !isObjectType(type)) throw invalid()
  if (model.key.length === 1) return { model, type, key: [decoded.id] }
  try {
    const key = JSON.parse(decoded.id) as unknown
    if (Array.isArray(key) && key.length === model.key.length) return { model, type, key }
  } catch {
    // reported below
  }
  throw invalid()
}
