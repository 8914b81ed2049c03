/**
 * `<type>Changed` subscriptions: the change listener's events (./change-listener.ts), with the
 * rows re-read as the subscriber, so row-level security and `where` apply to what it gets.
 *
 * Subscribers with the same table, role, claims, selection, `where` and `ops` form a group. The
 * notifications that arrive together (one statement's keys may come in several) are one batch,
 * and a batch costs one statement per group (../planner/compile-live.ts: the keys unnested and
 * joined to the table), never one per subscriber or per row. The group's event objects are
 * shared by its subscribers.
 *
 * - INSERT, UPDATE: the rows that still exist, match `where` and are visible to the role.
 * - DELETE: the row is gone, so neither `where` nor row-level security can be checked: only its
 *   `nodeId` is sent, and not at all for a table with row-level security on (it would reveal
 *   other users' keys).
 * - RESYNC, to every subscriber: the listener reconnected (events may have been missed), or rows
 *   changed whose keys were not sent (TRUNCATE, a statement of over 1,000 rows).
 */
import { encodeGlobalID } from '@pothos/plugin-relay'
import type pg from 'pg'
import { RequestSession, type SessionIdentity } from '../db/request-session.js'
import type { Logger } from '../log.js'
import type { ModelInfo } from '../model/datamodel.js'
import type { ChangedRowsStatement } from '../planner/compile-live.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import type { RowEvent, RowEventRequest } from '../schema/subscription-fields.js'
import { identityOf } from '../serve/use-auth.js'
import type { ChangeEvent, ChangeFeed } from './change-feed.js'
import { SubscriberQueue } from './subscriber-queue.js'
import type { SubscriptionCounter } from './subscription-counter.js'
import { qualifiedName } from './triggers.js'

/** An error is the last item of a stream whose subscriber fell behind: the resolver throws it. */
type Item = RowEvent | Error

interface Group {
  key: string
  table: string
  model: ModelInfo
  identity?: SessionIdentity
  statement: ChangedRowsStatement
  ops: Set<string>
  subscribers: Set<SubscriberQueue<Item>>
  /** Batches of one group are read one after the other, so events keep their order. */
  chain: Promise<void>
}

export interface RowEventOptions {
  planner: ReadPlanner
  pool: pg.Pool
  counter: SubscriptionCounter
  queueSize: number
  logger: Logger
  changes: ChangeFeed
}

export class RowEvents {
  private readonly groups = new Map<string, Group>()
  private readonly byTable = new Map<string, Set<Group>>()
  private pending = new Map<string, ChangeEvent[]>()
  private flushing = false
  private readonly stop: (() => void)[]

  constructor(private readonly options: RowEventOptions) {
    this.stop = [
      options.changes.onChange((event) => this.received(event)),
      options.changes.onResync(() => {
        const resync: RowEvent = { $op: 'RESYNC', $nodeId: null }
        for (const group of this.groups.values()) this.push(group, [resync])
      }),
    ]
  }

  get stats(): { groups: number; subscribers: number } {
    let subscribers = 0
    for (const group of this.groups.values()) subscribers += group.subscribers.size
    return { groups: this.groups.size, subscribers }
  }

  subscribe(request: RowEventRequest): AsyncIterableIterator<Item> {
    const release = this.options.counter.acquire()
    const { model, info } = request
    const identity = identityOf((request.context as { request?: Request }).request)
    const op = { schema: info.schema, fragments: info.fragments, variableValues: info.variableValues }
    const statement = this.options.planner.changedRows(op, model, request.eventType, info.fieldNodes, request.where)
    const ops = [...new Set(request.ops)].sort()
    const key = [qualifiedName(model), identity?.role ?? '', identity ? JSON.stringify(identity.claims) : '', statement.sql, JSON.stringify(statement.values), ops.join(',')].join('\u0000')
    let group = this.groups.get(key)
    if (!group) {
      group = { key, table: qualifiedName(model), model, identity, statement, ops: new Set(ops), subscribers: new Set(), chain: Promise.resolve() }
      this.groups.set(key, group)
      let groups = this.byTable.get(group.table)
      if (!groups) this.byTable.set(group.table, (groups = new Set()))
      groups.add(group)
    }
    const theGroup = group
    const queue: SubscriberQueue<Item> = new SubscriberQueue<Item>(
      this.options.queueSize,
      () => {
        release()
        this.leave(theGroup, queue)
      },
      (error) => error,
    )
    group.subscribers.add(queue)
    return queue
  }

