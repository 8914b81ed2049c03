/**
 * Prisma's own introspection (`prisma db pull`) without its native binary: the schema engine
 * compiled to WASM, talking to PostgreSQL through a driver adapter. See
 * ../shared/notes/prisma-offline.md for why each step is here.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import { fixColumnTypes } from '../db/column-type-fixes.js'

type EngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg')
type SchemaEngine = Awaited<ReturnType<EngineModule['SchemaEngine']['new']>>

let engineModule: Promise<EngineModule> | undefined

/** The wasm-bindgen entry imports the .wasm file directly, which Node cannot; wire it by hand. */
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url)
    const dir = dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'))
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as EngineModule & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void
    }
    const bytes = await readFile(join(dir, 'schema_engine_bg.wasm'))
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue as never })
    glue.__wbg_set_wasm(instance.exports)
    ;(instance.exports.__wbindgen_start as () => void)()
    return glue
  })()
  return engineModule
}

/** Engine panics are reported through this global; keep the message so the error says something. */
function installPanicRegistry(): void {
  const registry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { message: string; set_message(m: string): void } }
  registry.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    set_message(message: string) {
      this.message = message
    },
  }
}

export interface IntrospectionResult {
  /** The Prisma schema text, exactly as `prisma db pull` would write it. */
  schema: string
  /** What the engine left out or changed, and why (human-readable). */
  warnings: string[]
}

/**
 * Introspect the database behind `adapterFactory`. `previous` is the current schema text: the
 * engine keeps its `@map`/`@@map` renames, its datasource and its generators.
 */
export async function introspectWithPrisma(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  previous: string,
  schemas: string[] | null,
): Promise<IntrospectionResult> {
  installPanicRegistry()
  const { SchemaEngine } = await loadEngineModule()
  const path = 'schema.prisma'
  const factory = {
    ...adapterFactory,
    provider: adapterFactory.provider,
    adapterName: adapterFactory.adapterName,
    connect: async () => fixColumnTypes(await adapterFactory.connect()),
    connectToShadowDb: async () => fixColumnTypes(await adapterFactory.connectToShadowDb()),
  }
  let engine: SchemaEngine | undefined
  try {
    engine = await SchemaEngine.new({ datamodels: [[path, previous]] }, () => {}, bindMigrationAwareSqlAdapterFactory(factory))
    const result = await engine.introspect({
      schema: { files: [{ path, content: previous }] },
      baseDirectoryPath: process.cwd(),
      force: false,
      compositeTypeDepth: -1,
      namespaces: schemas,
    } as never)
    const content = result.schema.files[0]?.content ?? ''
    return { schema: content, warnings: result.warnings ? [result.warnings] : [] }
  } catch (error) {
    throw engineError(error)
  } finally {
    engine?.free()
  }
}

function engineError(error: unknown): Error {
  const panic = (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { message: string } }).PRISMA_WASM_PANIC_REGISTRY
  if (error instanceof WebAssembly.RuntimeError && panic?.message) return new Error(`Prisma schema engine panicked: ${panic.message}`)
  if (error instanceof Error) return error
  // The engine rejects with plain objects ({ message, error_code, meta }).
  const message = (error as { message?: string })?.message ?? JSON.stringify(error)
  return Object.assign(new Error(message), { cause: error })
}
