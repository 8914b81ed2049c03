/**
 * What each GraphQL field of a model type reads, recorded on the field itself (its `extensions`)
 * when the schema is built, so the compiler can turn any selection into SQL without a lookup table.
 */
import type { GraphQLField } from 'graphql'
import type { DMMFField, ModelInfo } from '../model/datamodel.js'
import type { FunctionInfo } from '../model/functions.js'

export type FieldSource =
  /** A column, served as its GraphQL scalar. */
  | { kind: 'column'; field: DMMFField }
  /** A to-one relation: the related row or null. */
  | { kind: 'toOne'; relation: string }
  /** A to-many relation as a connection. */
  | { kind: 'connection'; relation: string }
  /** A many-to-many shortcut: the far rows reached through the join model, as a connection. */
  | { kind: 'manyToMany'; toJoin: string; join: ModelInfo; toFar: string; far: ModelInfo }
  /** A computed field: a function of the row (and the field's arguments), called in the row's statement. */
  | { kind: 'computed'; fn: FunctionInfo }

/** What a root field of Query reads: a model's list or groups, one row by key, or any row by nodeId. */
export type RootSource =
  | { kind: 'rootList'; model: ModelInfo }
  | { kind: 'groupBy'; model: ModelInfo }
  /** By a whole unique key: the primary key, or another unique key's `fields`. */
  | { kind: 'lookup'; model: ModelInfo; fields: string[] }
  | { kind: 'node' }
  /** A function's root Query field (a Mutation field's function runs through its resolver). */
  | { kind: 'function'; fn: FunctionInfo }

export const rootSource = (source: RootSource) => ({ portico: source })

export function rootSourceOf(def: GraphQLField<unknown, unknown>): RootSource | undefined {
  return (def.extensions as { portico?: RootSource } | undefined)?.portico
}

export const fieldSource = (source: FieldSource) => ({ portico: source })

export function sourceOf(def: GraphQLField<unknown, unknown>): FieldSource | undefined {
  return (def.extensions as { portico?: FieldSource } | undefined)?.portico
}
