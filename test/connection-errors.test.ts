/**
 * Connection failures explained in one line, produced for real against the test server wherever
 * the failure can be provoked; the rest (the local server trusts every login and has no SSL) from
 * pg-shaped error objects. Also the pool's error listener and the readiness probe.
 *
 * The server is the one the test harness chose (TEST_DATABASE_URL, the local server, or an
 * embedded PGlite). PGlite ignores the database name, the user and the password of a connection,
 * so the cases that need a missing database, an unknown role or a refused GRANT run only on a
 * real server (and show as skipped on PGlite).
 */
import { createServer, type Server } from 'node:net'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkConnection, ConnectionError, explainConnectionError } from '../src/db/connection-errors.js'
import { createPool } from '../src/db/pool.js'
import { poolReadiness } from '../src/serve/readiness.js'
import { createTestDatabase, testServer, type TestDatabase } from './support/test-database.js'

const { adminUrl, kind } = await testServer()
const realServer = kind !== 'pglite'
// On a real server, its admin database (the tests create a role and a database there). On PGlite,
// a private instance: this file terminates backends, which must not touch the shared admin PGlite.
let privateDb: TestDatabase | undefined
if (!realServer) {
  privateDb = await createTestDatabase('connection_errors', [])
  afterAll(() => privateDb?.drop())
}
const DATABASE_URL = privateDb?.url ?? adminUrl
const base = new URL(DATABASE_URL)
const PASSWORD = 's3cr3t-p@ss'

/**
 * The connection timeout for cases whose answer is an error from the server (or from DNS or the
 * kernel): generous, so that a machine busy with the other test files (forks starting PGlite and
 * Prisma's WASM engines, the server forking a backend per connection) still gets that answer and
 * not "no answer within the connection timeout". Only the silent-server case waits for the timeout.
 */
const ANSWER_TIMEOUT_MS = 15_000
const SILENT_TIMEOUT_MS = 1_000

/** The test server's URL with some parts replaced, always carrying a password to leak. */
function urlWith(parts: { user?: string; host?: string; port?: string; database?: string; search?: string }): string {
  const url = new URL(DATABASE_URL)
  url.username = parts.user ?? url.username
  url.password = encodeURIComponent(PASSWORD)
  if (parts.host) url.hostname = parts.host
  if (parts.port) url.port = parts.port
  if (parts.database) url.pathname = `/${parts.database}`
  if (parts.search) url.search = parts.search
  return url.toString()
}

/** The line checkConnection throws; it must be one line without the password. */
async function failure(url: string, timeoutMs = ANSWER_TIMEOUT_MS): Promise<string> {
  const error = await checkConnection(url, timeoutMs).then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(error).toBeInstanceOf(ConnectionError)
  const message = (error as Error).message
  expect(message).not.toContain(PASSWORD)
  expect(message).not.toContain(encodeURIComponent(PASSWORD))
  expect(message).not.toContain('\n')
  return message
}

function memoryLogger() {
  const lines: Record<string, any>[] = []
  return { logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) }), lines }
}

