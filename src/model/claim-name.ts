/**
 * One scope of GraphQL names (types, or one type's fields), each with what it names, so that when
 * two sources meet the error says both: naming (./apply-names.ts) and the whole-schema check
 * (./check-names.ts) claim names the same way.
 */
import { ModelError } from '../errors.js'

export type Names = Map<string, string>

/** Takes `name` for `what` (the same source may claim it again), or stops start-up naming both. */
export function claimName(name: string, names: Names, what: string, fix = 'rename one with a smart comment (@name, or @fieldName on a foreign key) or the config\'s smartTags'): string {
  const other = names.get(name)
  if (other !== undefined && other !== what) throw new ModelError(`${what} and ${other} would both be named "${name}" in the API: ${fix}`)
  names.set(name, what)
  return name
}
