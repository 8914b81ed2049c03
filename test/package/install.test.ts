/**
 * Portico as a new user gets it (`npm run test:package`): `npm pack`, the tarball installed into an
 * empty folder (dependencies from npm's cache where it has them), no TypeScript or tsx installed
 * there, then, in that folder, with `npx portico`:
 * introspect (the committed files), `serve --watch`, a column added with psql appears without a
 * restart, `check` exits 1 after the change, and an unfiltered deleteMany is refused, nothing lost.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase, repoRoot, type TestDatabase } from '../support/test-database.js'

const exec = promisify(execFile)
const scratch = mkdtempSync(path.join(tmpdir(), 'portico-package-'))
const app = path.join(scratch, 'app')
let db: TestDatabase
let server: ChildProcess | undefined
let stderr = ''

/** The environment of a user with nothing configured. */
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'DATABASE_URL' && key !== 'NODE_OPTIONS' && !key.startsWith('PORTICO_') && !key.startsWith('npm_') && !key.startsWith('VITEST')))
const npx = (args: string[], timeout = 240_000) => exec('npx', ['--no-install', ...args], { cwd: app, env, timeout, maxBuffer: 16 << 20 })

beforeAll(async () => {
  db = await createTestDatabase('package', `CREATE SCHEMA shop; CREATE TABLE shop.item (id integer PRIMARY KEY, name text NOT NULL); INSERT INTO shop.item VALUES (1, 'one'), (2, 'two');`)
}, 120_000)
afterAll(async () => {
  // npx runs portico as its child: signal the whole process group, and wait for the exit.
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve))
    process.kill(-server.pid, 'SIGTERM')
    await exited
  }
  await db?.drop()
  rmSync(scratch, { recursive: true, force: true })
})

it('packs, installs into an empty folder and runs there', { timeout: 1_200_000 }, async () => {
  const started = performance.now()
  const lap = (what: string) => console.log(`package: ${what} after ${Math.round((performance.now() - started) / 1000)} s`)
  // `npm pack` runs `prepare`: the build to dist/.
  await exec('npm', ['pack', '--pack-destination', scratch], { cwd: repoRoot, env, timeout: 600_000, maxBuffer: 16 << 20 })
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!
  expect(tarball).toBe('portico-0.1.0.tgz')
  lap('npm pack')

  await exec('mkdir', [app])
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'my-api', private: true }))
  await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(scratch, tarball)], { cwd: app, env, timeout: 900_000, maxBuffer: 16 << 20 })
  lap('npm install')
  // No development tooling: Portico runs its built JavaScript.
  expect(existsSync(path.join(app, 'node_modules', 'portico', 'dist', 'cli', 'main.js'))).toBe(true)
  expect(existsSync(path.join(app, 'node_modules', 'portico', 'dist', 'portico-cli.mjs'))).toBe(true)
  expect(existsSync(path.join(app, 'node_modules', 'portico', 'src'))).toBe(false)
  expect(existsSync(path.join(app, 'node_modules', 'typescript'))).toBe(false)
  expect(existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false)
  // The library API and its types.
  const library = await exec(process.execPath, ['--input-type=module', '-e', "const p = await import('portico'); console.log(typeof p.createPortico, typeof p.defineExtension)"], { cwd: app, env })
  expect(library.stdout).toBe('function function\n')
  expect(existsSync(path.join(app, 'node_modules', 'portico', 'dist', 'index.d.ts'))).toBe(true)

  const url = db.url
  const introspect = await npx(['portico', 'introspect', '--database-url', url, '--schemas', 'shop'])
  expect(introspect.stderr).toContain(`wrote ${path.join(app, 'schema.graphql')}`)
  expect((await npx(['portico', 'check', '--database-url', url, '--schemas', 'shop'])).stdout).toBe('the database matches prisma/schema.prisma and schema.graphql\n')
  lap('introspect and check')

  server = spawn('npx', ['--no-install', 'portico', 'serve', '--watch', '--database-url', url, '--schemas', 'shop', '--port', '0', '--host', '127.0.0.1'], { cwd: app, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true })
  server.stderr!.on('data', (chunk) => (stderr += String(chunk)))
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const found = /GraphiQL and GraphQL over HTTP: (\S+)/.exec(stderr)
      if (found) resolve(found[1]!)
    }, 100)
    server!.once('exit', (code) => reject(new Error(`portico serve exited ${code}:\n${stderr}`)))
    void new Promise((r) => setTimeout(r, 240_000)).then(() => reject(new Error(`portico serve did not start:\n${stderr}`))).finally(() => clearInterval(timer))
  })
  expect(stderr).toContain('watching the database for structure changes (event trigger: at once)')
  lap('serve --watch')
  const ask = async (query: string) => (await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })).json() as Promise<any>
  expect(await ask('{ items { nodes { id name } } }')).toEqual({ data: { items: { nodes: [{ id: 1, name: 'one' }, { id: 2, name: 'two' }] } } })

  // With psql, as a user would.
  await exec('psql', [url, '-v', 'ON_ERROR_STOP=1', '-c', "ALTER TABLE shop.item ADD COLUMN note text NOT NULL DEFAULT 'new'"], { env })
  const altered = performance.now()
  let answer: any
  for (;;) {
    answer = await ask('{ items { nodes { id note } } }')
    if (!answer.errors || performance.now() - altered > 180_000) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  expect(answer).toEqual({ data: { items: { nodes: [{ id: 1, note: 'new' }, { id: 2, note: 'new' }] } } })
  console.log(`package: the new column answered ${Math.round(performance.now() - altered)} ms after ALTER TABLE, without a restart`)

  const check = await npx(['portico', 'check', '--database-url', url, '--schemas', 'shop']).then(
    () => ({ code: 0, stdout: '' }),
    (error: { code: number; stdout: string }) => error,
  )
  expect(check.code).toBe(1)
  expect(check.stdout).toContain("  + model Item: note String @default(\"new\")\n")
  expect(check.stdout).toContain("  safe      Field 'note' was added to object type 'Item'\n")

  const refused = await ask('mutation { deleteManyItem(where: {}) { count } }')
  expect(refused.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['UNFILTERED_BULK_WRITE'])
  const sql = new pg.Client({ connectionString: url })
  await sql.connect()
  expect((await sql.query('SELECT count(*)::int AS n FROM shop.item')).rows).toEqual([{ n: 2 }])
  await sql.end()
  lap('done')
})
