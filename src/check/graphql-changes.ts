/**
 * The changes between two GraphQL schemas, each classed breaking, dangerous or safe by GraphQL
 * Inspector's core library (`@graphql-inspector/core`): the rules are theirs, kept up to date with
 * the spec and with what clients rely on, not a list of our own.
 */
import { CriticalityLevel, diff } from '@graphql-inspector/core'
import { buildSchema, type GraphQLSchema } from 'graphql'

export type Severity = 'breaking' | 'dangerous' | 'safe'

export interface SchemaChange {
  severity: Severity
  message: string
  /** Where in the schema (`Iotawatt.power`), when the change is about one coordinate. */
  path?: string
}

const SEVERITY: Record<CriticalityLevel, Severity> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
}
const ORDER: Severity[] = ['breaking', 'dangerous', 'safe']

/** An SDL text that is not a valid schema; `source` names the file. */
export class SdlError extends Error {
  override name = 'SdlError'
}

export function schemaFromSdl(sdl: string, source: string): GraphQLSchema {
  try {
    return buildSchema(sdl)
  } catch (error) {
    throw new SdlError(`${source} is not a valid GraphQL schema: ${(error as Error).message.split('\n')[0]}`)
  }
}

/** The changes from `before` to `after`, breaking ones first. */
export async function graphqlChanges(before: GraphQLSchema, after: GraphQLSchema): Promise<SchemaChange[]> {
  const changes = await diff(before, after)
  return changes
    .map((change) => ({ severity: SEVERITY[change.criticality.level], message: change.message, ...(change.path ? { path: change.path } : {}) }))
    .sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity))
}

/** How many of each severity: `1 breaking, 0 dangerous, 2 safe`. */
export function countBySeverity(changes: SchemaChange[]): string {
  return ORDER.map((severity) => `${changes.filter((c) => c.severity === severity).length} ${severity}`).join(', ')
}

/** One line per change, its severity first and aligned. */
export function formatChanges(changes: SchemaChange[]): string {
  return changes.map((c) => `  ${c.severity.padEnd(9)} ${c.message}\n`).join('')
}
