/**
 * vitest globalSetup: decides once which PostgreSQL the tests use, says so in one line, and hands
 * the decision to the test workers through environment variables (forked workers inherit them),
 * so they neither probe again nor start their own admin PGlite. If PGlite is the fallback, its
 * admin instance lives in this process for the whole run, and a pristine cluster tarball written
 * to a temporary file lets every worker start further PGlites in about a second.
 */
import { randomBytes } from 'node:crypto'
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { buildIfStale, prepareGraphiQL } from '../../bin/build.mjs'
import { closeTestServer, ENV_KIND, ENV_PGLITE_DUMP, ENV_PGLITE_URL, pristineCluster, testServer } from './test-database.js'

export default async function setup(): Promise<() => Promise<void>> {
  // Tests that run `bin/portico.mjs` run dist/: build it once here if src/ is newer, rather than
  // in each of those processes at once.
  if (buildIfStale()) await prepareGraphiQL()
  const { adminUrl, kind } = await testServer()
  process.env[ENV_KIND] = kind
  let dumpFile: string | undefined
  if (kind === 'pglite') {
    process.env[ENV_PGLITE_URL] = adminUrl
    dumpFile = path.join(tmpdir(), `portico-pglite-${process.pid}-${randomBytes(3).toString('hex')}.tar`)
    writeFileSync(dumpFile, Buffer.from(await (await pristineCluster()).arrayBuffer()))
    process.env[ENV_PGLITE_DUMP] = dumpFile
  }

  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 })
  await client.connect()
  const { rows } = await client.query<{ v: string; full: string }>(`SELECT current_setting('server_version') AS v, version() AS full`)
  await client.end()
  const { hostname, port } = new URL(adminUrl) // host and port only: never the password
  const pglite = / \(PGlite [^)]*\)/.exec(rows[0]!.full)?.[0] ?? ''
  const how = { TEST_DATABASE_URL: 'TEST_DATABASE_URL', local: 'local server', pglite: 'embedded, no server answered at 127.0.0.1:5432' }[kind]
  console.log(`tests use PostgreSQL ${rows[0]!.v}${pglite} at ${hostname || 'localhost'}:${port || 5432} (${how})`)

  return async () => {
    await closeTestServer()
    if (dumpFile) rmSync(dumpFile, { force: true })
  }
}
