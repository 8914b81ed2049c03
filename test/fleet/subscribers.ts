/**
 * The fleet's subscribers: graphql-ws clients through HAProxy, retrying as an app's client should
 * (every close is retried, quickly at first). Each records its connections: the server HAProxy
 * sent it to (the upgrade answer names it), when it was acknowledged and closed, and the events
 * it received on it. `reconnection` says, for a process killed at a given moment, whether the
 * subscribers that were on it came back elsewhere, how fast, and whether events flowed again.
 */
import { createClient, type Client } from 'graphql-ws'
import type { IncomingMessage } from 'node:http'
import WebSocket from 'ws'
import { SERVER_HEADER } from './haproxy.js'

interface Connection {
  server: string
  openedAt: number
  ackAt?: number
  closedAt?: number
  events: number
  firstEventAt?: number
  lastEventAt?: number
}

export interface Subscriber {
  connections: Connection[]
  /** The error that ended the subscription (retries exhausted, or the server refused it). */
  error?: unknown
  close(): void
}

export function subscribe(wsUrl: string, query: string): Subscriber {
  const connections: Connection[] = []
  const current = () => connections.at(-1)
  // ws tells of the upgrade answer before 'open': the server's name is in its headers.
  class TrackedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols)
      this.once('upgrade', (response: IncomingMessage) => connections.push({ server: String(response.headers[SERVER_HEADER] ?? '?'), openedAt: Date.now(), events: 0 }))
    }
  }
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: TrackedWebSocket,
    lazy: true,
    // An app keeps trying: a process killed under it is an ordinary event in a fleet.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    // 50 ms, doubling to at most 1 s, with jitter, so a killed process's subscribers do not
    // all come back in the same millisecond.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** retries) + Math.random() * 50)),
    on: {
      connected: () => {
        const connection = current()
        if (connection) connection.ackAt = Date.now()
      },
      closed: () => {
        const connection = current()
        if (connection && connection.closedAt === undefined) connection.closedAt = Date.now()
      },
    },
  })
  const subscriber: Subscriber = { connections, close: () => void client.dispose() }
  client.subscribe(
    { query },
    {
      next: () => {
        const connection = current()
        if (!connection) return
        connection.events++
        connection.firstEventAt ??= Date.now()
        connection.lastEventAt = Date.now()
      },
      error: (error) => (subscriber.error = error instanceof Error ? error.message : error),
      complete: () => {},
    },
  )
  return subscriber
}

export interface Reconnection {
  subscribers: number
  /** Those whose connection at the kill was to the killed server. */
  onKilled: number
  /** Of those: acknowledged again, on another server. */
  reconnected: number
  /** And received an event on the new connection. */
  eventAfter: number
  /** From the old connection's close to the new one's acknowledgement, per reconnected subscriber. */
  reconnectMs: number[]
  /** From the kill to the first event on the new connection. */
  firstEventMs: number[]
  /** Subscribers elsewhere at the kill that received no event after it (they should not notice). */
  othersSilent: number
  errors: string[]
}

export function reconnection(subscribers: Subscriber[], killed: string, killedAt: number): Reconnection {
  const result: Reconnection = { subscribers: subscribers.length, onKilled: 0, reconnected: 0, eventAfter: 0, reconnectMs: [], firstEventMs: [], othersSilent: 0, errors: [] }
  for (const subscriber of subscribers) {
    if (subscriber.error !== undefined) result.errors.push(JSON.stringify(subscriber.error).slice(0, 200))
    // The connection open at the kill (the last opened before it, not closed before it).
    let index = -1
    subscriber.connections.forEach((c, i) => {
      if (c.openedAt <= killedAt && (c.closedAt === undefined || c.closedAt >= killedAt)) index = i
    })
    const at = subscriber.connections[index]
    if (at?.server !== killed) {
      if (!subscriber.connections.some((c) => (c.lastEventAt ?? 0) > killedAt)) result.othersSilent++
      continue
    }
    result.onKilled++
    const next = subscriber.connections.slice(index + 1).find((c) => c.server !== killed && c.ackAt !== undefined)
    if (!next) continue
    result.reconnected++
    result.reconnectMs.push(next.ackAt! - (at.closedAt ?? killedAt))
    if (next.firstEventAt !== undefined) {
      result.eventAfter++
      result.firstEventMs.push(next.firstEventAt - killedAt)
    }
  }
  return result
}
