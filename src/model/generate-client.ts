/**
 * Turns a schema.prisma text into a loaded Prisma client and Pothos datamodel by running Prisma's
 * own generators (`prisma generate`, offline: see prisma/no-schema-engine.sh). Prisma writes
 * TypeScript; it is bundled once into two JavaScript files (esbuild), so serving transpiles
 * nothing. Results are cached by the schema's hash under .portico/clients/, so a restart on an
 * unchanged database is fast.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { PothosPrismaDatamodel } from '@pothos/plugin-prisma'
import { fixPothosTypes } from './fix-pothos-types.js'

import { PACKAGE_ROOT } from '../package-root.js'

export { PACKAGE_ROOT }
// Resolved, not joined to PACKAGE_ROOT: installed as a dependency, Portico's own dependencies sit
// beside it (node_modules/prisma), not under it (node_modules/portico/node_modules/prisma).
const PRISMA_CLI = createRequire(import.meta.url).resolve('prisma/build/index.js')
/** The node_modules/.bin holding the generators' commands (`prisma-pothos-types`), beside prisma. */
const GENERATOR_BIN = join(dirname(PRISMA_CLI), '..', '..', '.bin')
const NO_SCHEMA_ENGINE = join(PACKAGE_ROOT, 'prisma', 'no-schema-engine.sh')

export interface GeneratedClient {
  PrismaClient: new (options: { adapter: unknown; log?: unknown }) => PrismaClientLike
  datamodel: PothosPrismaDatamodel
  directory: string
}

export interface PrismaClientLike {
  $disconnect(): Promise<void>
  $on(event: 'query', listener: (event: { query: string; params: string; duration: number }) => void): void
}

/** Run `prisma generate` for the schema file at `schemaPath` (its generators decide the outputs). */
export async function runPrismaGenerate(schemaPath: string): Promise<void> {
  const env = {
    ...process.env,
    PATH: [GENERATOR_BIN, join(PACKAGE_ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    PRISMA_SCHEMA_ENGINE_BINARY: NO_SCHEMA_ENGINE,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  }
  const output: string[] = []
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, 'generate', '--schema', schemaPath], { cwd: PACKAGE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (chunk) => output.push(String(chunk)))
    child.stderr.on('data', (chunk) => output.push(String(chunk)))
    child.on('error', reject)
    child.on('close', (status) => resolve(status ?? 1))
  })
  if (code !== 0) throw new Error(`prisma generate failed:\n${output.join('').trim()}`)
}

/** Generate (or reuse) the client for this schema text and load it. */
export async function loadGeneratedClient(schemaText: string, onProgress?: (message: string) => void): Promise<GeneratedClient> {
  const hash = createHash('sha256').update(schemaText).digest('hex').slice(0, 16)
  const directory = join(PACKAGE_ROOT, '.portico', 'clients', hash)
  const generated = join(directory, 'src', 'generated')
  if (!existsSync(join(generated, 'pothos-types.ts'))) {
    onProgress?.('generating the Prisma client and Pothos types')
    // Generate beside, then rename: concurrent starts never see a half-written client.
    const staging = `${directory}.${process.pid}.${Date.now()}`
    await mkdir(join(staging, 'prisma'), { recursive: true })
    await writeFile(join(staging, 'prisma', 'schema.prisma'), schemaText)
    try {
      await runPrismaGenerate(join(staging, 'prisma', 'schema.prisma'))
      await fixPothosTypes(join(staging, 'src', 'generated'))
      await compileGeneratedClient(join(staging, 'src', 'generated'))
      await rename(staging, directory).catch(async (error: NodeJS.ErrnoException) => {
        if (!existsSync(directory)) throw error // someone else won the race otherwise
        await rm(staging, { recursive: true, force: true })
      })
    } catch (error) {
      await rm(staging, { recursive: true, force: true })
      throw error
    }
  } else {
    onProgress?.('reusing the generated Prisma client for this schema')
    // Cached by an earlier Portico that loaded the TypeScript itself.
    if (!existsSync(join(generated, COMPILED.datamodel))) await compileGeneratedClient(generated)
  }
  return importGeneratedClient(generated, directory)
}

/** The JavaScript bundles beside Prisma's TypeScript (relative to the generated folder). */
const COMPILED = { client: join('js', 'client.js'), datamodel: join('js', 'pothos-types.js') }

/**
 * Bundles the generated client (client.ts and the internal modules it imports) and the Pothos
 * datamodel into one JavaScript file each, packages left as imports. Types vanish; the
 * `import.meta.url` Prisma's client reads is the bundle's, in the same folder depth.
 */
async function compileGeneratedClient(generatedDir: string): Promise<void> {
  // Only here: a warm start never loads esbuild.
  const { build } = await import('esbuild')
  await build({
    entryPoints: { client: join(generatedDir, 'prisma', 'client.ts'), 'pothos-types': join(generatedDir, 'pothos-types.ts') },
    outdir: join(generatedDir, 'js'),
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  })
}

async function importGeneratedClient(generatedDir: string, directory: string): Promise<GeneratedClient> {
  const client = (await import(pathToFileURL(join(generatedDir, COMPILED.client)).href)) as Pick<GeneratedClient, 'PrismaClient'>
  const types = (await import(pathToFileURL(join(generatedDir, COMPILED.datamodel)).href)) as { getDatamodel(): PothosPrismaDatamodel }
  return { PrismaClient: client.PrismaClient, datamodel: types.getDatamodel(), directory }
}
