/**
 * GraphQL over SSE (graphql-sse's protocol) at the GraphQL endpoint, both modes:
 *
 * - distinct connections: a POST (or GET) with `Accept: text/event-stream`, one operation per
 *   connection; Yoga serves it natively, and this plugin lets it pass;
 * - single connection: `PUT /graphql` reserves a stream and answers its token; `GET /graphql`
 *   with `X-GraphQL-Event-Stream-Token` (or `?token=`) opens it; each `POST /graphql` carrying
 *   the token header starts an operation on it (202), `DELETE /graphql?operationId=` stops one.
 *   These requests are served by graphql-sse's handler; each operation goes through the same
 *   pipeline as an HTTP request (./subscribe-pipeline.ts), with that POST's Authorization header.
 *
 * At most `maxPerConnection` operations run at once on one single-connection stream.
 */
import type { ExecutionResult } from 'graphql'
import { createHandler } from 'graphql-sse/lib/use/fetch'
import type { Plugin } from 'graphql-yoga'
import { ClientError } from '../errors.js'
import { counted, isStream, payloadOf, type SubscribePipeline } from './subscribe-pipeline.js'

const TOKEN_HEADER = 'x-graphql-event-stream-token'

export function useGraphQLSSE(pipeline: SubscribePipeline, options: { maxPerConnection: number }): Plugin {
  const open = new Map<string, number>()
  let endpoint = '/graphql'
  let handler: (request: Request) => Promise<Response>
  return {
    onYogaInit({ yoga }) {
      endpoint = yoga.graphqlEndpoint
      handler = createHandler(
        {
          async onSubscribe(request, params) {
            const token = request.headers.get(TOKEN_HEADER) ?? new URL(request.url).searchParams.get('token') ?? ''
            const count = open.get(token) ?? 0
            if (count >= options.maxPerConnection) {
              return { errors: [new ClientError(`This stream already has ${options.maxPerConnection} operations open (live.maxSubscriptionsPerConnection).`, 'TOO_MANY_SUBSCRIPTIONS')] }
            }
            const result = await pipeline.run({
              headers: { authorization: request.headers.get('authorization') ?? undefined, 'x-request-id': request.headers.get('x-request-id') ?? undefined },
              params: params as unknown as Record<string, unknown>,
            })
            if (!isStream(result)) return payloadOf(result)
            open.set(token, count + 1)
            let released = false
            return counted(result, () => {
              if (released) return
              released = true
              const left = (open.get(token) ?? 1) - 1
              if (left > 0) open.set(token, left)
              else open.delete(token)
            }) as never
          },
          onNext: (_ctx, _request, result) => payloadOf(result as ExecutionResult),
        },
        yoga.fetchAPI as never,
      ) as never
    },
    onRequest({ request, url, endResponse }) {
      if (url.pathname !== endpoint || !isSingleConnectionRequest(request, url)) return
      return handler(request).then(endResponse)
    },
  }
}

/** The single-connection mode's requests; everything else (distinct connections included) is Yoga's. */
function isSingleConnectionRequest(request: Request, url: URL): boolean {
  if (request.method === 'PUT') return true
  if (request.headers.has(TOKEN_HEADER)) return true
  return (request.method === 'GET' || request.method === 'DELETE') && url.searchParams.has('token')
}
