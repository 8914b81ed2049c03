/** `portico print`: the GraphQL SDL of the database, to stdout or a file. */
import { writeFile } from 'node:fs/promises'
import type { PorticoConfig } from '../config/config.js'
import { createGateway } from '../gateway.js'
import { createLogger } from '../log.js'
import { printGraphQLSchema } from '../schema/build-schema.js'
import { openDatabase } from './database.js'
import { createProgress } from './progress.js'

export async function runPrint(config: PorticoConfig, out: string | undefined): Promise<void> {
  const progress = createProgress()
  const database = await openDatabase(config, progress)
  try {
    const gateway = await createGateway({ databaseUrl: database.url, config: database.config, logger: createLogger(config.logLevel), onProgress: progress })
    const sdl = printGraphQLSchema(gateway.schema)
    await gateway.close()
    if (out) await writeFile(out, sdl)
    else process.stdout.write(sdl)
  } finally {
    await database.close()
  }
}
