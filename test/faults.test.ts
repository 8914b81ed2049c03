/**
 * Faults, for real: PostgreSQL going away under traffic (a restart, a crash, a network that stops
 * answering), a pool with no free connection, and SIGTERM while a request is in flight. The
 * database is a private cluster this file starts and stops itself (./support/private-cluster.ts):
 * the shared test server must stay up for the other test files.
 *
 * What must hold: clients get a clean error with a code (never SQL, hosts or stack traces) within
 * a known bound, the outage is logged once however many requests fail, /readyz says 503 while the
 * database is gone, and Portico serves again by itself as soon as the database is back. The
 * recovery times are measured, printed, and attached to each test's metadata (`recovery`).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { loadConfig, type ConfigInput } from '../src/config/config.js'
import { DATABASE_BUSY_MESSAGE, DATABASE_UNAVAILABLE_MESSAGE } from '../src/db/connection-errors.js'
import { createPool } from '../src/db/pool.js'
import { createGateway } from '../src/gateway.js'
import { createClusterDatabase, privateClusterUnavailable, startPrivateCluster, withClient, type Cluster } from './support/private-cluster.js'
import { answers, repoRoot } from './support/test-database.js'

declare module 'vitest' {
  interface TaskMeta {
    /** Milliseconds: from bringing the database back to its answering, and from then to the first GraphQL success and /readyz 200. */
    recovery?: { databaseMs: number; graphqlMs: number; readyzMs: number }
  }
}

const unavailable = privateClusterUnavailable()

/**
 * `film`: plain rows. `nap`: a view whose row sleeps `ms` milliseconds when read, so that a request
 * holds its connection as long as a test needs (the filter on `ms` runs before the sleep, so only
 * the chosen row sleeps).
 */
const SQL = `
  CREATE TABLE film (film_id integer PRIMARY KEY, title text NOT NULL);
  INSERT INTO film VALUES (1, 'Alien'), (2, 'Brazil'), (3, 'Casablanca');
  CREATE TABLE delay (ms integer PRIMARY KEY);
  INSERT INTO delay VALUES (2000), (3000), (30000);
  CREATE VIEW nap AS SELECT ms, pg_sleep(ms / 1000.0)::text AS slept FROM delay;`

const FILMS = '{ films { nodes { filmId title } } }'
const FILMS_DATA = { films: { nodes: [{ filmId: 1, title: 'Alien' }, { filmId: 2, title: 'Brazil' }, { filmId: 3, title: 'Casablanca' }] } }
const nap = (ms: number) => `{ naps(where: { ms: { equals: ${ms} } }) { nodes { ms slept } } }`
/** pg_sleep returns void, whose text is ''. */
const napData = (ms: number) => ({ naps: { nodes: [{ ms, slept: '' }] } })
const CREATE_FILM = 'mutation { createFilm(data: { filmId: 9, title: "Dune" }) { filmId } }'

type FailureCode = 'DATABASE_UNAVAILABLE' | 'DATABASE_BUSY'
const clientError = (code: FailureCode) => ({ message: code === 'DATABASE_BUSY' ? DATABASE_BUSY_MESSAGE : DATABASE_UNAVAILABLE_MESSAGE, extensions: { code, retry: true } })
/** A read (one compiled statement) that the database failed: the whole operation, no data. */
const readFailure = (code: FailureCode) => ({ data: null, errors: [clientError(code)] })
/** A mutation field that the database failed: its field is null, with the error at its path. */
const mutationFailure = (code: FailureCode, field: string) => ({
  data: { [field]: null },
  errors: [{ ...clientError(code), locations: [expect.any(Object)], path: [field] }],
})

/** Anything of the database's own words, addresses or stack frames. */
const LEAK = /127\.0\.0\.1|localhost|:\d{4,5}\b|ECONN|terminat|timeout exceeded|SELECT|pg_sleep|postgres|\bat \S+:\d+/i

// The pool's log messages (src/db/pool.ts), each expected once per episode.
const LOST = 'a PostgreSQL connection failed (server restart, network cut or terminated backend); the pool opens new ones as needed'
const DOWN = 'cannot connect to the database: requests fail with DATABASE_UNAVAILABLE and /readyz answers 503 until a connection succeeds (logged once per outage)'
const BACK = 'the database accepts connections again'
const busyMessage = (ms: number) =>
  `no pooled connection became free within connectionTimeoutMs (${ms} ms): requests fail with DATABASE_BUSY; raise poolSize if the database has room for more connections`
