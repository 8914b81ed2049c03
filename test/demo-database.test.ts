/** The embedded demo database: its contents, its reuse on disk, and serving PGlite over TCP. */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { DEMO_SCHEMA_SQL, servePGlite, startDemoDatabase } from '../src/db/demo-database.js'
import { DEMO_READING_COUNT, demoReadings, utcText } from '../src/db/demo-readings.js'
import { createSqlRunner } from '../src/db/sql-runner.js'
import { createTestDatabase } from './support/test-database.js'

/** Pinned (the md5 orders by timestamp, then device and sensor by byte order): changing the generator must be deliberate (and bump DEMO_VERSION so old copies rebuild). */
const EXPECTED_COUNT = 31_680
const EXPECTED_NULL_PF = 8_234
const EXPECTED_MD5 = '623b3e875ab49e408858ef6253458e33'

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Same text as the SQL checksum below produces, computed from the generator. */
function generatorChecksum(): string {
  const hash = createHash('md5')
  let first = true
  const rows = [...demoReadings()].sort((a, b) => a.time - b.time || cmp(a.device, b.device) || cmp(a.sensor, b.sensor))
  for (const r of rows) {
    hash.update(`${first ? '' : '\n'}${utcText(r.time)}|${r.device}|${r.sensor}|${r.power}|${r.pf ?? ''}|${r.current}|${r.v}`)
    first = false
  }
  return hash.digest('hex')
}

const CHECKSUM_SQL = `SELECT count(*)::int AS n, count(*) FILTER (WHERE pf IS NULL)::int AS null_pf,
  md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s', timestamp, device, sensor, power, pf, current, v), E'\\n'
  ORDER BY timestamp, device COLLATE "C", sensor COLLATE "C")) AS md5
  FROM api.iotawatt`

async function checksum(pool: pg.Pool) {
  const client = await pool.connect()
  try {
    await client.query(`SET TimeZone = 'UTC'`)
    return (await client.query(CHECKSUM_SQL)).rows[0]
  } finally {
    await client.query('RESET TimeZone')
    client.release()
  }
}

describe('demo readings', () => {
  it('are deterministic and plausible', () => {
    expect(DEMO_READING_COUNT).toBe(EXPECTED_COUNT)
    expect(generatorChecksum()).toBe(EXPECTED_MD5)
    for (const r of demoReadings()) {
      if (r.pf === null) {
        expect(r.power).toBe(0)
        continue
      }
      expect(r.pf).toBeGreaterThanOrEqual(0.8)
      expect(r.pf).toBeLessThanOrEqual(1)
      expect(Math.abs(r.current - r.power / (r.v * r.pf))).toBeLessThan(0.001)
    }
  })
})