  close(): void {
    for (const stop of this.stop) stop()
    for (const group of this.groups.values()) for (const queue of group.subscribers) queue.finish()
    this.groups.clear()
    this.byTable.clear()
  }

  private leave(group: Group, queue: SubscriberQueue<Item>): void {
    group.subscribers.delete(queue)
    if (group.subscribers.size > 0) return
    this.groups.delete(group.key)
    const groups = this.byTable.get(group.table)
    groups?.delete(group)
    if (groups?.size === 0) this.byTable.delete(group.table)
  }

  /** Notifications that arrive together are one batch: read at the next turn of the event loop. */
  private received(event: ChangeEvent): void {
    if (!this.byTable.has(event.table)) return
    let events = this.pending.get(event.table)
    if (!events) this.pending.set(event.table, (events = []))
    events.push(event)
    if (this.flushing) return
    this.flushing = true
    setImmediate(() => {
      this.flushing = false
      const batches = this.pending
      this.pending = new Map()
      for (const [table, batch] of batches) for (const group of this.byTable.get(table) ?? []) group.chain = group.chain.then(() => this.deliver(group, batch))
    })
  }

  private async deliver(group: Group, batch: ChangeEvent[]): Promise<void> {
    const { model } = group
    const resync = batch.some((event) => event.keys.length === 0)
    // Keys of inserts and updates, in order, each with its operation; a key changed twice is read once, as it is now.
    const read = new Map<string, { op: string; key: string[] }>()
    const events: RowEvent[] = []
    for (const event of batch) {
      if (event.keys.length === 0 || !group.ops.has(event.op)) continue
      for (const key of event.keys) {
        if (event.op === 'DELETE') {
          if (!model.rowSecurity) events.push({ $op: 'DELETE', $nodeId: nodeIdOf(model, key) })
        } else {
          const id = JSON.stringify(key)
          read.delete(id)
          read.set(id, { op: event.op, key })
        }
      }
    }
    if (read.size > 0) {
      const wanted = [...read.values()]
      const columns = model.key.map((_, i) => wanted.map((w) => w.key[i]))
      try {
        const run = () => this.options.planner.readChangedRows(group.statement, columns)
        const rows = await (group.identity ? RequestSession.run(this.options.pool, group.identity, run, { readOnly: true }) : run())
        rows.sort((a, b) => a.i - b.i)
        for (const row of rows) {
          const { op, key } = wanted[row.i - 1]!
          events.push({ ...(JSON.parse(row.j) as Record<string, unknown>), $op: op, $nodeId: nodeIdOf(model, key) })
        }
      } catch (error) {
        this.options.logger.warn({ err: error, table: group.table }, 'reading changed rows failed; subscribers get RESYNC')
        events.push({ $op: 'RESYNC', $nodeId: null })
      }
    }
    if (resync) events.push({ $op: 'RESYNC', $nodeId: null })
    if (events.length) this.push(group, events)
  }

  private push(group: Group, events: RowEvent[]): void {
    for (const queue of [...group.subscribers]) for (const event of events) if (!queue.push(event)) break
  }
}

/** The global id of a row, as Pothos's Relay plugin writes it (../planner/node-id.ts reads it). */
function nodeIdOf(model: ModelInfo, key: string[]): string {
  return encodeGlobalID(model.name, key.length === 1 ? key[0]! : JSON.stringify(key))
}
