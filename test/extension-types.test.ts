/**
 * Typed extensions (issue 12): in project mode `portico introspect` writes the Pothos Prisma types
 * of the database (src/generated/pothos-types.ts), and `PorticoBuilder<PrismaTypes>` from
 * 'portico' is the builder typed over those models. tsc accepts the good extension and the
 * README's examples, and refuses the bad one for exactly its two mistakes.
 */
import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { runIntrospect } from '../src/cli/introspect-command.js'
import { loadConfig } from '../src/config/config.js'
import { EXTENSION_SCHEMA_SQL } from './support/extension-schema.js'
import { createTestDatabase, repoRoot, type TestDatabase } from './support/test-database.js'

// Inside the package, so `import ... from 'portico'` resolves through package.json `exports` (to the
// sources, by the `portico-source` condition; an installed package's users get dist/).
const project = path.join(repoRoot, '.portico', `typecheck-${process.pid}-${Date.now()}`)
let db: TestDatabase

beforeAll(async () => {
  db = await createTestDatabase('ext_types', EXTENSION_SCHEMA_SQL)
  await runIntrospect(loadConfig({ env: {}, cwd: '/nonexistent', flags: { databaseUrl: db.url, schemas: ['public'], logLevel: 'silent' } }), project)
  const copy = (from: string, to: string) => {
    mkdirSync(path.dirname(path.join(project, to)), { recursive: true })
    copyFileSync(path.join(repoRoot, from), path.join(project, to))
  }
  copy('test/fixtures/extensions/good.ts', 'extensions/good.ts')
  copy('test/fixtures/extensions/bad.ts', 'extensions/bad.ts')
  for (const example of ['film-fields.ts', 'exchange-rate.ts', 'add-review.ts']) copy(`examples/extensions/${example}`, `examples/extensions/${example}`)
}, 300_000)

afterAll(async () => {
  rmSync(project, { recursive: true, force: true })
  await db?.drop()
})

/** tsc --noEmit over these files of the project, with the repository's compiler options. */
async function typecheck(files: string[]): Promise<{ code: number; output: string }> {
  const tsconfig = path.join(project, 'tsconfig.check.json')
  // Portico's declarations for untyped imports come along with its sources.
  const include = [...files, path.join(repoRoot, 'src', 'types')]
  writeFileSync(tsconfig, JSON.stringify({ extends: path.join(repoRoot, 'tsconfig.json'), compilerOptions: { noEmit: true, customConditions: ['portico-source'] }, include, exclude: [] }))
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { cwd: project, maxBuffer: 16 << 20 })
    return { code: 0, output: stdout }
  } catch (error) {
    const e = error as { code?: number; stdout?: string }
    return { code: e.code ?? 1, output: e.stdout ?? '' }
  }
}

// One tsc run (it type-checks Portico's sources too: slow). Every error being the bad file's, the
// good file and the examples pass.
it('accepts the good extension and the examples, and refuses the bad one for exactly its two mistakes', async () => {
  const result = await typecheck(['extensions/good.ts', 'examples/extensions/*.ts', 'extensions/bad.ts'])
  expect(result.code).not.toBe(0)
  const errors = result.output.split('\n').filter((line) => /error TS\d+/.test(line))
  // Each at the mistake: the misspelt key, the string returned.
  const bad = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'extensions', 'bad.ts'), 'utf8').split('\n')
  const at = (line: number, text: string) => `extensions/bad.ts(${line},${bad[line - 1]!.indexOf(text) + 1})`
  expect(errors, result.output).toEqual([
    `${at(9, 'titel')}: error TS2322: Type 'true' is not assignable to type 'never'.`,
    `${at(10, 'film.title')}: error TS2322: Type 'string' is not assignable to type 'MaybePromise<number>'.`,
  ])
}, 300_000)
