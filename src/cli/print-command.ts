/** `portico print`: the GraphQL SDL of the database (or its federation subgraph), to stdout or a file. */
import { writeFile } from 'node:fs/promises'
import type { PorticoConfig } from '../config/config.js'
import { createGateway } from '../gateway.js'
import { createLogger } from '../log.js'
import { printGraphQLSchema, printSubgraphSDL } from '../schema/build-schema.js'
import { openDatabase } from './database.js'
import { createProgress } from './progress.js'

/** `federation`: the subgraph's SDL, as a composition tool reads it; else the plain schema (schema.graphql). */
export async function runPrint(config: PorticoConfig, out: string | undefined, federation = false): Promise<void> {
  const progress = createProgress()
  const database = await openDatabase(config, progress)
  try {
    const gateway = await createGateway({ databaseUrl: database.url, config: database.config, logger: createLogger(config.logLevel), onProgress: progress })
    const sdl = federation ? printSubgraphSDL(gateway.subgraph) : printGraphQLSchema(gateway.schema)
    await gateway.close()
    if (out) await writeFile(out, sdl)
    else process.stdout.write(sdl)
  } finally {
    await database.close()
  }
}
