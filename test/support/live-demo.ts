/**
 * What the browser tests serve: a throw-away PostgreSQL database with the reference structure
 * (api.iotawatt) holding the last half minute of demo readings (demoReadingsAt, as `npm start`'s
 * ticker writes them), and Portico serving it over real HTTP on 127.0.0.1, configured as the
 * repository's portico.config.json configures the demo (the declared key). No ticker runs here:
 * the tests insert the readings they look for with SQL, as any other client of the database would.
 */
import pg from 'pg'
import { loadConfig } from '../../src/config/config.js'
import { DEMO_SCHEMA_SQL } from '../../src/db/demo-database.js'
import { demoReadingsAt, type DemoReading } from '../../src/db/demo-readings.js'
import { createGateway, type Gateway } from '../../src/gateway.js'
import { createLogger } from '../../src/log.js'
import { listen, type RunningServer } from '../../src/serve/http-server.js'
import { createTestDatabase, type TestDatabase } from './test-database.js'

export interface LiveDemo {
  db: TestDatabase
  sql: pg.Client
  gateway: Gateway
  server: RunningServer
  /** http://127.0.0.1:<port> */
  origin: string
  /** Inserts readings as one statement; resolves when it has committed. */
  insert(readings: DemoReading[]): Promise<void>
  /** The latest reading of every device and sensor, as PostgreSQL answers it. */
  latest(): Promise<DemoReading[]>
  close(): Promise<void>
}

export async function startLiveDemo(prefix: string): Promise<LiveDemo> {
  const db = await createTestDatabase(prefix, DEMO_SCHEMA_SQL)
  const sql = new pg.Client({ connectionString: db.url })
  let gateway: Gateway | undefined
  let server: RunningServer | undefined
  try {
    await sql.connect()
    const insert = async (readings: DemoReading[]) => {
      await sql.query(
        `INSERT INTO api.iotawatt ("timestamp", device, sensor, power, pf, current, v)
         SELECT to_timestamp(t / 1000.0), d, s, p, f, c, v
           FROM unnest($1::float8[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[]) AS r(t, d, s, p, f, c, v)`,
        [
          readings.map((r) => r.time),
          readings.map((r) => r.device),
          readings.map((r) => r.sensor),
          readings.map((r) => r.power),
          readings.map((r) => r.pf),
          readings.map((r) => r.current),
          readings.map((r) => r.v),
        ],
      )
    }
    // Ten ticks, 3 s apart, ending a second ago.
    const now = Date.now() - 1_000
    await insert(Array.from({ length: 10 }, (_, i) => demoReadingsAt(now - (9 - i) * 3_000)).flat())

    gateway = await createGateway({
      databaseUrl: db.url,
      config: loadConfig({
        env: {},
        cwd: '/nonexistent',
        flags: { logLevel: 'silent', schemas: ['api'], primaryKeys: { 'api.iotawatt': ['device', 'sensor', 'timestamp'] } },
      }),
      logger: createLogger('silent'),
      onProgress: () => {},
    })
    const live = gateway.live
    // As `portico serve` does: the WebSocket transport on the same server, closed first.
    server = await listen(gateway.yoga, { host: '127.0.0.1', port: 0, logger: createLogger('silent'), graceMs: 1_000, attach: (http) => (live.attach(http), { close: live.close }) })
    const running = { gateway, server }
    return {
      db,
      sql,
      ...running,
      origin: new URL(server.url).origin,
      insert,
      async latest() {
        const { rows } = await sql.query(
          `SELECT DISTINCT ON (device, sensor) (extract(epoch FROM "timestamp") * 1000)::bigint::float8 AS time, device, sensor, power, pf, current, v
             FROM api.iotawatt ORDER BY device, sensor, "timestamp" DESC`,
        )
        return rows as DemoReading[]
      },
      async close() {
        await running.server.close()
        await running.gateway.close()
        await sql.end()
        await db.drop()
      },
    }
  } catch (error) {
    await server?.close().catch(() => {})
    await gateway?.close().catch(() => {})
    await sql.end().catch(() => {})
    await db.drop()
    throw error
  }
}