const WARN = 40
const ERROR = 50

let cluster: Cluster
let databaseUrl: string

beforeAll(async () => {
  if (unavailable) return
  cluster = await startPrivateCluster()
  databaseUrl = await createClusterDatabase(cluster, 'faults', SQL)
}, 120_000)

afterAll(async () => {
  await cluster?.stop()
})

interface LogLine {
  level: number
  msg: string
  [key: string]: unknown
}

type Api = Awaited<ReturnType<typeof startGateway>>

/** A gateway on the private cluster (or `url`), called in process, whose log lines land in an array. */
async function startGateway(config: Partial<ConfigInput>, url = databaseUrl) {
  const lines: LogLine[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) })
  const gateway = await createGateway({
    databaseUrl: url,
    config: loadConfig({ env: {}, file: undefined, cwd: '/nonexistent', flags: { schemas: ['public'], ...config } }),
    logger,
    onProgress: () => {},
  })
  /** One GraphQL request: its status, raw text, parsed body and duration. */
  const graphql = async (query: string) => {
    const started = performance.now()
    const response = await gateway.yoga.fetch('http://portico.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query }),
    })
    const text = await response.text()
    return { status: response.status, text, body: JSON.parse(text) as { data?: unknown; errors?: unknown[] }, ms: performance.now() - started }
  }
  const readyz = async () => {
    const response = await gateway.yoga.fetch('http://portico.test/readyz')
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string } }
  }
  /** Log lines at warn and above, as [level, message]. */
  const problems = () => lines.filter((line) => line.level >= WARN).map((line) => [line.level, line.msg])
  return { gateway, lines, graphql, readyz, problems }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `condition` every 10 ms until it holds; returns when it first did (performance.now()). */
async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (await Promise.resolve().then(condition).catch(() => false)) return performance.now()
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await sleep(10)
  }
}


