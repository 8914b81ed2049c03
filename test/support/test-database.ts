/**
 * Real databases for tests. The server is, in order of preference: the one TEST_DATABASE_URL names,
 * the local PostgreSQL at 127.0.0.1:5432, or an embedded PGlite served over TCP (no server needed;
 * see servePGlite in src/db/demo-database.ts for what differs from a real server). Every test gets
 * its own throw-away database, so test files can run in parallel.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import { citext } from '@electric-sql/pglite/contrib/citext'
import pg from 'pg'
import { servePGlite } from '../../src/db/demo-database.js'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const sharedFixtures = path.resolve(repoRoot, '..', 'shared', 'fixtures')
export const LOCAL_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

/** Set by global-setup.ts so test workers reuse its decision (and its PGlite) without probing. */
export const ENV_KIND = 'PORTICO_TEST_SERVER_KIND'
export const ENV_PGLITE_URL = 'PORTICO_TEST_PGLITE_URL'
/** File holding pristineCluster(), written by global-setup.ts for the workers. */
export const ENV_PGLITE_DUMP = 'PORTICO_TEST_PGLITE_DUMP'

export type TestServerKind = 'TEST_DATABASE_URL' | 'local' | 'pglite'
export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

let server: Promise<{ adminUrl: string; kind: TestServerKind }> | undefined

export function testServer(): Promise<{ adminUrl: string; kind: TestServerKind }> {
  server ??= chooseServer()
  return server
}

async function chooseServer(): Promise<{ adminUrl: string; kind: TestServerKind }> {
  const url = process.env.TEST_DATABASE_URL
  if (url) return { adminUrl: url, kind: 'TEST_DATABASE_URL' }
  const decided = process.env[ENV_KIND]
  if (decided === 'local') return { adminUrl: LOCAL_ADMIN_URL, kind: 'local' }
  if (decided === 'pglite' && process.env[ENV_PGLITE_URL]) return { adminUrl: process.env[ENV_PGLITE_URL], kind: 'pglite' }
  if (await answers(LOCAL_ADMIN_URL, 1_000)) return { adminUrl: LOCAL_ADMIN_URL, kind: 'local' }
  // No server: one PGlite for this process, kept until closeTestServer() or exit.
  const db = await newPGlite()
  const served = await servePGlite(db)
  closeAdmin = async () => {
    await served.close()
    await db.close()
  }
  return { adminUrl: served.url, kind: 'pglite' }
}

let closeAdmin: (() => Promise<void>) | undefined

/** Stops the PGlite that testServer() started in this process, if any (it would keep it alive). */
export async function closeTestServer(): Promise<void> {
  const close = closeAdmin
  closeAdmin = undefined
  server = undefined
  await close?.()
}

/** Whether a new connection to `url` gets an answer to a query within `timeoutMs`. */
export async function answers(url: string, timeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

let pristine: Promise<Blob> | undefined

/** A tarball of a freshly initialised cluster (initdb takes 4-8 s; restoring this about 1 s). */
export function pristineCluster(): Promise<Blob> {
  pristine ??= (async () => {
    const db = await PGlite.create({ extensions: { citext } })
    const blob = await db.dumpDataDir('none')
    await db.close()
    return blob
  })()
  return pristine
}

/** A new in-memory PGlite with the extensions the fixtures use. */
export async function newPGlite(): Promise<PGlite> {
  const file = process.env[ENV_PGLITE_DUMP]
  const cluster = file && existsSync(file) ? new Blob([readFileSync(file)]) : await pristineCluster()
  return PGlite.create({ loadDataDir: cluster, extensions: { citext } })
}

/** The admin URL with another database name (keeping credentials and query parameters). */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${encodeURIComponent(name)}`
  return url.toString()
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

/**
 * A fresh database named portico_<prefix>_<random> with the SQL scripts run in it (each one as a
 * multi-statement simple query). On PGlite it is a whole new PGlite instance on its own port:
 * PGlite has a single database, so its URL names `postgres` (the name is only a label there).
 * End your pools before drop(): it terminates remaining connections (WITH (FORCE)).
 */
export async function createTestDatabase(prefix: string, sql: string | string[]): Promise<TestDatabase> {
  if (!/^[a-z0-9_]{1,40}$/.test(prefix)) throw new Error(`test database prefix must match [a-z0-9_]{1,40}: ${prefix}`)
  const name = `portico_${prefix}_${randomBytes(4).toString('hex')}`
  const scripts = typeof sql === 'string' ? [sql] : sql
  const { adminUrl, kind } = await testServer()

  if (kind === 'pglite') {
    const db = await newPGlite()
    const served = await servePGlite(db)
    const drop = async () => {
      await served.close()
      await db.close()
    }
    await runScripts(served.url, scripts).catch(async (error) => {
      await drop()
      throw error
    })
    return { url: served.url, name, drop }
  }

  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`))
  const drop = () => dropDatabase(adminUrl, name)
  const url = databaseUrl(adminUrl, name)
  await runScripts(url, scripts).catch(async (error) => {
    await drop()
    throw error
  })
  return { url, name, drop }
}

async function runScripts(url: string, scripts: string[]): Promise<void> {
  await withClient(url, async (client) => {
    // No parameters: pg uses the simple query protocol, which accepts many statements at once.
    for (const script of scripts) await client.query(script)
  })
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {}) // a dropped connection must not crash the test process
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Gives the test's own connections, just closed, a moment to leave before forcing the rest out:
 * a client still saying goodbye when FORCE terminates it gets an error nobody listens for.
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    for (let wait = 0; wait < 40; wait++) {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])
      if (rows[0].n === 0) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
  })
}

/** Reads SQL files from test/fixtures, e.g. readFixtureSql('portico-test.sql'). */
export function readFixtureSql(...names: string[]): string[] {
  return names.map((name) => readFileSync(path.join(repoRoot, 'test', 'fixtures', name), 'utf8'))
}

/**
 * Loads one of the shared reference fixtures into database `dbName` (dropped and re-created) with
 * ../shared/fixtures/load.sh, which needs psql and a real server.
 */
export async function loadSharedFixture(name: 'pagila' | 'chinook' | 'iotawatt', dbName: string): Promise<TestDatabase> {
  const { adminUrl, kind } = await testServer()
  if (kind === 'pglite') {
    throw new Error(`loadSharedFixture('${name}') needs a real PostgreSQL server (psql + load.sh); the tests are running on PGlite. Set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432.`)
  }
  const adminDb = decodeURIComponent(new URL(adminUrl).pathname.slice(1)) || 'postgres'
  const env = { ...process.env, DATABASE_URL: adminUrl, PGMAINTDB: adminDb }
  try {
    await promisify(execFile)('bash', [path.join(sharedFixtures, 'load.sh'), name, dbName], { env, maxBuffer: 16 * 1024 * 1024 })
  } catch (error) {
    const e = error as Error & { stderr?: string }
    throw new Error(`loading fixture ${name} into ${dbName} failed: ${e.stderr?.trim() || e.message}`)
  }
  return { url: databaseUrl(adminUrl, dbName), name: dbName, drop: () => dropDatabase(adminUrl, dbName) }
}
