/**
 * Live data, assembled: the subscription counter, the live-query multiplexer, and the transports
 * beside plain HTTP (SSE's single-connection mode as a Yoga plugin, WebSocket attached to the
 * HTTP server). `createGateway` builds one per process; `attach` is given the HTTP server.
 */
import type { Server } from 'node:http'
import type { Plugin } from 'graphql-yoga'
import type pg from 'pg'
import type { PorticoConfig } from '../config/config.js'
import type { Logger } from '../log.js'
import type { Datamodel } from '../model/datamodel.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import { SubscribePipeline } from '../serve/subscribe-pipeline.js'
import { useGraphQLSSE } from '../serve/use-graphql-sse.js'
import { useLiveQueries } from '../serve/use-live-queries.js'
import { attachWebSocket, type WebSocketTransport } from '../serve/websocket.js'
import { LiveQueries } from './live-queries.js'
import { SubscriptionCounter } from './subscription-counter.js'

export interface LiveOptions {
  config: PorticoConfig
  planner: ReadPlanner
  pool: pg.Pool
  logger: Logger
  databaseUrl: string
  datamodel: Datamodel
}

export interface Live {
  counter: SubscriptionCounter
  queries: LiveQueries
  /** Yoga plugins, last in the list: @live, SSE's single-connection mode, the pipeline's capture. */
  plugins: Plugin[]
  /** The Yoga server the WebSocket and single-connection SSE operations go through. */
  bind(yoga: { fetch(request: Request): Response | Promise<Response>; graphqlEndpoint: string }): void
  /** Serves GraphQL over WebSocket on the server's GraphQL endpoint. */
  attach(server: Server, endpoint?: string): WebSocketTransport
  /** Ends every subscription (clients see their streams complete) and stops listening. */
  close(): Promise<void>
}

export async function createLive(options: LiveOptions): Promise<Live> {
  const { config, planner, pool, logger } = options
  const counter = new SubscriptionCounter(config.live.maxSubscriptions)
  const queries = new LiveQueries({ planner, pool, intervalMs: config.live.intervalMs, queueSize: config.live.queueSize, counter, logger })
  const pipeline = new SubscribePipeline()
  const sockets: WebSocketTransport[] = []
  let closed: Promise<void> | undefined
  return {
    counter,
    queries,
    plugins: [useLiveQueries(queries), useGraphQLSSE(pipeline, { maxPerConnection: config.live.maxSubscriptionsPerConnection }), pipeline.plugin],
    bind: (yoga) => pipeline.bind(yoga),
    attach(server, endpoint = '/graphql') {
      const socket = attachWebSocket(server, {
        path: endpoint,
        pipeline,
        maxPerConnection: config.live.maxSubscriptionsPerConnection,
        maxPayloadBytes: config.limits.maxBodyBytes,
        logger,
      })
      sockets.push(socket)
      return socket
    },
    close: () =>
      (closed ??= (async () => {
        await queries.close()
        await Promise.all(sockets.map((socket) => socket.close()))
      })()),
  }
}
