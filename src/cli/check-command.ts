/**
 * `portico check`: does the database still match the committed prisma/schema.prisma and
 * schema.graphql? Introspects it as `portico introspect` would (from the committed Prisma schema,
 * so its renames are kept), then prints what differs: the Prisma schema as lines added and
 * removed, the GraphQL API change by change, each breaking, dangerous or safe.
 *
 * Exit 0: both match; 1: either differs (or the database cannot be read); 2: configuration
 * errors, or no committed files to compare with.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { PorticoConfig } from '../config/config.js'
import { countBySeverity, formatChanges, graphqlChanges, schemaFromSdl, SdlError } from '../check/graphql-changes.js'
import { formatLineChanges, prismaChanges } from '../check/prisma-changes.js'
import { createGateway } from '../gateway.js'
import { createLogger } from '../log.js'
import { printGraphQLSchema } from '../schema/build-schema.js'
import { openDatabase } from './database.js'
import { createProgress } from './progress.js'

export async function runCheck(config: PorticoConfig, dir: string, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const progress = createProgress()
  const root = resolve(dir)
  const files = { prisma: join(root, 'prisma', 'schema.prisma'), graphql: join(root, 'schema.graphql') }
  const missing = Object.values(files).filter((file) => !existsSync(file))
  if (missing.length > 0) {
    process.stderr.write(`portico: nothing to check against: ${missing.join(' and ')} ${missing.length === 1 ? 'does' : 'do'} not exist (write them with portico introspect --dir ${dir})\n`)
    return 2
  }
  const committed = { prisma: await readFile(files.prisma, 'utf8'), graphql: await readFile(files.graphql, 'utf8') }
  let committedSchema
  try {
    committedSchema = schemaFromSdl(committed.graphql, files.graphql)
  } catch (error) {
    if (!(error instanceof SdlError)) throw error
    process.stderr.write(`portico: ${error.message}\n`)
    return 2
  }
  const database = await openDatabase(config, progress)
  let live: { prisma: string; graphql: string }
  try {
    const gateway = await createGateway({ databaseUrl: database.url, config: database.config, logger: createLogger(config.logLevel), onProgress: progress, committedPrismaSchema: committed.prisma })
    live = { prisma: gateway.prismaSchema, graphql: printGraphQLSchema(gateway.schema) }
    await gateway.close()
  } finally {
    await database.close()
  }
  const name = (file: string) => relative(process.cwd(), file) || file
  let drifted = false
  if (live.prisma !== committed.prisma) {
    drifted = true
    const lines = prismaChanges(committed.prisma, live.prisma)
    out.write(`${name(files.prisma)} differs from the database (${lines.length} line${lines.length === 1 ? '' : 's'}; + is the database's):\n${formatLineChanges(lines)}`)
  }
  if (live.graphql !== committed.graphql) {
    drifted = true
    const changes = await graphqlChanges(committedSchema, schemaFromSdl(live.graphql, 'the database'))
    out.write(
      changes.length > 0
        ? `${name(files.graphql)} differs from the database's API: ${changes.length} change${changes.length === 1 ? '' : 's'} (${countBySeverity(changes)}):\n${formatChanges(changes)}`
        : `${name(files.graphql)} differs from the database's API in its text only (order or formatting)\n`,
    )
  }
  if (!drifted) {
    out.write(`the database matches ${name(files.prisma)} and ${name(files.graphql)}\n`)
    return 0
  }
  out.write('the database no longer matches the committed schema: review the changes, then run portico introspect to commit them\n')
  return 1
}
