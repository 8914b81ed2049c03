/**
 * Prisma's schema engine's answer, kept under .portico/introspection/ by what it depends on: the
 * catalogs' fingerprint (./catalog-fingerprint.ts), the exposed schemas, the previous
 * schema.prisma and the engine's version. A start on an unchanged database reads the answer
 * instead of loading and running the engine (a 5 MB WASM module: most of a warm start's time
 * and memory). Any change to the structure changes the fingerprint, so the engine runs again.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { PACKAGE_ROOT } from '../package-root.js'
import { catalogFingerprint, type CatalogQuery } from './catalog-fingerprint.js'
import type { IntrospectionResult } from './schema-engine.js'

export interface IntrospectionCacheKey {
  query: CatalogQuery
  schemas: string[]
  previous: string
}

/** Bumped when Portico changes how it calls the engine, so older answers are not reused. */
const CACHE_FORMAT = 1
const DIRECTORY = join(PACKAGE_ROOT, '.portico', 'introspection')

/** The engine package's version (its package.json is not exported: found beside its entry). */
async function engineVersionOnce(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  return (JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as { version: string }).version
}

export async function cachedIntrospection(
  key: IntrospectionCacheKey,
  introspect: () => Promise<IntrospectionResult>,
  onProgress?: (message: string) => void,
): Promise<IntrospectionResult> {
  const engineVersion = await engineVersionOnce()
  const fingerprint = await catalogFingerprint(key.query)
  const hash = createHash('sha256').update(JSON.stringify([CACHE_FORMAT, engineVersion, fingerprint, key.schemas, key.previous])).digest('hex').slice(0, 32)
  const file = join(DIRECTORY, `${hash}.json`)
  if (existsSync(file)) {
    try {
      const cached = JSON.parse(await readFile(file, 'utf8')) as IntrospectionResult
      onProgress?.(`the catalogs of schemas ${key.schemas.join(', ')} have not changed: reusing their introspection`)
      return cached
    } catch {
      // unreadable (a disk problem): introspect again and rewrite it
    }
  }
  const result = await introspect()
  // Beside, then renamed: a concurrent start never reads half a file. A cache that cannot be
  // written (read-only install) only costs the next start the engine run.
  const staging = `${file}.${process.pid}.${Date.now()}`
  await mkdir(DIRECTORY, { recursive: true })
    .then(() => writeFile(staging, JSON.stringify(result)))
    .then(() => rename(staging, file))
    .catch(() => {})
  return result
}
