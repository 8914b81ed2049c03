/**
 * OpenTelemetry tracing, off unless switched on (config `tracing`, or PORTICO_TRACING=otlp|console):
 * one span per GraphQL operation and, as its children, one span per SQL statement, the planner's
 * (traceSqlRunner) and Prisma's (recordPrismaQuery). Off, none of it is installed (gateway.ts adds
 * the plugin and the decorators only when enabled) and the SDK is not even loaded: no provider, no
 * context manager, no spans.
 *
 * Spans carry no values: the operation's document only as a hash (a literal in it may be a
 * secret), statements as their parameterised text (values are $n parameters, never recorded).
 */
import { createHash } from 'node:crypto'
import {
  context as otelContext,
  createContextKey,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type DiagLogger,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api'
import type { SpanExporter } from '@opentelemetry/sdk-trace-base'
import { getOperationAST, type DocumentNode } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { PorticoConfig } from '../config/config.js'
import type { SqlRunner } from '../db/sql-runner.js'
import type { Logger } from '../log.js'
import { requestIdOf } from './yoga.js'

export type TracingConfig = NonNullable<PorticoConfig['tracing']>

export interface Tracing {
  /** Where spans go (`stdout`, the collector's URL); undefined when tracing is off. */
  destination?: string
  /** Ends tracing: exports the spans still buffered, then unregisters the provider. */
  close(): Promise<void>
}

export interface StartTracingOptions {
  /** Replaces the configured exporter (tests: an InMemorySpanExporter); spans are then exported one by one. */
  exporter?: SpanExporter
  /** Where OpenTelemetry's own warnings (a collector that cannot be reached) go. */
  logger?: Logger
}

/**
 * Registers a NodeTracerProvider as OpenTelemetry's global one, with an AsyncLocalStorage context
 * manager (how a statement finds its operation's span) and W3C trace-context propagation (an
 * incoming `traceparent` makes the operation part of the caller's trace). Disabled: does nothing.
 */
export async function startTracing(config: TracingConfig | undefined, options: StartTracingOptions = {}): Promise<Tracing> {
  if (!config?.enabled) return { close: async () => {} }
  // Loaded only when tracing is on: the SDK and the exporter take about half a second and 15 MB.
  const [{ NodeTracerProvider }, { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor }, { resourceFromAttributes }, { OTLPTraceExporter }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ])
  // No endpoint configured: the exporter reads OTEL_EXPORTER_OTLP_TRACES_ENDPOINT itself, else its default.
  const url = config.endpoint ? tracesUrl(config.endpoint) : undefined
  const exporter = options.exporter ?? (config.exporter === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter(url ? { url } : {}))
  const destination = options.exporter ? 'the given exporter' : config.exporter === 'console' ? 'stdout' : (url ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? 'http://localhost:4318/v1/traces')
  // To a collector in batches, off the request path; to the console (and a test's exporter) at once.
  const processor = options.exporter || config.exporter === 'console' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': config.serviceName }), spanProcessors: [processor] })
  provider.register()
  if (options.logger) diag.setLogger(diagLogger(options.logger), DiagLogLevel.WARN)
  let closed: Promise<void> | undefined
  return {
    destination,
    close: () =>
      (closed ??= provider.shutdown().finally(() => {
        // Unregistered, so that a later startTracing (tests) can register again.
        trace.disable()
        otelContext.disable()
        propagation.disable()
        diag.disable()
      })),
  }
}

