/**
 * Live data, assembled once per process: the subscription counter, the change listener (one
 * LISTEN connection), the live-query multiplexer, row events, application events (pubsub), and
 * the transports beside plain HTTP (SSE's single-connection mode as a Yoga plugin, WebSocket
 * attached to the HTTP server). `createGateway` builds it; `attach` is given the HTTP server.
 */
import type { Server } from 'node:http'
import type { Plugin } from 'graphql-yoga'
import type pg from 'pg'
import type { PorticoConfig } from '../config/config.js'
import type { Logger } from '../log.js'
import type { Datamodel } from '../model/datamodel.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import type { SubscriptionSources } from '../schema/subscription-fields.js'
import { ClientError } from '../errors.js'
import { SubscribePipeline, type PipelineRequest, type PipelineResult } from '../serve/subscribe-pipeline.js'
import { useGraphQLSSE } from '../serve/use-graphql-sse.js'
import { useLiveQueries } from '../serve/use-live-queries.js'
import { attachWebSocket, type WebSocketTransport } from '../serve/websocket.js'
import { ChangeListener } from './change-listener.js'
import { LiveQueries } from './live-queries.js'
import { createPubSub, type PorticoPubSub } from './pubsub.js'
import { RowEvents } from './row-events.js'
import { SubscriberQueue } from './subscriber-queue.js'
import { SubscriptionCounter } from './subscription-counter.js'
import { installTriggers, resolveTables } from './triggers.js'

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
  rowEvents: RowEvents
  listener: ChangeListener
  pubsub: PorticoPubSub
  /** `portico.publish(topic, payload)`: an application event to the topic's subscribers, in every replica with Redis. */
  publish(topic: string, payload: unknown): void
  /** The schema's subscription fields read from here. */
  sources: SubscriptionSources
  /** Yoga plugins, last in the list: @live, SSE's single-connection mode, the pipeline's capture. */
  plugins: Plugin[]
  /** The Yoga server the WebSocket and single-connection SSE operations go through. */
  bind(yoga: { fetch(request: Request): Response | Promise<Response>; graphqlEndpoint: string }): void
  /** One WebSocket operation through this gateway's pipeline (`serve --watch` routes each to the current gateway). */
  run(request: PipelineRequest): Promise<PipelineResult>
  /** Resolves once no operation run through `run` (or SSE's single connection) is still streaming. */
  idle(): Promise<void>
  /** Serves GraphQL over WebSocket on the server's GraphQL endpoint. */
  attach(server: Server, endpoint?: string): WebSocketTransport
  /** Ends every subscription (clients see their streams complete) and stops listening. */
  close(): Promise<void>
  /** True from the moment close() is called: the request log says why the streams ended. */
  readonly closing: boolean
}

export async function createLive(options: LiveOptions): Promise<Live> {
  const { config, planner, pool, logger } = options
  const { live: settings } = config
  if (settings.triggers.length) {
    const models = resolveTables(options.datamodel.models.values(), settings.triggers)
    await installTriggers(pool, models)
    logger.info({ tables: settings.triggers }, 'change triggers installed')
  }
  const listener = new ChangeListener(settings.listenUrl ?? options.databaseUrl, logger)
  await listener.start()
  const counter = new SubscriptionCounter(settings.maxSubscriptions)
  const queries = new LiveQueries({ planner, pool, intervalMs: settings.intervalMs, queueSize: settings.queueSize, counter, logger, changes: listener })
  const rowEvents = new RowEvents({ planner, pool, counter, queueSize: settings.queueSize, logger, changes: listener })
  const pubsub = createPubSub({ redisUrl: config.redisUrl })
  const topics = new Set(settings.topics)
  const pipeline = new SubscribePipeline()
  const sockets: WebSocketTransport[] = []
  let closed: Promise<void> | undefined
  return {
    counter,
    queries,
    rowEvents,
    listener,
    pubsub,
    publish: (topic, payload) => pubsub.publish(topic, payload),
    sources: {
      topics: settings.topics,
      rowEvents: (request) => rowEvents.subscribe(request),
      published(topic) {
        if (!topics.has(topic)) throw new ClientError(`No such topic: ${topic} (topics: ${settings.topics.join(', ')}).`, 'UNKNOWN_TOPIC')
        return bounded(pubsub.subscribe(topic), counter, settings.queueSize)
      },
    },
    plugins: [useLiveQueries(queries), useGraphQLSSE(pipeline, { maxPerConnection: settings.maxSubscriptionsPerConnection }), pipeline.plugin],
    bind: (yoga) => pipeline.bind(yoga),
    run: (request) => pipeline.run(request),
    idle: () => pipeline.idle(),
    attach(server, endpoint = '/graphql') {
      const socket = attachWebSocket(server, { path: endpoint, pipeline, maxPerConnection: settings.maxSubscriptionsPerConnection, maxPayloadBytes: config.limits.maxBodyBytes, logger })
      sockets.push(socket)
      return socket
    },
    get closing() {
      return closed !== undefined
    },
    close: () =>
      (closed ??= (async () => {
        await queries.close()
        rowEvents.close()
        await Promise.all(sockets.map((socket) => socket.close()))
        await listener.close()
        await pubsub.close()
      })()),
  }
}

/** A pubsub stream behind a bounded queue, counted against the process's cap. */
function bounded(source: AsyncIterableIterator<unknown>, counter: SubscriptionCounter, size: number): AsyncIterableIterator<unknown> {
  const release = counter.acquire()
  const queue = new SubscriberQueue<unknown>(
    size,
    () => {
      release()
      void source.return?.()
    },
    // The resolver throws it: the subscriber gets SLOW_CONSUMER and the stream ends.
    (error) => error,
  )
  void (async () => {
    for await (const payload of source) if (!queue.push(payload)) break
    queue.finish()
  })().catch(() => queue.finish())
  return queue
}