describe(`checkConnection against the test server (${kind})`, () => {
  const admin = new pg.Client({ connectionString: DATABASE_URL })
  admin.on('error', () => {})
  const suffix = `${process.pid}_${Date.now()}`
  const lockedDatabase = `portico_locked_${suffix}`
  const outsider = `portico_outsider_${suffix}`
  let silent: Server

  beforeAll(async () => {
    await admin.connect()
    if (realServer) {
      // A database its new role may not connect to, for the 42501 case.
      await admin.query(`CREATE ROLE ${outsider} LOGIN`)
      await admin.query(`CREATE DATABASE ${lockedDatabase}`)
      await admin.query(`REVOKE CONNECT ON DATABASE ${lockedDatabase} FROM PUBLIC`)
    }
    // Accepts TCP connections and never answers: a server that hangs. Reading (and dropping) the
    // input lets each socket see the client's FIN, so close() in afterAll does not wait forever.
    silent = createServer((socket) => socket.resume()).listen(0, '127.0.0.1')
    await new Promise((resolve) => silent.once('listening', resolve))
  })

  afterAll(async () => {
    if (realServer) {
      await admin.query(`DROP DATABASE IF EXISTS ${lockedDatabase}`)
      await admin.query(`DROP ROLE IF EXISTS ${outsider}`)
    }
    await admin.end()
    await new Promise((resolve) => silent.close(resolve))
  })

  it('succeeds on a working URL', async () => {
    await expect(checkConnection(DATABASE_URL, ANSWER_TIMEOUT_MS)).resolves.toBeUndefined()
  })

  // PGlite serves its one database whatever name the URL gives.
  it.runIf(kind !== 'pglite')('database does not exist (3D000)', async () => {
    expect(await failure(urlWith({ database: 'no_such_db_for_portico' }))).toBe(
      `cannot connect to PostgreSQL at ${base.hostname}:${base.port || 5432}: database "no_such_db_for_portico" does not exist; create it (createdb no_such_db_for_portico) or fix the database name in the URL`,
    )
  })

  it('connection refused', async () => {
    expect(await failure(urlWith({ host: '127.0.0.1', port: '1' }))).toBe(
      'cannot connect to PostgreSQL at 127.0.0.1:1: connection refused; is PostgreSQL running at 127.0.0.1:1 and accepting TCP connections (check listen_addresses and port)?',
    )
  })

  it('host not found', async () => {
    expect(await failure(urlWith({ host: 'nonexistent.invalid' }))).toBe(
      'cannot connect to PostgreSQL: host "nonexistent.invalid" was not found (DNS lookup failed); check the host name in the database URL',
    )
  })

  it('timeout: a server that never answers', async () => {
    const port = String((silent.address() as { port: number }).port)
    expect(await failure(urlWith({ host: '127.0.0.1', port }), SILENT_TIMEOUT_MS)).toBe(
      `cannot connect to PostgreSQL at 127.0.0.1:${port}: no answer within the connection timeout; check the host, the port and any firewall in between, or raise connectionTimeoutMs`,
    )
  })

  // PGlite accepts any user name.
  it.runIf(kind !== 'pglite')('role does not exist (28000)', async () => {
    expect(await failure(urlWith({ user: 'no_such_role_for_portico' }))).toMatch(
      /: the server refused user "no_such_role_for_portico" \(role "no_such_role_for_portico" does not exist\); check the user name/,
    )
  })

  // PGlite has neither roles to log in as nor databases to revoke CONNECT on.
  it.runIf(kind !== 'pglite')('permission denied for the database (42501)', async () => {
    expect(await failure(urlWith({ user: outsider, database: lockedDatabase }))).toMatch(
      new RegExp(`: user "${outsider}" may not connect to database "${lockedDatabase}" \\(permission denied\\); run GRANT CONNECT ON DATABASE ${lockedDatabase} TO ${outsider}`),
    )
  })

  it('SSL asked for but the server has none', async ({ skip }) => {
    const { rows } = await admin.query<{ ssl: string }>('SHOW ssl')
    if (rows[0]?.ssl === 'on') skip('the test server has SSL enabled')
    expect(await failure(urlWith({ search: '?sslmode=no-verify' }))).toMatch(/: the URL asks for SSL but the server does not support it; remove sslmode/)
  })

  it.each([
    ['not a URL at all', 'it must start with postgres:// or postgresql://'],
    [`mysql://root:${PASSWORD}@localhost/db`, 'it must start with postgres:// or postgresql://'],
    [`postgres://u:${PASSWORD}@localhost:54x2/db`, 'the port is not a number'],
    // An unencoded '/' in the password: what looks like a port is part of the password.
    [`postgres://u:abc/${PASSWORD}@localhost/db`, 'it cannot be parsed'],
  ])('malformed URL %s', async (url, reason) => {
    expect(await failure(url)).toBe(
      `the database URL is not valid: ${reason}; write it as postgres://user:password@host:5432/database, percent-encoding any of @ : / ? # in the password`,
    )
  })
})

describe('explainConnectionError for failures the local server cannot produce', () => {
  const url = `postgres://app:${PASSWORD}@db.example.com:6543/shop`
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' })

  it.each([
    ['28P01', pgError('28P01', 'password authentication failed for user "app"'), 'password authentication failed for user "app"; check the user name and password in the database URL'],
    ['28000 SSL off', pgError('28000', 'no pg_hba.conf entry for host "10.0.0.7", user "app", database "shop", SSL off'), 'the server requires SSL; add sslmode=require to the database URL'],
    ['28000 no encryption', pgError('28000', 'no pg_hba.conf entry for host "10.0.0.7", user "app", database "shop", no encryption'), 'the server requires SSL; add sslmode=require to the database URL'],
    ['self-signed certificate', Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), "the server's SSL certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN)"],
    ['53300', pgError('53300', 'sorry, too many clients already'), 'the server has no connection slots left; lower poolSize or raise max_connections on the server'],
    ['57P03', pgError('57P03', 'the database system is starting up'), 'the server is starting up, shutting down or in recovery; try again in a moment'],
    ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT 10.0.0.7:6543'), { code: 'ETIMEDOUT' }), 'the connection timed out; check the host, the port and any firewall in between'],
    // Node's happy-eyeballs connect: one error per address tried.
    ['AggregateError ECONNREFUSED', new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:6543'), { code: 'ECONNREFUSED' })]), 'connection refused'],
    ['unknown error echoing the password', new Error(`something odd happened near ${PASSWORD}\nsecond line`), 'cannot connect to PostgreSQL at db.example.com:6543/shop as user "app": something odd happened near *** second line'],
  ])('%s', (_label, error, expected) => {
    const line = explainConnectionError(error, url)
    expect(line).toContain(expected)
    expect(line).not.toContain(PASSWORD)
    expect(line).not.toContain('\n')
  })

  it('a password the server asks for and the URL lacks', () => {
    expect(explainConnectionError(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), 'postgres://app@db.example.com/shop')).toBe(
      'cannot connect to PostgreSQL at db.example.com:5432: the server asks user "app" for a password and the URL has none; add it as postgres://app:PASSWORD@db.example.com:5432/shop',
    )
  })
})

