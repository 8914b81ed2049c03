/**
 * The GraphQL HTTP server: GraphQL Yoga plus Portico's plugins for request ids, error logging and
 * health checks. Everything here runs through `yoga.fetch()`, so tests need no socket.
 */
import { randomUUID } from 'node:crypto'
import { format } from 'node:util'
import { getOperationAST, parse, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql'
import {
  createYoga,
  handleStreamOrSingleExecutionResult,
  maskError as yogaMaskError,
  type Plugin,
  type YogaInitialContext,
  type YogaLogger,
  type YogaServerInstance,
} from 'graphql-yoga'
import { graphiqlAssets, renderGraphiQLPage, useGraphiQLAssets } from './graphiql.js'
import type { Logger } from '../log.js'
import type { Readiness } from './readiness.js'

export interface PorticoYogaOptions {
  schema: GraphQLSchema
  context: (request: Request) => object | Promise<object>
  logger: Logger
  readiness: Readiness
  graphiql?: boolean
  graphqlEndpoint?: string
  /** More plugins, after Portico's own (e.g. useCompiledReads). */
  plugins?: Plugin[]
}

export type PorticoYoga = YogaServerInstance<Record<string, unknown>, object>

/** What clients see instead of an unexpected error's message. */
export const MASKED_ERROR_MESSAGE = 'Internal server error'

export function createPorticoYoga(options: PorticoYogaOptions): PorticoYoga {
  const logged = new WeakSet<object>()
  const graphqlEndpoint = options.graphqlEndpoint ?? '/graphql'
  const graphiql = options.graphiql !== false
  return createYoga<Record<string, unknown>, object>({
    schema: options.schema,
    graphqlEndpoint,
    context: ({ request }) => options.context(request),
    graphiql: graphiql ? { title: 'Portico' } : false,
    // GraphiQL's files come from Portico, not a CDN (the page works where only the server is
    // reachable): a small page naming compressed, cacheable files (./graphiql.ts).
    renderGraphiQL: async (graphiqlOptions) => renderGraphiQLPage(await graphiqlAssets(), graphiqlOptions as Record<string, unknown>),
    // An unknown path is a plain 404, not Yoga's landing page.
    landingPage: false,
    maskedErrors: {
      errorMessage: MASKED_ERROR_MESSAGE,
      // GraphQL errors thrown on purpose pass; Yoga's maskError replaces the rest with a generic
      // error, code INTERNAL_SERVER_ERROR. isDev is pinned to false: with NODE_ENV=development
      // Yoga would copy the original message and stack into the response.
      maskError: (error, message) => (isClientError(error) ? error : yogaMaskError(error, message, false)),
      isDev: false,
    },
    logging: yogaLogger(options.logger, logged),
    plugins: [
      useRequestId(),
      useErrorLogging(options.logger, logged),
      useHealthChecks({ readiness: options.readiness, logger: options.logger }),
      ...(graphiql ? [useGraphiQLAssets(graphqlEndpoint)] : []),
      ...(options.plugins ?? []),
    ],
  })
}

const requestIds = new WeakMap<Request, string>()

/** The id of a request, as logged and echoed in the `x-request-id` response header. */
export function requestIdOf(request: Request): string | undefined {
  return requestIds.get(request)
}

/** A proxy's `x-request-id` is kept when it looks sane: word characters, dots, colons, dashes. */
export const validRequestId = (id: string) => /^[\w.:-]{1,128}$/.test(id)

/** Takes a proxy's `x-request-id` when it looks sane, so logs line up across hops; else a UUID. */
export function useRequestId(): Plugin {
  return {
    onRequest({ request }) {
      const given = request.headers.get('x-request-id')
      requestIds.set(request, given && validRequestId(given) ? given : randomUUID())
    },
    onResponse({ request, response }) {
      const id = requestIds.get(request)
      if (id) response.headers.set('x-request-id', id)
    },
  }
}

/**
 * Logs each unexpected error in full (stack, SQL, pg fields) with the request id and operation
 * name. It runs before Yoga masks the result, so it still sees the original error; errors that are
 * deliberately for the client are not logged.
 */
export function useErrorLogging(logger: Logger, logged = new WeakSet<object>()): Plugin {
  const report = (error: unknown, request: Request | undefined, operationName: string | undefined) => {
    if (isClientError(error) || (typeof error === 'object' && error !== null && logged.has(error))) return
    if (typeof error === 'object' && error !== null) logged.add(error)
    const original = isGraphQLError(error) && error.originalError ? error.originalError : error
    const path = isGraphQLError(error) ? error.path?.join('.') : undefined
    logger.error({ err: original, requestId: request && requestIdOf(request), operationName, path }, 'unexpected error in GraphQL request')
  }
  const onResult = (request: Request | undefined, operationName: string | undefined) => ({ result }: { result: { errors?: readonly unknown[] } }) => {
    for (const error of result.errors ?? []) report(error, request, operationName)
  }
  return {
    onPluginInit({ registerContextErrorHandler }) {
      // The context factory (e.g. checking out a database connection) failed before execution.
      registerContextErrorHandler(({ error, context }) => {
        const initial = context as Partial<YogaInitialContext>
        const { operationName, query } = initial.params ?? {}
        report(error, initial.request, operationName ?? operationNameOfQuery(query))
      })
    },
    onExecute({ args }) {
      const request = (args.contextValue as Partial<YogaInitialContext>).request
      const name = operationNameOf(args.document, args.operationName)
      return { onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, onResult(request, name)) }
    },
    onSubscribe({ args }) {
      const request = (args.contextValue as Partial<YogaInitialContext>).request
      const name = operationNameOf(args.document, args.operationName)
      return {
        onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload, onResult(request, name)),
        onSubscribeError: ({ error }) => report(error, request, name),
      }
    },
  }
}

