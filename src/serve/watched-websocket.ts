/**
 * GraphQL over WebSocket under `portico serve --watch` (./schema-watch.ts): one WebSocket server
 * for the process, not one per gateway, since the HTTP server outlives every swap. Each operation
 * runs on the gateway that is current when it starts (its pipeline, its schema) and stays there
 * to its end; a swapped-out gateway waits for its operations before it closes, so a subscription
 * or live query opened before a swap carries on, and one opened after it sees the new schema.
 *
 * At shutdown the gateways' live data closes first, so their streams end as a shutdown (which the
 * request log reports), then the sockets.
 */
import type { Server } from 'node:http'
import type { Logger } from '../log.js'
import type { PipelineRequest, PipelineResult } from './subscribe-pipeline.js'
import { attachWebSocket } from './websocket.js'

interface WatchedGateway {
  live: { run(request: PipelineRequest): Promise<PipelineResult>; close(): Promise<void> }
}

export interface WatchedGateways {
  current(): WatchedGateway
  /** The current gateway and those swapped out but still serving. */
  gateways(): WatchedGateway[]
}

export interface WatchedWebSocketOptions {
  path: string
  maxPerConnection: number
  maxPayloadBytes: number
  logger: Logger
}

export function attachWatchedWebSocket(server: Server, watch: WatchedGateways, options: WatchedWebSocketOptions): { close(): Promise<void> } {
  const socket = attachWebSocket(server, { ...options, pipeline: { run: (request) => watch.current().live.run(request) } })
  return {
    close: async () => {
      await Promise.all(watch.gateways().map((gateway) => gateway.live.close()))
      await socket.close()
    },
  }
}
