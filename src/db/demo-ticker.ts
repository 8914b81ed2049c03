/**
 * The live demo: while `portico serve` runs on the embedded demo database, a reading per device
 * and sensor is added every `intervalMs` (config `demo.tickMs`, env PORTICO_DEMO_TICK_MS; 0: off),
 * stamped with the current time and drawn from the same model as the generated two days
 * (demoReadingsAt), so a `@live` query or the power dashboard visibly moves.
 *
 * It writes through the served TCP port like any other client (never on the PGlite handle
 * directly): PGlite is one session, and only the socket server's queue keeps the ticker's INSERT
 * out of a request's transaction. One simple-protocol statement per tick.
 */
import pg from 'pg'
import { demoReadingsAt, utcText, type DemoReading } from './demo-readings.js'

export interface DemoTicker {
  /** Readings inserted so far. */
  readonly inserted: number
  stop(): Promise<void>
}

export interface DemoTickerOptions {
  /** The demo database's URL (startDemoDatabase's `url`). */
  url: string
  intervalMs: number
  /** One line when a tick fails (the database is closing, say); the next tick tries again. */
  log?: (message: string) => void
  /** The clock, for tests. */
  now?: () => number
}

export function startDemoTicker(options: DemoTickerOptions): DemoTicker {
  const log = options.log ?? (() => {})
  const now = options.now ?? Date.now
  let client: pg.Client | null = null
  let inserted = 0
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  let failing = false

  const connect = async () => {
    const fresh = new pg.Client({ connectionString: options.url })
    fresh.on('error', () => {}) // a lost connection shows up as the next failed tick
    await fresh.connect()
    return fresh
  }
  const tick = async () => {
    const readings = demoReadingsAt(now())
    try {
      client ??= await connect()
      await client.query(insertSql(readings))
      inserted += readings.length
      if (failing) log('demo readings: inserting again')
      failing = false
    } catch (error) {
      if (!failing) log(`demo readings: cannot insert (${(error as Error).message}); retrying every tick`)
      failing = true
      // A new connection next time: this one may be gone for good.
      await client?.end().catch(() => {})
      client = null
    }
  }
  const timer = setInterval(() => {
    // A tick still running (a slow or busy database) is not doubled up.
    running = running.then(() => (stopped ? undefined : tick()))
  }, options.intervalMs)
  timer.unref()

  return {
    get inserted() {
      return inserted
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
      await client?.end().catch(() => {})
    },
  }
}

/** Values are numbers and fixed names from the generator, written as literals (no parameters). */
function insertSql(readings: DemoReading[]): string {
  const literal = (value: number | null) => (value === null ? 'NULL' : String(value))
  const rows = readings.map(
    (r) => `('${utcText(r.time)}', '${r.device}', '${r.sensor}', ${literal(r.power)}, ${literal(r.pf)}, ${literal(r.current)}, ${literal(r.v)})`,
  )
  return `INSERT INTO api.iotawatt ("timestamp", device, sensor, power, pf, current, v) VALUES ${rows.join(', ')}`
}
