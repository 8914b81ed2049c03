#!/usr/bin/env node
/**
 * `npm run build`: Portico's TypeScript (src/) to JavaScript in dist/ with tsc
 * (tsconfig.build.json: type errors fail the build), then the command line bundled (esbuild:
 * dist/portico-cli.mjs and its chunks), then a stamp, dist/.built, then GraphiQL's
 * compressed files (src/serve/graphiql.ts), unless already made for this GraphiQL version. bin/portico.mjs
 * runs dist/ and calls buildIfStale() first in a checkout, so a changed source is never served stale.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SRC = join(ROOT, 'src')
const STAMP = join(ROOT, 'dist', '.built')
/** Inputs of the build besides src/. */
const CONFIGS = [join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json')]

/** Why dist/ must be (re)built, or undefined when it is up to date (or there are no sources to build). */
export function staleReason() {
  if (!existsSync(SRC)) return undefined // an installed package: dist/ is all there is
  if (!existsSync(STAMP)) return 'dist/ has not been built'
  const built = statSync(STAMP).mtimeMs
  const newer = (file) => statSync(file).mtimeMs > built
  if (CONFIGS.some((file) => existsSync(file) && newer(file))) return 'the TypeScript configuration changed'
  const changed = readdirSync(SRC, { recursive: true }).find((name) => /\.(ts|mts|cts|json)$/.test(name) && newer(join(SRC, name)))
  return changed ? `src/${changed} changed` : undefined
}

/** Runs tsc on tsconfig.build.json; throws with its output when it fails. */
export function build() {
  let tsc
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  } catch {
    throw new Error('TypeScript is not installed: run `npm install` (with dev dependencies), then `npm run build`')
  }
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`npm run build failed (tsc -p tsconfig.build.json):\n${(result.stdout + result.stderr).trim()}`)
  bundleCli()
  writeFileSync(STAMP, `${new Date().toISOString()}\n`)
}

/**
 * The command line (dist/cli/main.js and everything it imports) bundled: dist/portico-cli.mjs,
 * which bin/portico.mjs runs, and beside it the chunks only some commands load (`check` and
 * GraphQL Inspector, `inspect`, ...). Node then loads a few files instead of about a thousand ES
 * modules, which was most of a warm start (1.4 s of 2 s on Pagila; bundled, 0.4 s), and holds
 * only the code of the command it runs (idle RSS 137 MB; one file for all, 150). The library API
 * (dist/index.js) stays unbundled. Left outside the bundle, loaded from node_modules:
 * - graphql: one copy for Portico, its dependencies and the extensions a user loads (two copies
 *   of graphql reject each other's schemas); pg likewise, which Prisma's driver adapter (outside)
 *   checks our pool against with instanceof;
 * - packages with files of their own beside their code (Prisma's engines and CLI, PGlite's WASM),
 *   tsx and esbuild (which load extensions and bundle generated clients), and OpenTelemetry (only
 *   imported when tracing is on).
 * Every file stays in dist/ itself, so the `import.meta.url` paths the code computes (the package
 * root) hold.
 */
export function bundleCli() {
  const { buildSync } = createRequire(import.meta.url)('esbuild')
  for (const name of readdirSync(join(ROOT, 'dist'))) if (/^portico-cli.*\.mjs$/.test(name)) rmSync(join(ROOT, 'dist', name))
  buildSync({
    entryPoints: { 'portico-cli': join(ROOT, 'dist', 'cli', 'main.js') },
    outdir: join(ROOT, 'dist'),
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'portico-cli-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Names kept, so stack traces in logs still read.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    external: ['graphql', 'graphql/*', 'pg', '@prisma/*', 'prisma', 'prisma/*', '@electric-sql/*', 'tsx', 'tsx/*', 'esbuild', '@opentelemetry/*', 'pg-native'],
    // The CommonJS packages inside call require(): give the module one.
    banner: { js: "import { createRequire as __porticoRequire } from 'node:module'; const require = __porticoRequire(import.meta.url);" },
  })
}

/** Compresses GraphiQL's files now rather than on the first page view (once per GraphiQL version). */
export async function prepareGraphiQL() {
  const { graphiqlAssets } = await import('../dist/serve/graphiql.js')
  await graphiqlAssets()
}

/** Builds when the sources are newer than dist/, saying so on stderr; returns whether it built. */
export function buildIfStale() {
  const reason = staleReason()
  if (!reason) return false
  process.stderr.write(`portico: building dist/ from src/ (${reason}) ...\n`)
  build()
  return true
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    build()
    await prepareGraphiQL()
  } catch (error) {
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
}
