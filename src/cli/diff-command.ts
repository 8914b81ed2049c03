/**
 * `portico diff OLD.graphql NEW.graphql`: the changes between two SDL files, each breaking,
 * dangerous or safe (../check/graphql-changes.ts), for CI. Exit 0: no breaking change; 1: at
 * least one breaking change; 2: a file that cannot be read or is not a valid schema.
 */
import { readFile } from 'node:fs/promises'
import { countBySeverity, formatChanges, graphqlChanges, schemaFromSdl, SdlError } from '../check/graphql-changes.js'

export async function runDiff(oldFile: string, newFile: string, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let schemas
  try {
    schemas = await Promise.all([oldFile, newFile].map(async (file) => schemaFromSdl(await readFile(file, 'utf8'), file)))
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    process.stderr.write(`portico: ${error instanceof SdlError ? e.message : `cannot read ${e.path ?? 'a file'}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`}\n`)
    return 2
  }
  const changes = await graphqlChanges(schemas[0]!, schemas[1]!)
  if (changes.length === 0) {
    out.write(`no changes from ${oldFile} to ${newFile}\n`)
    return 0
  }
  out.write(`${changes.length} change${changes.length === 1 ? '' : 's'} from ${oldFile} to ${newFile} (${countBySeverity(changes)}):\n${formatChanges(changes)}`)
  return changes.some((c) => c.severity === 'breaking') ? 1 : 0
}
