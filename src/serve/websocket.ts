/**
 * GraphQL over WebSocket (the `graphql-transport-ws` protocol of graphql-ws) at the GraphQL
 * endpoint: `ws://host:port/graphql`. Each `subscribe` message goes through the same pipeline as an
 * HTTP request (./subscribe-pipeline.ts), its token taken from the connection params
 * (`{ "authorization": "Bearer …" }`, or `Authorization`) or else from the upgrade request's
 * Authorization header. Queries and mutations work too (one result, then complete). A persisted
 * operation is sent by id as over HTTP (`documentId`, or Apollo's `extensions.persistedQuery`),
 * with `query: ""`: graphql-ws's messages must carry a string query, and an empty one is no document.
 *
 * Per socket at most `maxPerConnection` operations at once; permessage-deflate is off (ws warns of
 * its memory cost per connection); messages larger than the body limit are refused by ws.
 */
import type { IncomingMessage, Server } from 'node:http'
import { GraphQLError, type ExecutionResult } from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'
import type { Logger } from '../log.js'
import { ClientError } from '../errors.js'
import { counted, formatError, isStream, payloadOf, type SubscribePipeline } from './subscribe-pipeline.js'

export interface WebSocketOptions {
  path: string
  /** Where each operation runs: a gateway's pipeline, or (`serve --watch`) the current gateway's. */
  pipeline: Pick<SubscribePipeline, 'run'>
  maxPerConnection: number
  maxPayloadBytes: number
  logger: Logger
}

export interface WebSocketTransport {
  /** Open sockets (tests, leak checks). */
  readonly connections: number
  close(): Promise<void>
}

interface SocketState {
  open: number
}

export function attachWebSocket(server: Server, options: WebSocketOptions): WebSocketTransport {
  const wss = new WebSocketServer({ server, path: options.path, perMessageDeflate: false, maxPayload: options.maxPayloadBytes })
  const states = new WeakMap<object, SocketState>()
  const stateOf = (extra: object) => {
    let state = states.get(extra)
    if (!state) states.set(extra, (state = { open: 0 }))
    return state
  }
  const disposable = useServer(
    {
      // Never the original message of an internal error in a close reason.
      isProd: true,
      async onSubscribe(ctx, _id, payload) {
        const state = stateOf(ctx.extra)
        if (state.open >= options.maxPerConnection) {
          return [
            new ClientError(`This connection already has ${options.maxPerConnection} operations open (live.maxSubscriptionsPerConnection); complete one first.`, 'TOO_MANY_SUBSCRIPTIONS', {
              max: options.maxPerConnection,
            }),
          ]
        }
        const request = (ctx.extra as { request: IncomingMessage }).request
        const result = await options.pipeline.run({
          headers: { authorization: authorizationOf(ctx.connectionParams, request), 'x-request-id': headerOf(request, 'x-request-id') },
          params: payload as unknown as Record<string, unknown>,
        })
        // Refused before it ran (a bad token, a document that does not validate): an `error` message.
        if (!isStream(result) && result.errors?.length && result.data === undefined) {
          return result.errors.map((error) => {
            const { message, extensions, locations, path } = formatError(error)
            return new GraphQLError(message, { extensions, path, nodes: undefined, positions: locations?.map(() => 0) })
          })
        }
        state.open += 1
        let released = false
        const release = () => {
          if (!released) state.open -= 1
          released = true
        }
        return { schema: undefined as never, document: DISPATCH, rootValue: { result: isStream(result) ? counted(result, release) : (release(), result) } }
      },
      subscribe: (args) => (args.rootValue as { result: unknown }).result as never,
      execute: (args) => (args.rootValue as { result: unknown }).result as never,
      // The payload as the client gets it: a live result's data (parsed once per cohort), errors formatted.
      onNext: (_ctx, _id, _payload, _args, result) => payloadOf(result as ExecutionResult) as never,
    },
    wss,
  )
  wss.on('error', (error) => options.logger.error({ err: error }, 'WebSocket server error'))
  return {
    get connections() {
      return wss.clients.size
    },
    close: async () => {
      await disposable.dispose()
    },
  }
}

/** graphql-ws decides between execute and subscribe by the document; the pipeline has already run the real one. */
const DISPATCH = {
  kind: 'Document',
  definitions: [{ kind: 'OperationDefinition', operation: 'subscription', selectionSet: { kind: 'SelectionSet', selections: [] } }],
} as never

function authorizationOf(params: unknown, request: IncomingMessage): string | undefined {
  if (params && typeof params === 'object') {
    const given = params as Record<string, unknown>
    const headers = given.headers && typeof given.headers === 'object' ? (given.headers as Record<string, unknown>) : {}
    for (const value of [given.authorization, given.Authorization, headers.authorization, headers.Authorization]) if (typeof value === 'string') return value
  }
  return headerOf(request, 'authorization')
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
