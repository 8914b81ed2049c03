/**
 * Live queries, multiplexed as Hasura does:
 *
 * - a cohort is the subscribers with the same document, variables, role and claims: they share
 *   one result, built once, and get the same bytes;
 * - a group is the cohorts whose compiled statement has the same text (same document, and
 *   variables that do not change its shape) and the same role and claims: it is polled with one
 *   statement per interval, the cohorts' parameters unnested (../planner/compile-live.ts);
 * - each cohort keeps a hash of its last result, not the result: only a changed result is pushed.
 *
 * Claims are part of the group, not only the cohort: row-level security reads them from the
 * session (`request.jwt.claims`), and one statement runs under one session.
 *
 * A group that reads only tables whose change triggers are installed (./change-listener.ts) is
 * polled only after one of them changed (at most once per interval); any other group every
 * interval. New cohorts are polled at once. Statements run as the group's role and claims.
 */
import { createHash } from 'node:crypto'
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql'
import type pg from 'pg'
import { isDatabaseFailureError } from '../db/connection-errors.js'
import { RequestSession, type SessionIdentity } from '../db/request-session.js'
import type { Logger } from '../log.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import type { LiveOperation } from '../planner/compile-live.js'
import { ClientError } from '../errors.js'
import type { ChangeFeed } from './change-feed.js'
import { LiveResult } from './live-result.js'
import { SubscriberQueue } from './subscriber-queue.js'
import type { SubscriptionCounter } from './subscription-counter.js'

type Item = LiveResult | ExecutionResult

interface Cohort {
  row: string
  subscribers: Set<SubscriberQueue<Item>>
  /** The hash of the last result pushed (none before the first). */
  hash?: string
  latest?: LiveResult
}

interface Group {
  key: string
  /** The cohorts' statement, as the planner wrote it (SQL, which only the planner makes). */
  shape: LiveOperation['shape']
  tables: string[]
  identity?: SessionIdentity
  cohorts: Map<string, Cohort>
  /** Cohorts not polled yet: polled at once, their subscribers waiting for a first result. */
  fresh: Set<Cohort>
  dirty: boolean
  polling: boolean
  lastPoll: number
  timer?: NodeJS.Timeout
  timerAt?: number
}

export interface LiveQueryOptions {
  planner: ReadPlanner
  pool: pg.Pool
  intervalMs: number
  queueSize: number
  counter: SubscriptionCounter
  logger: Logger
  changes?: ChangeFeed
}

export interface LiveQueryRequest {
  schema: GraphQLSchema
  document: DocumentNode
  operationName?: string | null
  variables?: Record<string, unknown> | null
  identity?: SessionIdentity
}

/** At most this many cohorts in one statement (a bigger group is polled in several). */
const COHORTS_PER_STATEMENT = 1_000

export class LiveQueries {
  private readonly groups = new Map<string, Group>()
  private readonly byTable = new Map<string, Set<Group>>()
  private readonly unsubscribe: (() => void)[] = []
  private closed = false

  constructor(private readonly options: LiveQueryOptions) {
    const { changes } = options
    if (changes) {
      this.unsubscribe.push(
        changes.onChange((event) => {
          for (const group of this.byTable.get(event.table) ?? []) this.markDirty(group)
        }),
        // Lost: poll every interval until it is back; back: poll once, changes may have been missed.
        changes.onLost(() => {
          for (const group of this.groups.values()) this.markDirty(group)
        }),
        changes.onResync(() => {
          for (const group of this.groups.values()) this.markDirty(group)
        }),
      )
    }
  }

  /** Statistics for tests, the benchmark and leak checks. */
  get stats(): { groups: number; cohorts: number; subscribers: number } {
    let cohorts = 0
    let subscribers = 0
    for (const group of this.groups.values()) {
      cohorts += group.cohorts.size
      for (const cohort of group.cohorts.values()) subscribers += cohort.subscribers.size
    }
    return { groups: this.groups.size, cohorts, subscribers }
  }

  /** A live query's stream: its result now, then each time it changes; or an error result. */
  subscribe(request: LiveQueryRequest): AsyncIterableIterator<Item> | ExecutionResult {
    const { planner } = this.options
    const live = planner.compileLive(request.schema, request.document, request.operationName, request.variables)
    if (!live) {
      return {
        errors: [
          new ClientError(
            'This query cannot be live: a live query may select lists, lookups by key and node(nodeId:) (with anything under them), not introspection; check its arguments.',
            'LIVE_QUERY_UNSUPPORTED',
          ),
        ],
      }
    }
    let release: () => void
    try {
      release = this.options.counter.acquire()
    } catch (error) {
      return { errors: [error as ClientError] }
    }
    const { identity } = request
    const groupKey = `${identity?.role ?? ''}\u0000${identity ? JSON.stringify(identity.claims) : ''}\u0000${live.shape}`
    let group = this.groups.get(groupKey)
    if (!group) {
      group = { key: groupKey, shape: live.shape, tables: live.tables, identity, cohorts: new Map(), fresh: new Set(), dirty: false, polling: false, lastPoll: 0 }
      this.groups.set(groupKey, group)
      for (const table of live.tables) {
        let groups = this.byTable.get(table)
        if (!groups) this.byTable.set(table, (groups = new Set()))
        groups.add(group)
      }
    }
    let cohort = group.cohorts.get(live.row)
    if (!cohort) {
      cohort = { row: live.row, subscribers: new Set() }
      group.cohorts.set(live.row, cohort)
      group.fresh.add(cohort)
    }
    const theGroup = group
    const theCohort = cohort
    const queue: SubscriberQueue<Item> = new SubscriberQueue<Item>(
      this.options.queueSize,
      () => {
        release()
        this.leave(theGroup, theCohort, queue)
      },
      (error) => ({ errors: [error] }),
    )
    cohort.subscribers.add(queue)
    if (cohort.latest) queue.push(cohort.latest)
    this.schedule(group)
    return queue
  }