/** The endpoint as OTEL_EXPORTER_OTLP_ENDPOINT means it: the collector's base URL, traces under /v1/traces. */
export function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '')
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`
}

function diagLogger(logger: Logger): DiagLogger {
  const at = (level: 'warn' | 'error') => (message: string, ...args: unknown[]) => logger[level]({ component: 'opentelemetry', args }, message)
  const ignore = () => {}
  return { error: at('error'), warn: at('warn'), info: ignore, debug: ignore, verbose: ignore }
}

const tracer = () => trace.getTracer('portico')

/** What an operation's span has gathered; in the context of everything the operation runs. */
interface OperationTrace {
  span: Span
  statements: number
  errors: number
}

const OPERATION = createContextKey('portico.graphql.operation')
const operations = new WeakMap<Request, OperationTrace>()
const currentOperation = () => otelContext.active().getValue(OPERATION) as OperationTrace | undefined

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
}

/**
 * A span per GraphQL operation, from parsing to the result (before it is serialised), named
 * `query Name` as OpenTelemetry's GraphQL conventions say. Yoga's `operation` instrumentation wraps
 * the whole of it, whatever the plugins' order, so every statement the operation runs (compiled
 * reads, resolvers, DataLoaders, Prisma) happens in the span's context and becomes its child.
 */
export function useTracing(): Plugin {
  const hashes = new WeakMap<DocumentNode, string>()
  return {
    instrumentation: {
      operation({ request }, wrapped) {
        const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter)
        const span = tracer().startSpan('GraphQL operation', { kind: SpanKind.SERVER }, parent)
        const requestId = requestIdOf(request)
        if (requestId) span.setAttribute('portico.request_id', requestId)
        const operation: OperationTrace = { span, statements: 0, errors: 0 }
        operations.set(request, operation)
        const end = () => {
          span.setAttributes({ 'graphql.error.count': operation.errors, 'portico.sql.statements': operation.statements })
          if (operation.errors > 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `${operation.errors} GraphQL error(s)` })
          span.end()
        }
        const fail = (error: unknown) => {
          // Thrown, not returned: a syntax error, or something unexpected. Yoga answers it with one error.
          operation.errors++
          recordError(span, error)
          end()
          throw error
        }
        let result: ReturnType<typeof wrapped>
        try {
          result = otelContext.with(trace.setSpan(parent, span).setValue(OPERATION, operation), wrapped)
        } catch (error) {
          return fail(error)
        }
        // Any thenable: Yoga's "fake promises" of values already there are not Promise instances.
        if (typeof (result as PromiseLike<void> | undefined)?.then === 'function') return Promise.resolve(result).then(end, fail)
        end()
        return result
      },
    },
    onParse({ context, params }) {
      return ({ result }) => {
        const operation = currentOperation()
        if (!operation || !result || result instanceof Error) return
        const ast = getOperationAST(result, context.params?.operationName)
        const type = ast?.operation ?? 'query'
        const name = ast?.name?.value
        operation.span.updateName(name ? `${type} ${name}` : type)
        let hash = hashes.get(result)
        if (hash === undefined) hashes.set(result, (hash = createHash('sha256').update(sourceText(params.source)).digest('hex')))
        operation.span.setAttributes({ 'graphql.operation.type': type, 'graphql.document.hash': hash, ...(name ? { 'graphql.operation.name': name } : {}) })
      }
    },
    onExecutionResult({ result }) {
      // Validation errors as well as execution errors: both are results with errors.
      const operation = currentOperation()
      if (!operation || !result || Symbol.asyncIterator in result) return
      const errors = result.errors ?? []
      operation.errors += errors.length
      for (const error of errors.slice(0, 10)) {
        const code = (error as { extensions?: { code?: unknown } }).extensions?.code
        operation.span.addEvent('graphql.error', { message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(error.path ? { path: error.path.join('.') } : {}) })
      }
    },
  }
}

/** Its trace id and SQL statement count, for the request's log line; undefined when the request was not traced. */
export function tracedRequestFields(request: Request): { traceId: string; sqlStatements: number } | undefined {
  const operation = operations.get(request)
  return operation && { traceId: operation.span.spanContext().traceId, sqlStatements: operation.statements }
}

/** The planner's statements as spans: each query() a CLIENT span in the active operation's context. */
export function traceSqlRunner(runner: SqlRunner): SqlRunner {
  return {
    ...runner,
    // Arguments passed on as they are, whatever options the interface grows.
    query(...args: Parameters<SqlRunner['query']>) {
      const [sql] = args
      const operation = currentOperation()
      if (operation) operation.statements++
      return tracer().startActiveSpan(statementName(sql), { kind: SpanKind.CLIENT, attributes: statementAttributes(sql) }, async (span) => {
        try {
          return await runner.query(...args)
        } catch (error) {
          recordError(span, error)
          throw error
        } finally {
          span.end()
        }
      })
    },
  }
}

export interface PrismaQueryEvent {
  query: string
  /** When the statement was sent (Prisma sets it; else the span ends now). */
  timestamp?: Date
  /** Milliseconds. */
  duration: number
}

/**
 * A statement Prisma ran (mutations), from its `query` event, as a span after the fact: Prisma
 * emits the event in the operation's async context as the statement returns, so it becomes the
 * operation's child. The event's `params` (the values) are not recorded.
 */
export function recordPrismaQuery(event: PrismaQueryEvent): void {
  const operation = currentOperation()
  if (operation) operation.statements++
  const start = event.timestamp?.getTime() ?? Date.now() - event.duration
  const span = tracer().startSpan(statementName(event.query), { kind: SpanKind.CLIENT, startTime: start, attributes: { ...statementAttributes(event.query), 'portico.sql.source': 'prisma' } })
  span.end(start + event.duration)
}

/** The statement's verb (`SELECT`, `INSERT`, ...): a low-cardinality span name, as the conventions ask. */
function statementName(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'postgresql'
}

function statementAttributes(sql: string) {
  return { 'db.system': 'postgresql', 'db.operation': statementName(sql), 'db.statement': sql }
}

function recordError(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error)
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') span.setAttribute('db.response.status_code', code)
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
}

function sourceText(source: unknown): string {
  return typeof source === 'string' ? source : ((source as { body?: string } | undefined)?.body ?? '')
}