export interface HealthCheckOptions {
  readiness: Readiness
  logger: Logger
  healthEndpoint?: string
  readyEndpoint?: string
}

/**
 * `GET /healthz`: 200 while the process can answer at all (liveness).
 * `GET /readyz`: 200 only while `readiness.check()` resolves true, else 503 with the reason, so a
 * load balancer stops routing to an instance whose database is gone.
 */
export function useHealthChecks({ readiness, logger, healthEndpoint = '/healthz', readyEndpoint = '/readyz' }: HealthCheckOptions): Plugin {
  const json = (Response: typeof globalThis.Response, status: number, body: object) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } })
  return {
    // Not async: every other request passes through here and should not wait a tick for nothing.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return
      if (url.pathname === healthEndpoint) return endResponse(json(fetchAPI.Response, 200, { status: 'ok' }))
      if (url.pathname !== readyEndpoint) return
      return readiness.check().then(
        (ready) =>
          endResponse(
            ready
              ? json(fetchAPI.Response, 200, { status: 'ready' })
              : json(fetchAPI.Response, 503, { status: 'unavailable', reason: readiness.reason ?? 'not ready' }),
          ),
        (error: unknown) => {
          logger.error({ err: error }, 'readiness check failed')
          endResponse(json(fetchAPI.Response, 503, { status: 'unavailable', reason: 'readiness check failed' }))
        },
      )
    },
  }
}

/**
 * Recognised by name, as @envelop does, not by instanceof: a second copy of graphql in the process
 * (vitest loads graphql's ESM build for our files, Node its CJS build for Yoga) has its own class.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError'
}

/** Errors thrown on purpose for clients: GraphQL errors that do not wrap some other error. */
function isClientError(error: unknown): error is GraphQLError {
  return isGraphQLError(error) && (error.originalError == null || isClientError(error.originalError))
}

function operationNameOf(document: DocumentNode, operationName: string | null | undefined): string | undefined {
  return operationName ?? getOperationAST(document, operationName)?.name?.value
}

/** Before execution there is no parsed document yet; parsing again is fine on this error path. */
function operationNameOfQuery(query: string | undefined): string | undefined {
  try {
    return query ? operationNameOf(parse(query), undefined) : undefined
  } catch {
    return undefined
  }
}

/**
 * Yoga's own log lines go to pino. Yoga also logs every error it masks; those the error-logging
 * plugin has already logged (with request id and operation name) are skipped, not logged twice.
 */
function yogaLogger(logger: Logger, logged: WeakSet<object>): YogaLogger {
  // Formatting only when the level is on: Yoga logs at debug on every request.
  const at = (level: 'debug' | 'info' | 'warn') => (...args: unknown[]) => {
    if (logger.isLevelEnabled(level)) logger[level]({ component: 'yoga' }, format(...args))
  }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: (...args: unknown[]) => {
      const [first] = args
      if (typeof first === 'object' && first !== null && logged.has(first)) return
      if (first instanceof Error) logger.error({ component: 'yoga', err: first }, 'unexpected error')
      else logger.error({ component: 'yoga' }, format(...args))
    },
  }
}
