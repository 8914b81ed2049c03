/**
 * Federation entity keys: which columns find a row from a representation. A type's key first,
 * then each single-column unique key (`@key(fields: "email")`).
 */
import { GraphQLError } from 'graphql'
import type { ModelInfo } from '../model/datamodel.js'

export function entityKeys(model: ModelInfo): string[][] {
  const keys = [model.key]
  for (const unique of model.uniques) {
    const [name] = unique
    const single = unique.length === 1 && model.scalars.find((f) => f.name === name)?.isRequired
    if (single && !keys.some((k) => k.length === 1 && k[0] === name)) keys.push(unique)
  }
  return keys
}

/** The key a representation gives; unknown fields, or no complete key, are the caller's error. */
export function representationKey(model: ModelInfo, representation: Record<string, unknown>): string[] {
  const keys = entityKeys(model)
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