describe('startDemoDatabase', () => {
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'portico-demo-')), 'demo-pgdata')
  afterAll(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }))

  it('creates the demo, then reuses it', async () => {
    const logs: string[] = []
    let started = Date.now()
    const cold = await startDemoDatabase({ dataDir, log: (m) => logs.push(m) })
    const coldMs = Date.now() - started
    const pool = new pg.Pool({ connectionString: cold.url, max: 4 })
    try {
      const columns = await pool.query(`SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'api' AND table_name = 'iotawatt' ORDER BY ordinal_position`)
      expect(columns.rows.map((c) => `${c.column_name} ${c.data_type}${c.is_nullable === 'NO' ? ' NOT NULL' : ''}`)).toEqual([
        'timestamp timestamp with time zone NOT NULL',
        'device text NOT NULL',
        'sensor text NOT NULL',
        'power double precision',
        'pf double precision',
        'current double precision',
        'v double precision',
      ])
      const indexes = await pool.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'api'`)
      expect(indexes.rows).toEqual([{ indexname: 'iotawatt_timestamp_idx', indexdef: expect.stringMatching(/USING btree \("timestamp"\)$/) }])
      const keys = await pool.query(`SELECT conname FROM pg_constraint WHERE conrelid = 'api.iotawatt'::regclass AND contype IN ('p', 'u')`)
      expect(keys.rows).toEqual([]) // no primary key, like the reference database
      // An exact copy of the reference structure: no table or column comments (DEMO_SCHEMA_SQL).
      const comments = await pool.query(
        `SELECT objsubid, description FROM pg_description WHERE classoid = 'pg_class'::regclass AND objoid = 'api.iotawatt'::regclass ORDER BY objsubid`,
      )
      expect(comments.rows).toEqual([])
      expect(await checksum(pool)).toEqual({ n: EXPECTED_COUNT, null_pf: EXPECTED_NULL_PF, md5: EXPECTED_MD5 })
    } finally {
      await pool.end()
      await cold.close()
    }
    expect(logs.some((m) => m.includes('creating the demo database'))).toBe(true)

    logs.length = 0
    started = Date.now()
    const warm = await startDemoDatabase({ dataDir, log: (m) => logs.push(m) })
    const warmMs = Date.now() - started
    await warm.close()
    expect(logs.some((m) => m.includes('creating'))).toBe(false)
    console.log(`demo database: cold start ${coldMs} ms, warm start ${warmMs} ms`)
  })

  it('serves several connections and @prisma/adapter-pg', async () => {
    const demo = await startDemoDatabase({ dataDir })
    const pool = new pg.Pool({ connectionString: demo.url, max: 8 })
    const factory = new PrismaPg({ connectionString: demo.url, max: 2 })
    const adapter = await factory.connect()
    try {
      const results = await Promise.all(
        ['iotawatt-house', 'iotawatt-shop', 'iotawatt-cabin'].flatMap((device) =>
          Array.from({ length: 6 }, () => pool.query('SELECT $1::text AS device, count(*)::int AS n FROM api.iotawatt WHERE device = $1', [device])),
        ),
      )
      expect(pool.totalCount).toBeGreaterThan(1)
      expect(results.map((r) => r.rows[0])).toEqual(
        ['iotawatt-house', 'iotawatt-shop', 'iotawatt-cabin'].flatMap((device) => Array(6).fill({ device, n: device === 'iotawatt-cabin' ? 8_640 : 11_520 })),
      )
      const raw = await adapter.queryRaw({ sql: 'SELECT count(*)::int AS n FROM api.iotawatt WHERE pf IS NULL', args: [], argTypes: [] })
      expect(raw.rows).toEqual([[EXPECTED_NULL_PF]])

      // The planner's named prepared statements, from every pooled connection: they share PGlite's
      // one session, where a second connection preparing the same name failed ("prepared statement
      // ... already exists"), and live queries on the demo broke so.
      const runner = createSqlRunner(pool)
      const held: pg.PoolClient[] = []
      const answers: unknown[] = []
      for (let i = 0; i < 3; i++) {
        answers.push(await runner.query('SELECT $1::int + 1 AS n', [i]))
        held.push(await pool.connect()) // the next statement goes out on another connection
      }
      for (const client of held) client.release()
      answers.push(await runner.query('SELECT $1::int + 1 AS n', [10]))
      expect(answers).toEqual([[{ n: 1 }], [{ n: 2 }], [{ n: 3 }], [{ n: 11 }]])
    } finally {
      await adapter.dispose()
      await pool.end()
      await demo.close()
    }
  })

  it('holds the same data as PostgreSQL given the same rows', async () => {
    const db = await createTestDatabase('demo_readings', DEMO_SCHEMA_SQL)
    const pool = new pg.Pool({ connectionString: db.url, max: 1 })
    try {
      const rows = [...demoReadings()]
      for (let i = 0; i < rows.length; i += 5_000) {
        const batch = rows.slice(i, i + 5_000)
        await pool.query(
          `INSERT INTO api.iotawatt SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[])`,
          [batch.map((r) => utcText(r.time)), batch.map((r) => r.device), batch.map((r) => r.sensor), batch.map((r) => r.power), batch.map((r) => r.pf), batch.map((r) => r.current), batch.map((r) => r.v)],
        )
      }
      expect(await checksum(pool)).toEqual({ n: EXPECTED_COUNT, null_pf: EXPECTED_NULL_PF, md5: EXPECTED_MD5 })
    } finally {
      await pool.end()
      await db.drop()
    }
  })
})

describe('servePGlite', () => {
  // Wire-protocol messages, to send one extended-protocol query in two TCP writes.
  function frame(type: string, body: Buffer): Buffer {
    const head = Buffer.alloc(5)
    head.write(type, 0, 'latin1')
    head.writeInt32BE(body.length + 4, 1)
    return Buffer.concat([head, body])
  }
  const cstr = (s: string) => Buffer.from(`${s}\0`)
  const parse = (sql: string) => frame('P', Buffer.concat([cstr(''), cstr(sql), Buffer.alloc(2)]))
  const rest = () => Buffer.concat([frame('B', Buffer.concat([cstr(''), cstr(''), Buffer.alloc(6)])), frame('D', Buffer.from('P\0')), frame('E', Buffer.alloc(5)), frame('S', Buffer.alloc(0))])

  async function rawClient(port: number) {
    const socket = net.connect(port, '127.0.0.1')
    let received = Buffer.alloc(0)
    socket.on('data', (d) => (received = Buffer.concat([received, d])))
    const untilReady = async () => {
      while (!received.includes(Buffer.from('Z\0\0\0\x05'))) await new Promise((r) => setTimeout(r, 5))
      const out = received.toString('latin1')
      received = Buffer.alloc(0)
      return out
    }
    const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])])
    const length = Buffer.alloc(4)
    length.writeInt32BE(body.length + 4)
    socket.write(Buffer.concat([length, body]))
    await untilReady()
    return { socket, untilReady }
  }

  it('keeps an extended-protocol query together even when it arrives in pieces', async () => {
    // With pglite-socket's own queue, B's Parse lands between A's Parse and Bind, and A gets B's row.
    const db = await PGlite.create()
    const served = await servePGlite(db)
    try {
      const a = await rawClient(served.port)
      const b = await rawClient(served.port)
      a.socket.write(parse(`SELECT 'from A'`))
      await new Promise((r) => setTimeout(r, 50))
      b.socket.write(Buffer.concat([parse(`SELECT 'from B'`), rest()]))
      const bReply = b.untilReady()
      await new Promise((r) => setTimeout(r, 50))
      a.socket.write(rest())
      expect(await a.untilReady()).toContain('from A')
      expect(await bReply).toContain('from B')
      // A connection that vanishes mid-transaction is rolled back and releases the session.
      const other = new pg.Client(served.url)
      await other.connect()
      const c = new pg.Client(served.url)
      c.on('error', () => {})
      await c.connect()
      await c.query('BEGIN; CREATE TABLE t (x int)')
      const waiting = other.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 't'`)
      c.end()
      expect((await waiting).rows).toEqual([{ n: 0 }])
      await other.end()
      a.socket.destroy()
      b.socket.destroy()
    } finally {
      await served.close()
      await db.close()
    }
  })
})
