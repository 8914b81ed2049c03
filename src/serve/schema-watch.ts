/**
 * `portico serve --watch`: rebuild the API when the database's structure changes, without a restart.
 *
 * A change is noticed through event triggers that NOTIFY (instantly) where they exist or this role
 * may create them, else by polling a catalog fingerprint every 2 s (../introspect/catalog-watch.ts).
 * A notification only wakes the check; the fingerprint decides, so DDL on schemas that are not
 * exposed costs one catalog query and no rebuild.
 *
 * The new gateway is built in the background while the current one keeps serving, then swapped in
 * at one indirection point (./swappable-handler.ts): requests in flight finish on the old schema,
 * and the old gateway is closed once its last request (SSE stream included) and its last
 * WebSocket operation have ended, so subscriptions and live queries opened before a swap carry on
 * where they started (the old gateway keeps its LISTEN connection and its pool); new ones get the
 * new schema. A failed
 * rebuild keeps the current schema and logs why; it is tried again at the next change. Changes
 * that arrive during a rebuild trigger one more rebuild after it.
 */
import pg from 'pg'
import { catalogFingerprint, DDL_CHANNEL, installDdlTriggers } from '../introspect/catalog-watch.js'
import type { Logger } from '../log.js'
import type { NodeHandler } from './http-server.js'
import { createSwappableHandler } from './swappable-handler.js'

/** What the watch needs of a gateway (../gateway.ts). */
export interface Rebuildable {
  yoga: NodeHandler
  pool: pg.Pool
  /** Its operations outside HTTP requests (WebSocket's): a swapped-out gateway waits for them too. */
  live?: { idle(): Promise<void> }
  close(): Promise<void>
}

export interface SchemaWatchOptions<G extends Rebuildable> {
  initial: G
  /** Builds a gateway from the database as it is now. */
  build: () => Promise<G>
  databaseUrl: string
  schemas: string[]
  logger: Logger
  /** false: poll even where event triggers could be used (tests). */
  events?: boolean
  /** Polling period when there is no event trigger; default 2000 ms. */
  pollMs?: number
  /** Called after each swap with the new gateway. */
  onSwap?: (gateway: G) => void
}

export interface SchemaWatch<G extends Rebuildable> {
  /** Give this to the HTTP server: it serves the current gateway. */
  handler: NodeHandler
  current(): G
  /** `event trigger` or `polling`. */
  mode: 'event trigger' | 'polling'
  /** The current gateway, then those swapped out and still serving what started on them. */
  gateways(): G[]
  /** Resolves when no check or rebuild is running or pending (tests). */
  settled(): Promise<void>
  /** Stops watching; closes the current gateway and those still draining. */
  close(): Promise<void>
}

/** Notifications arriving within this window (a migration's statements) make one check. */
const DEBOUNCE_MS = 50

export async function watchSchema<G extends Rebuildable>(options: SchemaWatchOptions<G>): Promise<SchemaWatch<G>> {
  const { build, logger, schemas } = options
  const swappable = createSwappableHandler(options.initial.yoga)
  let current = options.initial
  const draining = new Set<Promise<void>>()
  const swappedOut = new Set<G>()
  let fingerprint = await catalogFingerprint((sql, params) => current.pool.query(sql, params), schemas)
  let running: Promise<void> | undefined
  let again = false
  let closed = false

  const rebuild = async (): Promise<void> => {
    const seen = await catalogFingerprint((sql, params) => current.pool.query(sql, params), schemas)
    if (seen === fingerprint || closed) return
    // Remembered before building: a failed build is not retried until the next change.
    fingerprint = seen
    const started = performance.now()
    let next: G
    try {
      next = await build()
    } catch (error) {
      logger.error({ err: error }, `the database's structure changed, but the new schema could not be built: still serving the previous one (${(error as Error).message.split('\n')[0]})`)
      return
    }
    if (closed) {
      await next.close()
      return
    }
    const previous = current
    current = next
    swappedOut.add(previous)
    const drained = swappable
      .swap(next.yoga)
      .then(() => previous.live?.idle())
      .then(() => previous.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the previous schema\'s gateway failed')))
      .finally(() => swappedOut.delete(previous))
    draining.add(drained)
    void drained.finally(() => draining.delete(drained))
    options.onSwap?.(next)
    logger.info({ ms: Math.round(performance.now() - started) }, 'the database\'s structure changed: now serving the rebuilt schema')
  }

  /** Runs one rebuild at a time; a change seen meanwhile runs one more after it. */
  const check = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = rebuild()
      .catch((error: unknown) => logger.warn({ err: error }, 'checking the database for structure changes failed; will try again'))
      .finally(() => {
        running = undefined
        if (again && !closed) {
          again = false
          void check()
        }
      })
    return running
  }

  let listener: pg.Client | undefined
  let timer: NodeJS.Timeout | undefined
  let debounce: NodeJS.Timeout | undefined
  const poll = () => {
    timer ??= setInterval(() => void check(), options.pollMs ?? 2_000)
    timer.unref()
  }

  const mode = await (options.events === false ? Promise.resolve('polling' as const) : listen()).catch((error: unknown) => {
    logger.warn({ err: error }, 'cannot listen for DDL events; polling the catalog instead')
    return 'polling' as const
  })
  if (mode === 'polling') poll()
  logger.info({ mode, schemas }, mode === 'event trigger' ? 'watching the database for structure changes (event trigger)' : `watching the database for structure changes (polling every ${options.pollMs ?? 2_000} ms)`)

  async function listen(): Promise<'event trigger' | 'polling'> {
    const client = new pg.Client({ connectionString: options.databaseUrl })
    await client.connect()
    const query = (sql: string, params?: unknown[]) => client.query(sql, params)
    let installed = false
    try {
      installed = await installDdlTriggers(query)
    } catch (error) {
      // Another Portico creating them at the same moment, say: they may exist now.
      logger.debug({ err: error }, 'creating the DDL event triggers failed')
      installed = await installDdlTriggers(query).catch(() => false)
    }
    if (!installed) {
      await client.end()
      return 'polling'
    }
    client.on('notification', (message) => {
      if (message.channel !== DDL_CHANNEL) return
      clearTimeout(debounce)
      debounce = setTimeout(() => void check(), DEBOUNCE_MS)
    })
    // The connection lost (a database restart): poll from then on, as without triggers.
    client.on('error', (error) => {
      if (closed) return
      logger.warn({ err: error }, 'lost the DDL event listener; polling the catalog instead')
      poll()
    })
    await client.query(`LISTEN ${DDL_CHANNEL}`)
    listener = client
    return 'event trigger'
  }

  return {
    handler: swappable.handler,
    current: () => current,
    gateways: () => [current, ...swappedOut],
    mode,
    async settled() {
      while (running) await running
    },
    async close() {
      closed = true
      clearInterval(timer)
      clearTimeout(debounce)
      await listener?.end().catch(() => {})
      await running
      await Promise.all([...draining])
      await current.close()
    },
  }
}
