/**
 * `portico serve --watch`: DDL and comments reach the served schema without a restart, through a
 * real HTTP server, while requests keep coming and none fails; a rebuild that fails keeps the
 * schema served and logs why; the swap lets a request in flight finish where it started.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { createGateway, type Gateway } from '../src/gateway.js'
import { listen, type NodeHandler, type RunningServer } from '../src/serve/http-server.js'
import { watchSchema, type SchemaWatch } from '../src/serve/schema-watch.js'
import { createSwappableHandler } from '../src/serve/swappable-handler.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'

/**
 * A column name new to every run: the same structure twice would reuse the Prisma client generated
 * the first time (cached by the schema's hash), and the rebuild measured would skip its longest step.
 */
const fresh = () => `note${Array.from({ length: 6 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`

const DDL = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.item (id integer PRIMARY KEY, name text NOT NULL);
  INSERT INTO shop.item VALUES (1, 'one'), (2, 'two'), (3, 'three');`

function memoryLogger() {
  const lines: Record<string, any>[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  return { logger, lines }
}

interface Served {
  watch: SchemaWatch<Gateway>
  server: RunningServer
  lines: Record<string, any>[]
  ask(query: string): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

async function serveWatched(url: string, events: boolean): Promise<Served> {
  const config = loadConfig({ env: {}, cwd: '/nonexistent', flags: { logLevel: 'silent', schemas: ['shop'] } })
  const { logger, lines } = memoryLogger()
  const build = () => createGateway({ databaseUrl: url, config, logger, onProgress: () => {} })
  const watch = await watchSchema({ initial: await build(), build, databaseUrl: url, schemas: ['shop'], logger, events })
  const server = await listen(watch.handler, { host: '127.0.0.1', port: 0, logger })
  const ask = async (query: string) => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) })
    return { status: response.status, body: await response.json() }
  }
  return { watch, server, lines, ask, close: async () => (await server.close(), await watch.close()) }
}

/** Asks `query` until it answers without errors; the milliseconds that took. */
async function until(served: Served, query: string, timeoutMs: number): Promise<{ ms: number; body: any }> {
  const started = performance.now()
  for (;;) {
    const { status, body } = await served.ask(query)
    if (status === 200 && !body.errors) return { ms: performance.now() - started, body }
    if (performance.now() - started > timeoutMs) throw new Error(`still failing after ${timeoutMs} ms: ${JSON.stringify(body)}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A database of its own, Portico serving it in watch mode (event triggers or polling), and a SQL client on it. */
function watchedDatabase(name: string, events: boolean): { served: Served; sql: pg.Client } {
  const w = {} as { db: TestDatabase; served: Served; sql: pg.Client }
  beforeAll(async () => {
    w.db = await createTestDatabase(name, DDL)
    w.served = await serveWatched(w.db.url, events)
    w.sql = new pg.Client({ connectionString: w.db.url })
    await w.sql.connect()
  }, 120_000)
  afterAll(async () => {
    await w.sql?.end()
    await w.served?.close()
    await w.db?.drop()
  })
  return w
}