describe('createPool', () => {
  it('uses the configured settings', async () => {
    const { logger } = memoryLogger()
    const pool = createPool({ databaseUrl: DATABASE_URL, poolSize: 3, connectionTimeoutMs: 2_000, idleTimeoutMs: 5_000, statementTimeoutMs: 1_234 }, logger)
    try {
      expect(pool.options).toMatchObject({ max: 3, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 5_000 })
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      // PGlite ignores startup parameters.
      if (kind !== 'pglite') expect((await pool.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '1234ms' }])
    } finally {
      await pool.end()
    }
  })

  // PGlite ignores the startup parameters of a connection: application_name stays ''.
  it.runIf(kind !== 'pglite')('names itself portico', async () => {
    const { logger } = memoryLogger()
    const pool = createPool({ databaseUrl: DATABASE_URL, poolSize: 3, connectionTimeoutMs: ANSWER_TIMEOUT_MS, idleTimeoutMs: 5_000, statementTimeoutMs: 0 }, logger)
    try {
      const { rows } = await pool.query<{ name: string }>('SELECT current_setting($1) AS name', ['application_name'])
      expect(rows[0]?.name).toBe('portico')
    } finally {
      await pool.end()
    }
  })

  // On PGlite every connection shares one session (one pid): pg_terminate_backend returns false
  // and no connection is closed, so there is no server-side kill to observe.
  it.runIf(kind !== 'pglite')('logs, and survives, an idle connection killed by the server', async () => {
    const { logger, lines } = memoryLogger()
    const pool = createPool({ databaseUrl: DATABASE_URL, poolSize: 2, connectionTimeoutMs: ANSWER_TIMEOUT_MS, idleTimeoutMs: 30_000, statementTimeoutMs: 0 }, logger)
    try {
      const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      const killer = new pg.Client({ connectionString: DATABASE_URL })
      await killer.connect()
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])
      await killer.end()
      await expect.poll(() => lines.filter((line) => line.level >= 50).length).toBe(1)
      expect(lines.find((line) => line.level >= 50)).toMatchObject({ err: { code: '57P01' } })
      // The pool replaced the dead client and still works.
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
    } finally {
      await pool.end()
    }
  })
})

describe('poolReadiness', () => {
  const { logger } = memoryLogger()
  const pool = createPool({ databaseUrl: DATABASE_URL, poolSize: 2, connectionTimeoutMs: ANSWER_TIMEOUT_MS, idleTimeoutMs: 5_000, statementTimeoutMs: 0 }, logger)
  afterAll(() => pool.end())

  it('is not ready before the schema is built', async () => {
    const readiness = poolReadiness(pool, () => false)
    expect(await readiness.check()).toBe(false)
    expect(readiness.reason).toBe('GraphQL schema not built yet')
  })

  it('is ready when the database answers, and caches the answer', async () => {
    let queries = 0
    const counting = new Proxy(pool, {
      get: (target, key) => (key === 'query' ? (...args: unknown[]) => (queries++, (target.query as (...a: unknown[]) => unknown)(...args)) : Reflect.get(target, key)),
    })
    // The first probe also opens the pool's connection: give it time on a busy machine (the
    // timeout itself is tested below).
    const readiness = poolReadiness(counting, () => true, { cacheMs: 200, timeoutMs: ANSWER_TIMEOUT_MS })
    expect(await Promise.all([readiness.check(), readiness.check(), readiness.check()])).toEqual([true, true, true])
    expect(await readiness.check()).toBe(true)
    expect(queries).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(await readiness.check()).toBe(true)
    expect(queries).toBe(2)
    expect(readiness.reason).toBeUndefined()
  })

  it('is not ready when the database refuses connections, naming only the error code', async () => {
    const down = createPool({ databaseUrl: `postgres://postgres:${PASSWORD}@127.0.0.1:1/postgres`, poolSize: 1, connectionTimeoutMs: 500, idleTimeoutMs: 5_000, statementTimeoutMs: 0 }, logger)
    try {
      const readiness = poolReadiness(down, () => true)
      expect(await readiness.check()).toBe(false)
      expect(readiness.reason).toBe('database unavailable (ECONNREFUSED)')
    } finally {
      await down.end()
    }
  })

  it('is not ready when SELECT 1 takes longer than the timeout', async () => {
    const slow = { query: () => new Promise(() => {}) } as unknown as pg.Pool
    const readiness = poolReadiness(slow, () => true, { timeoutMs: 50 })
    expect(await readiness.check()).toBe(false)
    expect(readiness.reason).toBe('database did not answer SELECT 1 within 50 ms')
  })
})
