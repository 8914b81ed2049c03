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
 *
 * graphql-sse reads only `query` (which it requires), `variables`, `operationName` and `extensions`
 * of a POST: an operation sent by id (`documentId`, or Apollo's hash with no query) would be lost
 * or refused before the pipeline saw it. So the POST's own JSON body is what the pipeline gets, and
 * graphql-sse is shown a copy with an empty `query` where there was none; the persisted-operations
 * plugin, in the pipeline, then runs the id as it does for HTTP (or refuses it, with HTTP's error).
 */
import type { ExecutionResult } from 'graphql'
import { createHandler } from 'graphql-sse/lib/use/fetch'
import type { Plugin } from 'graphql-yoga'
import { ClientError } from '../errors.js'
import { counted, isStream, payloadOf, type SubscribePipeline } from './subscribe-pipeline.js'

const TOKEN_HEADER = 'x-graphql-event-stream-token'

export function useGraphQLSSE(pipeline: SubscribePipeline, options: { maxPerConnection: number }): Plugin {
  const open = new Map<string, number>()
  // The JSON body each operation's POST carried, by the request graphql-sse is handed.
  const sent = new WeakMap<Request, Record<string, unknown>>()
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
              return { data: null, errors: [new ClientError(`This stream already has ${options.maxPerConnection} operations open (live.maxSubscriptionsPerConnection).`, 'TOO_MANY_SUBSCRIPTIONS')] }
            }
            const result = await pipeline.run({
              headers: { authorization: request.headers.get('authorization') ?? undefined, 'x-request-id': request.headers.get('x-request-id') ?? undefined },
              params: sent.get((request as { raw: Request }).raw) ?? (params as unknown as Record<string, unknown>),
            })
            // Refused before it ran: the errors as the stream's one result. graphql-sse recognises a
            // result by its `data` member, null here, and would otherwise run the operation itself.
            if (!isStream(result)) return { data: null, ...payloadOf(result) }
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
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint || !isSingleConnectionRequest(request, url)) return
      return keepBody(request, fetchAPI.Request, sent).then(handler).then(endResponse)
    },
  }
}

/**
 * An operation's POST, for graphql-sse: its JSON body kept in `sent`, and a request whose body has
 * a string `query` (empty when there was none). Anything else is handed over as it came, for
 * graphql-sse to answer as its protocol says.
 */
async function keepBody(request: Request, RequestClass: typeof Request, sent: WeakMap<Request, Record<string, unknown>>): Promise<Request> {
  if (request.method !== 'POST' || !request.headers.get('content-type')?.includes('application/json')) return request
  const text = await request.text()
  const headers = new Headers(request.headers)
  headers.delete('content-length')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  const object = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined
  const forwarded = new RequestClass(request.url, {
    method: 'POST',
    headers,
    body: object && object.query === undefined ? JSON.stringify({ ...object, query: '' }) : text,
  })
  if (object) sent.set(forwarded, object)
  return forwarded
}

/** The single-connection mode's requests; everything else (distinct connections included) is Yoga's. */
function isSingleConnectionRequest(request: Request, url: URL): boolean {
  if (request.method === 'PUT') return true
  if (request.headers.has(TOKEN_HEADER)) return true
  return (request.method === 'GET' || request.method === 'DELETE') && url.searchParams.has('token')
}