  async close(): Promise<void> {
    this.closed = true
    for (const stop of this.unsubscribe) stop()
    for (const group of this.groups.values()) {
      clearTimeout(group.timer)
      for (const cohort of group.cohorts.values()) for (const queue of cohort.subscribers) queue.finish()
    }
    this.groups.clear()
    this.byTable.clear()
  }

  private leave(group: Group, cohort: Cohort, queue: SubscriberQueue<Item>): void {
    cohort.subscribers.delete(queue)
    if (cohort.subscribers.size > 0) return
    group.cohorts.delete(cohort.row)
    group.fresh.delete(cohort)
    if (group.cohorts.size > 0) return
    clearTimeout(group.timer)
    group.timer = undefined
    this.groups.delete(group.key)
    for (const table of group.tables) {
      const groups = this.byTable.get(table)
      groups?.delete(group)
      if (groups?.size === 0) this.byTable.delete(table)
    }
  }

  private markDirty(group: Group): void {
    group.dirty = true
    this.schedule(group)
  }

  /** Whether every table the group reads notifies its changes: then it is polled only after one. */
  private watched(group: Group): boolean {
    const { changes } = this.options
    return !!changes && group.tables.length > 0 && group.tables.every((table) => changes.watches(table))
  }

  /** Sets the group's timer: now for new cohorts, else one interval after its last poll (if it must be polled). */
  private schedule(group: Group): void {
    if (this.closed || !this.groups.has(group.key) || group.polling) return
    let at: number
    if (group.fresh.size > 0) at = Date.now()
    else if (group.dirty || !this.watched(group)) at = Math.max(Date.now(), group.lastPoll + this.options.intervalMs)
    else return
    if (group.timer && group.timerAt !== undefined && group.timerAt <= at) return
    clearTimeout(group.timer)
    group.timerAt = at
    group.timer = setTimeout(() => {
      group.timer = undefined
      group.timerAt = undefined
      void this.poll(group)
    }, at - Date.now())
  }

  private async poll(group: Group): Promise<void> {
    if (this.closed || !this.groups.has(group.key)) return
    // Only the new cohorts when that is all there is to do (the others have not changed).
    const regular = group.dirty || !this.watched(group) ? Date.now() >= group.lastPoll + this.options.intervalMs : false
    const cohorts = regular ? [...group.cohorts.values()] : [...group.fresh]
    group.fresh.clear()
    if (regular) {
      group.dirty = false
      group.lastPoll = Date.now()
    }
    group.polling = true
    try {
      for (let start = 0; start < cohorts.length; start += COHORTS_PER_STATEMENT) {
        const chunk = cohorts.slice(start, start + COHORTS_PER_STATEMENT)
        const texts = await this.run(group, () => this.options.planner.pollLive(group.shape, chunk.map((c) => c.row)))
        chunk.forEach((cohort, i) => this.deliver(cohort, texts[i]))
      }
    } catch (error) {
      if (isDatabaseFailureError(error)) {
        // The database is away: subscribers keep their last result, and the group is polled again.
        this.options.logger.warn({ err: error }, 'a live query poll failed; retrying at the next interval')
        group.dirty = true
        for (const cohort of cohorts) if (!cohort.hash) group.fresh.add(cohort)
      } else {
        // The statement itself fails (permissions, a statement timeout): its subscribers get the error and end.
        const clientError = error instanceof ClientError ? error : undefined
        if (!clientError) this.options.logger.error({ err: error }, 'a live query poll failed')
        const result = { errors: [clientError ?? new ClientError('Internal server error', 'INTERNAL_SERVER_ERROR')] }
        for (const cohort of cohorts) for (const queue of [...cohort.subscribers]) queue.finish(result)
      }
    } finally {
      group.polling = false
      this.schedule(group)
    }
  }

  private run<T>(group: Group, work: () => Promise<T>): Promise<T> {
    return group.identity ? RequestSession.run(this.options.pool, group.identity, work, { readOnly: true }) : work()
  }

  private deliver(cohort: Cohort, text: string | undefined): void {
    if (text === undefined) return
    const hash = createHash('sha1').update(text).digest('base64')
    if (hash === cohort.hash) return
    cohort.hash = hash
    const result = new LiveResult(text)
    cohort.latest = result
    for (const queue of cohort.subscribers) queue.push(result)
  }
}
