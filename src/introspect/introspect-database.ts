/**
 * Introspection as Portico does it: Prisma's engine for tables, views, keys, relations and enums,
 * the catalogs for the rest, then Portico's refinements. Returns the schema.prisma text.
 */
import type pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { assertSchemasExist, readCatalog, type Catalog } from './catalog.js'
import { cachedIntrospection } from './introspection-cache.js'
import { applyConfigTags, type SmartTagsConfig } from './config-tags.js'
import { refinePrismaSchema } from '../model/refine-schema.js'
import { schemaHeader } from '../model/schema-header.js'

export interface IntrospectOptions {
  schemas: string[]
  primaryKeys: Record<string, string[]>
  /** Smart tags from the config, merged into the comments' (./config-tags.ts). */
  smartTags?: SmartTagsConfig
  /** The current schema.prisma, if any: keeps its names stable across runs. */
  previous?: string
  onProgress?: (message: string) => void
}

export interface DatabaseModel {
  prismaSchema: string
  /** The catalog read alongside: the planner takes column types from it. */
  catalog: Catalog
  notes: string[]
  warnings: string[]
}

export async function introspectDatabase(pool: pg.Pool, options: IntrospectOptions): Promise<DatabaseModel> {
  const query = (sql: string, params?: unknown[]) => pool.query(sql, params as never[])
  await assertSchemasExist(query, options.schemas)
  const header = schemaHeader(options.schemas)
  const previous = options.previous && sameSchemas(options.previous, header) ? options.previous : header
  const engine = await cachedIntrospection({ query, schemas: options.schemas, previous }, async () => {
    options.onProgress?.(`introspecting schemas ${options.schemas.join(', ')} with Prisma's schema engine`)
    // Loaded only when the catalogs changed: the engine is a 5 MB WASM module.
    const { introspectWithPrisma } = await import('./schema-engine.js')
    return introspectWithPrisma(new PrismaPg(pool) as never, previous, options.schemas)
  }, options.onProgress)
  const catalog = await readCatalog(query, options.schemas)
  const unmatchedTags = applyConfigTags(catalog, options.smartTags, options.primaryKeys)
  options.onProgress?.('applying Portico naming, keys, materialized views and descriptions')
  const refined = refinePrismaSchema(withHeader(engine.schema, header), catalog)
  return { prismaSchema: refined.schema, catalog, notes: refined.notes, warnings: [...unmatchedTags, ...engine.warnings.map(withoutHandledWarnings).filter(Boolean)] }
}

/** Keep Portico's header (comments, generators) whatever the engine kept of the previous file. */
function withHeader(schema: string, header: string): string {
  const firstBlock = schema.search(/^(model|view|enum)\s/m)
  return firstBlock < 0 ? header : `${header}\n${schema.slice(firstBlock)}`
}

function sameSchemas(previous: string, header: string): boolean {
  const schemasOf = (text: string) => /schemas\s*=\s*(\[[^\]]*\])/.exec(text)?.[1]?.replace(/\s/g, '')
  return schemasOf(previous) === schemasOf(header)
}

/**
 * Prisma's warning sections about what Portico handles itself (comments become descriptions,
 * keyless tables are kept, partitioned tables are one type, unsupported types are read as text)
 * would only mislead in the log.
 */
function withoutHandledWarnings(warning: string): string {
  const sections = warning
    .split(/\n(?=\S)/)
    .filter((section) => !/comments defined in the database|do not have a valid unique identifier|partition tables, which are not yet|not supported by Prisma Client/.test(section))
  const text = sections.join('\n').trim()
  return /^\*\*\* WARNING \*\*\*$/.test(text) ? '' : text
}
