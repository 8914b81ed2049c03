/**
 * What `npm run build` makes runs as it is: `node bin/portico.mjs serve` loads Portico from dist/
 * and the generated Prisma client as JavaScript, and no TypeScript and no tsx, on a cold start
 * (the client generated now) and a warm one (the client and the introspection reused). Every
 * module the process resolves is logged by test/support/module-log.mjs.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { staleReason } from '../bin/build.mjs'
import { createTestDatabase, repoRoot, type TestDatabase } from './support/test-database.js'

vi.setConfig({ testTimeout: 180_000 })

const BIN = path.join(repoRoot, 'bin', 'portico.mjs')
const MODULE_LOG = path.join(repoRoot, 'test', 'support', 'module-log.mjs')
let db: TestDatabase
let scratch: string

beforeAll(async () => {
  // A comment of its own becomes a description: this schema (so its generated client) is new to the cache.
  db = await createTestDatabase(
    'build',
    `CREATE TABLE build_gauge (id int PRIMARY KEY, label text NOT NULL); INSERT INTO build_gauge VALUES (1, 'one'), (2, 'two'), (3, 'three');
     COMMENT ON TABLE build_gauge IS 'gauges of run ${randomBytes(6).toString('hex')}';`,
  )
  scratch = mkdtempSync(path.join(tmpdir(), 'portico-build-'))
})

afterAll(async () => {
  await db?.drop()
  if (scratch) rmSync(scratch, { recursive: true, force: true })
})

/** `portico serve` on the database, port 0; the modules it resolved, and its answer to `query`. */
async function serveOnce(name: string, query: string): Promise<{ modules: string[]; body: any; stderr: string }> {
  const log = path.join(scratch, `${name}.modules`)
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!['NODE_OPTIONS', 'DATABASE_URL', 'PORT', 'HOST'].includes(key) && !key.startsWith('PORTICO_')) env[key] = value
  const child = spawn(process.execPath, ['--import', MODULE_LOG, BIN, 'serve', '--database-url', db.url, '--port', '0', '--host', '127.0.0.1'], {
    cwd: scratch,
    env: { ...env, PORTICO_MODULE_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', () => {
        const found = /GraphiQL and GraphQL over HTTP: (\S+)\n/.exec(stderr)
        if (found) resolve(found[1]!)
      })
      void exited.then(() => reject(new Error(`portico serve exited before serving:\n${stderr}`)))
    })
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
    const body = await response.json()
    return { modules: readFileSync(log, 'utf8').trim().split('\n'), body, stderr }
  } finally {
    child.kill('SIGTERM')
    await exited
  }
}

function expectNoTypeScript(modules: string[]): void {
  expect(modules.length).toBeGreaterThan(20) // the log works: the bundle and the packages outside it are in it
  const files = modules.filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url))
  expect(files.filter((file) => /\.(ts|mts|cts|tsx)$/.test(file))).toEqual([])
  expect(files.filter((file) => file.includes(`${path.sep}node_modules${path.sep}tsx${path.sep}`))).toEqual([])
  // Portico's own code comes from dist/, the generated client from its JavaScript bundle.
  const own = files.filter((file) => file.startsWith(repoRoot) && !file.includes(`${path.sep}node_modules${path.sep}`))
  const outside = own.filter((file) => !file.startsWith(path.join(repoRoot, 'dist') + path.sep) && !/[\\/]\.portico[\\/]clients[\\/][^\\/]+[\\/]src[\\/]generated[\\/]js[\\/]/.test(file) && file !== path.join(repoRoot, 'bin', 'portico.mjs') && file !== path.join(repoRoot, 'bin', 'build.mjs'))
  expect(outside).toEqual([])
  // The command line runs as one bundle (bin/build.mjs), not as dist/'s thousand modules.
  expect(own.some((file) => file === path.join(repoRoot, 'dist', 'portico-cli.mjs'))).toBe(true)
  expect(own.some((file) => file === path.join(repoRoot, 'dist', 'gateway.js'))).toBe(false)
}

it('serves a cold start (client generated now) and a warm one from JavaScript only, no tsx', async () => {
  const query = '{ buildGauges { nodes { id label } } }'
  const cold = await serveOnce('cold', query)
  expect(cold.stderr).toContain('generating the Prisma client')
  expectNoTypeScript(cold.modules)

  const warm = await serveOnce('warm', query)
  expect(warm.stderr).toContain('reusing the generated Prisma client')
  expect(warm.stderr).toMatch(/have not changed: reusing their introspection/)
  expect(warm.stderr).not.toContain("with Prisma's schema engine")
  expectNoTypeScript(warm.modules)
  // The warm start needs neither the schema engine nor esbuild nor GraphiQL's 9 MB package.
  expect(warm.modules.filter((url) => /schema-engine-wasm|\/esbuild\/|render-graphiql/.test(url))).toEqual([])

  // Both answer with the database's rows.
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  const rows = (await client.query<{ id: number; label: string }>('SELECT id, label FROM build_gauge ORDER BY id')).rows
  await client.end()
  expect(rows).toHaveLength(3)
  expect(cold.body).toEqual({ data: { buildGauges: { nodes: rows } } })
  expect(warm.body).toEqual({ data: { buildGauges: { nodes: rows } } })
})

it('dist/ is up to date with src/ (the test run built it first)', () => {
  expect(staleReason()).toBeUndefined()
})