describe('with event triggers (a superuser)', () => {
  const w = watchedDatabase('watch', true)

  it('ADD COLUMN under load: the new field answers soon after, and no request fails', async () => {
    expect(w.served.watch.mode).toBe('event trigger')
    const failures: unknown[] = []
    let answered = 0
    let stop = false
    // Four clients asking in a loop, before, during and after the rebuild and the swap.
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const { status, body } = await w.served.ask('{ items(orderBy: [{ id: ASC }]) { nodes { id name } } }')
        if (status !== 200 || body.errors || body.data.items.nodes.length < 3) failures.push(body)
        answered++
      }
    })
    const initial = w.served.watch.current()
    await new Promise((resolve) => setTimeout(resolve, 300))
    const note = fresh()
    await w.sql.query(`ALTER TABLE shop.item ADD COLUMN ${note} text NOT NULL DEFAULT 'n'`)
    const { ms, body } = await until(w.served, `{ items(orderBy: [{ id: ASC }]) { nodes { id ${note} } } }`, 60_000)
    // A write at once: the new schema is served before its Prisma client is generated, and the
    // write waits for it (src/model/lazy-prisma-client.ts).
    const written = await w.served.ask(`mutation { createItem(data: { id: 4, name: "four", ${note}: "w" }) { id ${note} } }`)
    const during = answered
    await new Promise((resolve) => setTimeout(resolve, 300))
    stop = true
    await Promise.all(load)
    expect(body).toEqual({ data: { items: { nodes: [1, 2, 3].map((id) => ({ id, [note]: 'n' })) } } })
    expect(written).toEqual({ status: 200, body: { data: { createItem: { id: 4, [note]: 'w' } } } })
    expect(failures).toEqual([])
    expect(answered).toBeGreaterThan(during)
    console.log(`watch: new column served ${Math.round(ms)} ms after ALTER TABLE (event trigger), ${answered} requests under load, none failed`)
    expect(w.served.lines.filter((l) => l.msg === "the database's structure changed: now serving the rebuilt schema")).toHaveLength(1)
    // The bound. `prisma generate` is no longer part of it: the schema is built from the
    // schema.prisma text, and the client follows (src/model/pothos-datamodel.ts).
    expect(ms).toBeLessThan(3_000)
    // The old gateway's pool is closed once its last request has ended.
    await w.served.watch.settled()
    expect(w.served.watch.current()).not.toBe(initial)
    for (let i = 0; i < 100 && !(initial.pool as { ending?: boolean }).ending; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect((initial.pool as { ending?: boolean }).ending).toBe(true)
  })

  it('a smart comment renames a field; DDL on another schema rebuilds nothing', async () => {
    const [{ column }] = (await w.sql.query(`SELECT column_name AS column FROM information_schema.columns WHERE table_schema = 'shop' AND column_name LIKE 'note%'`)).rows
    await w.sql.query(`COMMENT ON COLUMN shop.item.${column} IS E'@name remark\\nWhat was said about it.'`)
    const { body } = await until(w.served, '{ items(first: 1) { nodes { remark } } }', 60_000)
    expect(body).toEqual({ data: { items: { nodes: [{ remark: 'n' }] } } })
    const rebuilds = () => w.served.lines.filter((l) => l.msg === "the database's structure changed: now serving the rebuilt schema").length
    const before = rebuilds()
    await w.sql.query('CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.t (id int)')
    await new Promise((resolve) => setTimeout(resolve, 500))
    await w.served.watch.settled()
    expect(rebuilds()).toBe(before)
  })
})

describe('polling (no event trigger)', () => {
  const w = watchedDatabase('watchpoll', false)

  it('a failed rebuild keeps the schema served and logs why; the next change is picked up', async () => {
    expect(w.served.watch.mode).toBe('polling')
    // Its connection type would be named ItemConnection, as item's is: the model check refuses it.
    await w.sql.query('CREATE TABLE shop.item_connection (id integer PRIMARY KEY)')
    const logged = async () => {
      for (let i = 0; i < 600 && !w.served.lines.some((l) => l.level === 50); i++) await new Promise((resolve) => setTimeout(resolve, 100))
      return w.served.lines.filter((l) => l.level === 50)
    }
    const errors = await logged()
    expect(errors).toHaveLength(1)
    expect(errors[0]!.msg).toMatch(/^the database's structure changed, but the new schema could not be built: still serving the previous one \(.*ItemConnection.*\)$/)
    expect(await w.served.ask('{ items(orderBy: [{ id: ASC }]) { nodes { id name } } }')).toEqual({ status: 200, body: { data: { items: { nodes: [{ id: 1, name: 'one' }, { id: 2, name: 'two' }, { id: 3, name: 'three' }] } } } })
    const price = fresh()
    await w.sql.query(`DROP TABLE shop.item_connection; ALTER TABLE shop.item ADD COLUMN ${price} numeric`)
    const { ms, body } = await until(w.served, `{ items(first: 1) { nodes { id ${price} } } }`, 60_000)
    expect(body).toEqual({ data: { items: { nodes: [{ id: 1, [price]: null }] } } })
    console.log(`watch: new column served ${Math.round(ms)} ms after ALTER TABLE (polling every 2 s)`)
    expect(ms).toBeLessThan(60_000)
  })
})

describe('the swap', () => {
  it('new requests go to the new handler, one in flight finishes on the old one, and swap resolves after it', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const handler = (name: string, wait?: Promise<void>) =>
      Object.assign(
        async (_request: IncomingMessage, response: ServerResponse) => {
          await wait
          response.end(name)
        },
        { graphqlEndpoint: '/graphql' },
      ) as NodeHandler
    const swappable = createSwappableHandler(handler('old', held))
    const server = createServer(swappable.handler)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    try {
      const inFlight = fetch(base).then((r) => r.text())
      await new Promise((resolve) => setTimeout(resolve, 100))
      let swapped = false
      const swap = swappable.swap(handler('new')).then(() => (swapped = true))
      expect(await (await fetch(base)).text()).toBe('new')
      expect(swapped).toBe(false)
      release()
      expect(await inFlight).toBe('old')
      await swap
      expect(swapped).toBe(true)
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
