/**
 * `portico introspect`: project mode. Writes prisma/schema.prisma (Prisma's introspection with
 * Portico's naming), generates the Prisma client and Pothos types into src/generated/, and writes
 * schema.graphql, all under the project directory.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { PorticoConfig } from '../config/config.js'
import { createGateway } from '../gateway.js'
import { createLogger } from '../log.js'
import { runPrismaGenerate } from '../model/generate-client.js'
import { fixPothosTypes } from '../model/fix-pothos-types.js'
import { printGraphQLSchema } from '../schema/build-schema.js'
import { openDatabase } from './database.js'
import { createProgress } from './progress.js'

export async function runIntrospect(config: PorticoConfig, dir: string): Promise<void> {
  const progress = createProgress()
  const root = resolve(dir)
  const database = await openDatabase(config, progress)
  const schemaPath = join(root, 'prisma', 'schema.prisma')
  // The project's own committed schema is where introspection starts (its renames are kept).
  const before = existsSync(schemaPath) ? await readFile(schemaPath, 'utf8') : undefined
  try {
    const gateway = await createGateway({ committedPrismaSchema: before, databaseUrl: database.url, config: database.config, logger: createLogger(config.logLevel), onProgress: progress })
    const sdl = printGraphQLSchema(gateway.schema)
    await gateway.close()
    await mkdir(join(root, 'prisma'), { recursive: true })
    await writeFile(schemaPath, gateway.prismaSchema)
    progress(before === gateway.prismaSchema ? `${schemaPath} unchanged` : `wrote ${schemaPath}`)
    progress('generating the Prisma client and Pothos types into src/generated/')
    await runPrismaGenerate(schemaPath)
    await fixPothosTypes(join(root, 'src', 'generated'))
    await writeFile(join(root, 'schema.graphql'), sdl)
    progress(`wrote ${join(root, 'schema.graphql')}`)
  } finally {
    await database.close()
  }
}
