/**
 * useRequestLog: one JSON line (pino, level info) per GraphQL request, when it is answered:
 * request id, operation name and type, HTTP status, duration, error count, and, when tracing is
 * on, the trace id and the number of SQL statements. Variables are logged by name only, never by
 * value, and no header is logged: either may hold a secret (a password, a token).
 *
 * Requests that are not GraphQL requests (health checks, /metrics, the GraphiQL page) are not
 * logged, unless they were refused on the GraphQL endpoint (e.g. a 413).
 *
 * A subscription or live query is answered with a stream that runs on long after that line: when
 * the stream ends, a second line (`graphql stream ended`) gives the same request id and operation,
 * the duration from the request's start, the number of results pushed, and why it ended
 * (./stream-end.ts). Over WebSocket and single-connection SSE, whose operations pass the pipeline
 * (./subscribe-pipeline.ts) as requests answered 204, it is the only line that says how it went.
 */
import { getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { Logger } from '../log.js'
import { watchStreamEnd } from './stream-end.js'
import { requestIdOf } from './yoga.js'

export interface RequestLogOptions {
  /** More fields for a request's line (the tracing's trace id and statement count). */
  fieldsOf?: (request: Request) => Record<string, unknown> | undefined
  /** Whether the gateway is closing: a stream ending then ended because of it. */
  shuttingDown?: () => boolean
}

interface RequestEntry {
  start: number
  graphql: boolean
  operationName?: string
  operationType?: string
  variables?: string[]
  errors: number
}

export function useRequestLog(logger: Logger, options: RequestLogOptions = {}): Plugin {
  const entries = new WeakMap<Request, RequestEntry>()
  let endpoint = '/graphql'
  const shuttingDown = options.shuttingDown ?? (() => false)
  return {
    onYogaInit({ yoga }) {
      endpoint = yoga.graphqlEndpoint
    },
    onRequest({ request }) {
      // Checked per request, so a level changed at run time is honoured; off, nothing is kept.
      if (logger.isLevelEnabled('info')) entries.set(request, { start: performance.now(), graphql: false, errors: 0 })
    },
    onParams({ request, params }) {
      const entry = entries.get(request)
      if (!entry) return
      entry.graphql = true
      entry.operationName = params.operationName ?? undefined
      const names = params.variables && typeof params.variables === 'object' ? Object.keys(params.variables) : []
      if (names.length > 0) entry.variables = names
    },
    onParse({ context }) {
      // The type (and the name of a document's only operation) come from the parsed document.
      const entry = context.request && entries.get(context.request)
      if (!entry) return
      return ({ result }) => {
        if (!result || result instanceof Error) return
        const operation = getOperationAST(result, entry.operationName)
        entry.operationType = operation?.operation
        entry.operationName ??= operation?.name?.value
      }
    },
    onResultProcess({ request, result, setResult }) {
      // Every answer passes here, errors thrown before execution (syntax, limits) included.
      const entry = entries.get(request)
      if (!entry) return
      if (result && Symbol.asyncIterator in result) {
        const requestId = requestIdOf(request)
        setResult(
          watchStreamEnd(result, shuttingDown, ({ events, reason }) => {
            if (!logger.isLevelEnabled('info')) return
            const { operationName, operationType, start } = entry
            logger.info({ requestId, operationName, operationType, durationMs: Math.round((performance.now() - start) * 10) / 10, events, reason }, 'graphql stream ended')
          }),
        )
        return
      }
      for (const one of Array.isArray(result) ? result : [result]) entry.errors += one?.errors?.length ?? 0
    },
    onResponse({ request, response }) {
      const entry = entries.get(request)
      if (!entry) return
      entries.delete(request)
      if (!entry.graphql && !(response.status >= 400 && new URL(request.url).pathname === endpoint)) return
      logger.info(
        {
          requestId: requestIdOf(request),
          operationName: entry.operationName,
          operationType: entry.operationType,
          status: response.status,
          durationMs: Math.round((performance.now() - entry.start) * 10) / 10,
          errors: entry.errors,
          variables: entry.variables,
          ...options.fieldsOf?.(request),
        },
        'graphql request',
      )
    },
  }
}