/** How many of Portico's sessions are asleep in `nap` now (read straight from the cluster). */
const napping = () =>
  withClient(cluster.adminUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'portico' AND wait_event = 'PgSleep'`)
    return rows[0]!.n
  })

/**
 * Makes the database reachable again with `bringBack` and times, from the moment a new connection
 * to `url` gets an answer, the first GraphQL request that succeeds and the first /readyz 200. All
 * three are polled every 10 ms, concurrently, so each time is accurate to about 10 ms (0: within
 * the same poll).
 */
async function timeRecovery(api: Api, url: string, bringBack: () => Promise<void> | void) {
  let failedMeanwhile = 0
  const graphqlWorks = async () => {
    const { body } = await api.graphql(FILMS)
    if (body.errors) failedMeanwhile++
    return !body.errors
  }
  const broughtBack = performance.now()
  await bringBack()
  const [databaseAt, graphqlAt, readyAt] = await Promise.all([until(() => answers(url, 1_000)), until(graphqlWorks), until(async () => (await api.readyz()).status === 200)])
  const after = (at: number) => Math.max(0, Math.round(at - databaseAt))
  return { databaseMs: Math.round(databaseAt - broughtBack), graphqlMs: after(graphqlAt), readyzMs: after(readyAt), failedMeanwhile }
}

/** After a test that failed midway: the cluster up again for the next one. */
async function ensureClusterUp(): Promise<void> {
  if (!(await answers(cluster.adminUrl, 1_000))) await cluster.startServer().catch(() => {})
}

function report(context: TestContext, what: string, recovery: { databaseMs: number; graphqlMs: number; readyzMs: number; failedMeanwhile: number }) {
  console.log(
    `recovery after ${what}: the database answered ${recovery.databaseMs} ms after being brought back; then the first GraphQL success took ${recovery.graphqlMs} ms, ` +
      `/readyz 200 ${recovery.readyzMs} ms (requests failed meanwhile: ${recovery.failedMeanwhile})`,
  )
  context.task.meta.recovery = { databaseMs: recovery.databaseMs, graphqlMs: recovery.graphqlMs, readyzMs: recovery.readyzMs }
}

/**
 * A TCP relay to the cluster that can go silent: as when a network drops packets, open connections
 * get no answer and new ones are accepted but never answered (no refusal, no reset). Back on, new
 * connections pass again, and the old ones are reset, as a server answers a connection it forgot.
 */
async function startRelay(targetPort: number) {
  let silent = false
  const pairs = new Set<{ client: net.Socket; server?: net.Socket }>()
  const relay = net.createServer((client) => {
    const pair: { client: net.Socket; server?: net.Socket } = { client }
    pairs.add(pair)
    client.on('error', () => {})
    client.on('close', () => {
      pairs.delete(pair)
      pair.server?.destroy()
    })
    if (silent) return
    const server = net.connect(targetPort, '127.0.0.1')
    pair.server = server
    server.on('error', () => {})
    server.on('close', () => {
      if (!silent) client.destroy()
    })
    client.pipe(server).pipe(client)
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  return {
    port: (relay.address() as net.AddressInfo).port,
    cut() {
      silent = true
      for (const { client, server } of pairs) {
        client.unpipe()
        server?.unpipe()
        server?.destroy()
      }
    },
    restore() {
      silent = false
      for (const { client } of pairs) client.resetAndDestroy()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client } of pairs) client.destroy()
        relay.close(() => resolve())
      }),
  }
}

describe.skipIf(!!unavailable)(unavailable ? `faults (skipped: ${unavailable})` : 'faults', () => {
  describe.each([
    ['a restart', 'fast'],
    ['a crash', 'immediate'],
  ] as const)('PostgreSQL stopped by %s', (what, mode) => {
    it('fails the request in flight and the next ones at once and cleanly, answers 503 on /readyz, logs it once, and recovers by itself', async (context) => {
      const api = await startGateway({ connectionTimeoutMs: 2_000 })
      try {
        expect((await api.graphql(FILMS)).body).toEqual({ data: FILMS_DATA })
        expect(await api.readyz()).toEqual({ status: 200, body: { status: 'ready' } })

        // A request in flight: its statement is running in PostgreSQL when the server goes.
        const inFlight = api.graphql(nap(3000))
        await until(async () => (await napping()) === 1)
        await cluster.stopServer(mode)
        const failed = await inFlight
        expect(failed.status).toBe(200)
        expect(failed.body).toEqual(readFailure('DATABASE_UNAVAILABLE'))
        expect(failed.text).not.toMatch(LEAK)

        // While it is down: each request fails at once (refused), reads and writes alike.
        for (let i = 0; i < 20; i++) {
          const next = await api.graphql(FILMS)
          expect(next.body).toEqual(readFailure('DATABASE_UNAVAILABLE'))
          // "At once": well under connectionTimeoutMs (2 s), which a refused connection does not wait for.
          expect(next.ms).toBeLessThan(1_000)
        }
        const write = await api.graphql(CREATE_FILM)
        expect(write.body).toEqual(mutationFailure('DATABASE_UNAVAILABLE', 'createFilm'))
        expect(write.text).not.toMatch(LEAK)
        expect(await api.readyz()).toEqual({ status: 503, body: { status: 'unavailable', reason: 'database unavailable (ECONNREFUSED)' } })
        expect((await api.gateway.yoga.fetch('http://portico.test/healthz')).status).toBe(200)

        const recovery = await timeRecovery(api, cluster.adminUrl, () => cluster.startServer({ wait: false }))
        report(context, what, recovery)
        expect(recovery.graphqlMs).toBeLessThan(2_000)
        expect(recovery.readyzMs).toBeLessThan(2_000)
        expect((await api.graphql(FILMS)).body).toEqual({ data: FILMS_DATA })

        // Over twenty failed requests, two problems logged: the connections lost, the outage.
        expect(api.problems()).toEqual([
          [ERROR, LOST],
          [ERROR, DOWN],
        ])
        expect(api.lines.filter((line) => line.msg === BACK)).toEqual([expect.objectContaining({ level: 30, downMs: expect.any(Number), failures: expect.any(Number) })])
        expect(api.lines.some((line) => line.msg === 'unexpected error in GraphQL request')).toBe(false)
      } finally {
        await api.gateway.close()
        await ensureClusterUp()
      }
    }, 30_000)
  })

  it('a network that stops answering: requests fail after connectionTimeoutMs, the one in flight after statementTimeoutMs + connectionTimeoutMs; it recovers by itself', async (context) => {
    const relay = await startRelay(cluster.port)
    const url = `postgres://postgres@127.0.0.1:${relay.port}/faults`
    const api = await startGateway({ connectionTimeoutMs: 1_000, statementTimeoutMs: 2_000, idleTimeoutMs: 1_000 }, url)
    try {
      // No idle connection left from start-up: each request below opens its own, so its bound is known.
      await until(() => api.gateway.pool.totalCount === 0, 10_000)
      expect((await api.graphql(FILMS)).body).toEqual({ data: FILMS_DATA })
      expect(await api.readyz()).toEqual({ status: 200, body: { status: 'ready' } })

      // In flight on the one open connection when the network goes silent: no answer ever comes.
      const inFlight = api.graphql(nap(30000))
      await until(async () => (await napping()) === 1)
      relay.cut()
      const failed = await inFlight
      expect(failed.body).toEqual(readFailure('DATABASE_UNAVAILABLE'))
      expect(failed.text).not.toMatch(LEAK)
      // pg's query_timeout: statement_timeout (2 s) + connectionTimeoutMs (1 s) after it was sent.
      // (Upper bounds leave room for a loaded machine, and stay below the bound plus another wait.)
      expect(failed.ms).toBeGreaterThan(3_000)
      expect(failed.ms).toBeLessThan(3_800)

      // A new connection gets no answer: the request fails after connectionTimeoutMs.
      const next = await api.graphql(FILMS)
      expect(next.body).toEqual(readFailure('DATABASE_UNAVAILABLE'))
      expect(next.ms).toBeGreaterThan(1_000)
      expect(next.ms).toBeLessThan(1_800)
      const started = performance.now()
      expect(await api.readyz()).toEqual({ status: 503, body: { status: 'unavailable', reason: 'database did not answer SELECT 1 within 1000 ms' } })
      expect(performance.now() - started).toBeLessThan(1_800)

      const recovery = await timeRecovery(api, url, () => relay.restore())
      report(context, 'a network cut', recovery)
      expect(recovery.graphqlMs).toBeLessThan(2_000)
      expect(recovery.readyzMs).toBeLessThan(2_000)
      expect((await api.graphql(FILMS)).body).toEqual({ data: FILMS_DATA })
      expect(api.problems()).toEqual([
        [ERROR, LOST],
        [ERROR, DOWN],
      ])
      expect(api.lines.filter((line) => line.msg === BACK)).toHaveLength(1)
    } finally {
      await api.gateway.close()
      await relay.close()
    }
  }, 30_000)

  it('a pool with no free connection: requests wait connectionTimeoutMs, then fail with DATABASE_BUSY, logged once; then it serves again', async () => {
    const api = await startGateway({ poolSize: 2, connectionTimeoutMs: 1_000 })
    try {
      // Both connections held by requests asleep in PostgreSQL for 3 s.
      const holders = [api.graphql(nap(3000)), api.graphql(nap(3000))]
      await until(async () => (await napping()) === 2)

      // Thirty more at once, reads and a write: each waits its bound, then fails; none waits longer.
      // Meanwhile, saturated is not ready either (send fewer requests here), and /readyz says why.
      const [waiting, ready] = await Promise.all([Promise.all([...Array.from({ length: 29 }, () => api.graphql(FILMS)), api.graphql(CREATE_FILM)]), api.readyz()])
      expect(ready).toEqual({ status: 503, body: { status: 'unavailable', reason: 'no pooled connection became free within 1000 ms (all 2 in use)' } })
      for (const [i, response] of waiting.entries()) {
        expect(response.body).toEqual(i < 29 ? readFailure('DATABASE_BUSY') : mutationFailure('DATABASE_BUSY', 'createFilm'))
        expect(response.text).not.toMatch(LEAK)
        // Not twice the bound: a read whose compiled statement found no connection is not run again.
        expect(response.ms).toBeGreaterThan(1_000)
        expect(response.ms).toBeLessThan(1_800)
      }

      // The holders were not disturbed, and the pool serves again once they are done.
      for (const holder of await Promise.all(holders)) expect(holder.body).toEqual({ data: napData(3000) })
      expect((await api.graphql(FILMS)).body).toEqual({ data: FILMS_DATA })
      expect(await api.readyz()).toEqual({ status: 200, body: { status: 'ready' } })
      expect(api.problems()).toEqual([[WARN, busyMessage(1_000)]])
      expect(api.lines.find((line) => line.msg === busyMessage(1_000))).toMatchObject({ count: 1, poolSize: 2 })
    } finally {
      await api.gateway.close()
    }
  }, 30_000)

  it('closing the pool waits for a running statement only up to its grace, then closes that connection', async () => {
    const logger = pino({ level: 'silent' })
    const pool = createPool({ databaseUrl, poolSize: 2, connectionTimeoutMs: 1_000, idleTimeoutMs: 10_000, statementTimeoutMs: 0, endGraceMs: 300 }, logger)
    const running = pool.query('SELECT pg_sleep(30)')
    const outcome = running.then(
      () => 'finished',
      (error: Error) => error.message,
    )
    await until(async () => (await napping()) === 1)
    const started = performance.now()
    await pool.end()
    const took = performance.now() - started
    expect(took).toBeGreaterThan(300)
    expect(took).toBeLessThan(1_000)
    expect(await outcome).toBe('Connection terminated')
    // The backend sleeps on (the server has not noticed); do not leave it to the next tests.
    await withClient(cluster.adminUrl, (client) => client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'portico'`))
  })

  describe('SIGTERM on `portico serve`', () => {
    const BIN = path.join(repoRoot, 'bin', 'portico.mjs')

    it('stops accepting, lets the request in flight finish, closes the pool, and exits 0', async () => {
      const port = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as net.AddressInfo
          probe.close(() => resolve(port))
        })
      })
      // An empty working directory: no portico.config.json; only what the flags say.
      const cwd = mkdtempSync(path.join(tmpdir(), 'portico-faults-'))
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|HOST|PORT|NODE_OPTIONS|PORTICO_.*)$/.test(key)))
      const child = spawn(
        process.execPath,
        [BIN, 'serve', '--database-url', databaseUrl, '--schemas', 'public', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'debug'],
        { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] },
      )
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
      try {
        await Promise.race([
          until(() => stderr.includes('GraphiQL and GraphQL over HTTP: '), 60_000),
          exited.then(() => Promise.reject(new Error(`portico serve exited before serving:\n${stderr}`))),
        ])
        const url = `http://127.0.0.1:${port}/graphql`
        const post = (query: string) =>
          fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then(async (response) => ({
            status: response.status,
            body: (await response.json()) as unknown,
          }))
        expect(await post(FILMS)).toEqual({ status: 200, body: { data: FILMS_DATA } })

        // Two seconds asleep in PostgreSQL when SIGTERM arrives.
        const inFlight = post(nap(2000))
        await until(async () => (await napping()) === 1)
        const signalled = performance.now()
        child.kill('SIGTERM')

        // New connections are refused from then on...
        await until(() => stderr.includes('HTTP server stopped accepting connections'), 5_000)
        const refused = await new Promise<string>((resolve) => {
          const socket = net.connect(port, '127.0.0.1')
          socket.once('connect', () => (socket.destroy(), resolve('connected')))
          socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
        })
        expect(refused).toBe('ECONNREFUSED')
        // ...while the one in flight gets its answer.
        expect(await inFlight).toEqual({ status: 200, body: { data: napData(2000) } })

        const { code, signal } = await exited
        const took = performance.now() - signalled
        expect({ code, signal }).toEqual({ code: 0, signal: null })
        expect(took).toBeLessThan(5_000)

        // In this order: stop accepting, the HTTP server closed (its request done), the pool closed, exit 0.
        const lines = stderr
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as LogLine)
        const at = (match: (line: LogLine) => boolean) => lines.findIndex(match)
        const steps = [
          at((line) => line.msg === 'shutting down' && line.reason === 'SIGTERM'),
          at((line) => line.msg === 'HTTP server stopped accepting connections' && line.inFlight === 1),
          at((line) => line.closed === 'http server'),
          at((line) => line.closed === 'database pool'),
          at((line) => line.msg === 'shutdown complete' && line.code === 0),
        ]
        expect(steps.every((step) => step >= 0)).toBe(true)
        expect([...steps].sort((a, b) => a - b)).toEqual(steps)
        expect(lines.filter((line) => line.level >= WARN)).toEqual([])
        // Nothing of Portico's left on the server.
        await until(async () => (await withClient(cluster.adminUrl, (client) => client.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'portico'`))).rowCount === 0, 2_000)
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        rmSync(cwd, { recursive: true, force: true })
      }
    }, 60_000)
  })
})
