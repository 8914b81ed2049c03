/**
 * The process's one LISTEN connection: a plain pg client on a direct connection (`live.listenUrl`,
 * else databaseUrl: LISTEN needs a session, which a transaction pooler does not keep), listening
 * on the change triggers' channel (./triggers.ts). When it drops, it reconnects (backing off up to
 * 5 s), reads again which tables have triggers, and tells its listeners to resync: notifications
 * sent while it was away are lost.
 */
import { EventEmitter } from 'node:events'
import pg from 'pg'
import type { Logger } from '../log.js'
import type { ChangeEvent, ChangeFeed, ChangeOp } from './change-feed.js'
import { CHANGES_CHANNEL, watchedTables } from './triggers.js'

const OPS = new Set<ChangeOp>(['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'])

export class ChangeListener implements ChangeFeed {
  private client?: pg.Client
  private watched = new Set<string>()
  private readonly events = new EventEmitter()
  private closed = false
  private retryMs = 100
  private timer?: NodeJS.Timeout
  /** Connections made so far (1 after start; more after reconnects). */
  connections = 0

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {
    this.events.setMaxListeners(0)
  }

  /** Connects and listens; a failure here is retried in the background (live queries poll meanwhile). */
  async start(): Promise<void> {
    try {
      await this.connect()
    } catch (error) {
      this.logger.warn({ err: error }, 'the change listener could not connect; retrying (live queries poll every interval meanwhile)')
      this.retry()
    }
  }

  get connected(): boolean {
    return this.client !== undefined
  }

  watches(table: string): boolean {
    return this.client !== undefined && this.watched.has(table)
  }

  /** Reads the installed triggers again (after `portico triggers install` ran elsewhere). */
  async refresh(): Promise<void> {
    if (this.client) this.watched = await watchedTables(this.client)
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    this.events.on('change', listener)
    return () => this.events.off('change', listener)
  }

  onResync(listener: () => void): () => void {
    this.events.on('resync', listener)
    return () => this.events.off('resync', listener)
  }

  onLost(listener: () => void): () => void {
    this.events.on('lost', listener)
    return () => this.events.off('lost', listener)
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => {})
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'portico-listen' })
    client.on('error', (error) => this.lost(client, error))
    client.on('end', () => this.lost(client))
    client.on('notification', (message) => {
      if (message.channel === CHANGES_CHANNEL && message.payload) this.notified(message.payload)
    })
    await client.connect()
    try {
      await client.query(`LISTEN ${CHANGES_CHANNEL}`)
      this.watched = await watchedTables(client)
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    if (this.closed) {
      await client.end().catch(() => {})
      return
    }
    this.client = client
    this.connections += 1
    this.retryMs = 100
    // Back after a loss: whatever was sent meanwhile is gone.
    if (this.connections > 1) {
      this.logger.info('the change listener is connected again; live subscribers resync')
      this.events.emit('resync')
    }
  }

  private notified(payload: string): void {
    let event: ChangeEvent
    try {
      const parsed = JSON.parse(payload) as { t?: unknown; op?: unknown; k?: unknown }
      if (typeof parsed.t !== 'string' || !OPS.has(parsed.op as ChangeOp)) return
      event = { table: parsed.t, op: parsed.op as ChangeOp, keys: Array.isArray(parsed.k) ? (parsed.k as string[][]) : [] }
    } catch {
      return
    }
    // A table whose triggers were installed after start.
    this.watched.add(event.table)
    this.events.emit('change', event)
  }

  private lost(client: pg.Client, error?: Error): void {
    if (this.client !== client) return
    this.client = undefined
    if (this.closed) return
    // Info, not a warning: when the database is down, the pool already reports the outage once.
    this.logger.info({ err: error?.message }, 'the change listener lost its connection; live queries poll every interval until it is back')
    // Until it is back, nothing is watched: live queries poll every interval.
    this.events.emit('lost')
    this.retry()
  }

  private retry(): void {
    if (this.closed) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        this.logger.debug({ err: error }, 'the change listener could not reconnect yet')
        this.retryMs = Math.min(this.retryMs * 2, 5_000)
        this.retry()
      })
    }, this.retryMs)
  }
}
