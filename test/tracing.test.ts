/**
 * OpenTelemetry tracing on a real database, spans caught by an in-memory exporter: one span per
 * operation, one child span per SQL statement (the planner's and Prisma's), exactly as many as
 * were sent, no values in them; and no span at all with tracing off.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { startTracing, tracesUrl, type Tracing } from '../src/serve/tracing.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

const SCHEMAS = ['app', 'audit', 'public']
let db: TestDatabase
let exporter: InMemorySpanExporter
let tracing: Tracing
let traced: TestGateway
let untraced: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('tracing', readFixtureSql('portico-test.sql'))
  exporter = new InMemorySpanExporter()
  tracing = await startTracing({ enabled: true, exporter: 'otlp', serviceName: 'portico-test' }, { exporter })
  traced = await startTestGateway(db.url, { schemas: SCHEMAS, tracing: { enabled: true } })
  // The same provider stays registered: only the gateway's setting differs.
  untraced = await startTestGateway(db.url, { schemas: SCHEMAS })
}, 120_000)

afterAll(async () => {
  await traced?.close()
  await untraced?.close()
  await tracing?.close()
  await db?.drop()
})

beforeEach(() => exporter.reset())

const isOperation = (span: ReadableSpan) => span.attributes['graphql.operation.type'] !== undefined || span.name === 'GraphQL operation'
const isStatement = (span: ReadableSpan) => span.attributes['db.system'] === 'postgresql'

/** The spans of the last operation: its one operation span and the statement spans. */
function spans() {
  const all = exporter.getFinishedSpans()
  const operations = all.filter(isOperation)
  expect(operations).toHaveLength(1)
  const operation = operations[0]!
  const statements = all.filter(isStatement)
  expect(all).toHaveLength(1 + statements.length)
  for (const statement of statements) {
    expect(statement.spanContext().traceId).toBe(operation.spanContext().traceId)
    expect(statement.parentSpanContext?.spanId).toBe(operation.spanContext().spanId)
  }
  return { operation, statements }
}

describe('with tracing on', () => {
  it('gives a compiled read one operation span and one statement span, with no values', async () => {
    const secret = 's3cr3t-label-value'
    await traced.data('query Tags($label: String!) { tags(first: 2, where: { label: { not: $label } }) { nodes { label } } }', { label: secret })
    const { operation, statements } = spans()
    expect(operation.name).toBe('query Tags')
    expect(operation.attributes).toMatchObject({ 'graphql.operation.name': 'Tags', 'graphql.operation.type': 'query', 'graphql.error.count': 0, 'portico.sql.statements': 1 })
    expect(operation.attributes['graphql.document.hash']).toMatch(/^[0-9a-f]{64}$/)
    expect(traced.statements).toHaveLength(1)
    expect(statements.map((s) => s.attributes['db.statement'])).toEqual(traced.statements)
    expect(statements[0]).toMatchObject({ name: 'SELECT', attributes: { 'db.system': 'postgresql', 'db.operation': 'SELECT' } })
    expect(statements[0]!.duration[0] * 1e9 + statements[0]!.duration[1]).toBeGreaterThan(0)
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events]))).not.toContain(secret)
  })

  it('gives an operation executed field by field a child span per statement, exactly as many as were sent', async () => {
    // Introspection makes it run field by field: a statement per root list, lookups through DataLoaders.
    await traced.data('query Mixed { __type(name: "Tag") { name } tags(first: 2) { nodes { label } } people(first: 2) { nodes { id } } a: tag(id: 1) { label } b: tag(id: 2) { label } }')
    const { operation, statements } = spans()
    expect(operation.name).toBe('query Mixed')
    expect(traced.statements.length).toBeGreaterThanOrEqual(3)
    expect(statements).toHaveLength(traced.statements.length)
    expect(operation.attributes['portico.sql.statements']).toBe(traced.statements.length)
    expect(statements.map((s) => s.attributes['db.statement']).sort()).toEqual([...traced.statements].sort())
    expect(statements.map((s) => s.status.code)).not.toContain(2) // SpanStatusCode.ERROR
  })

  it("traces a mutation's Prisma statements as children of the mutation", async () => {
    await traced.data('mutation AddTag { createTag(data: { id: 40, label: "traced" }) { id label } }')
    const { operation, statements } = spans()
    expect(operation.name).toBe('mutation AddTag')
    expect(operation.attributes['graphql.operation.type']).toBe('mutation')
    expect(traced.statements.length).toBeGreaterThanOrEqual(1)
    expect(statements).toHaveLength(traced.statements.length)
    expect(statements.some((s) => s.attributes['portico.sql.source'] === 'prisma' && /^\s*INSERT/i.test(String(s.attributes['db.statement'])))).toBe(true)
    expect(JSON.stringify(statements.map((s) => s.attributes))).not.toContain('traced')
  })

  it('marks an operation with errors, and joins the trace of an incoming traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const parentId = '00f067aa0ba902b7'
    const response = await traced.gateway.yoga.fetch('http://portico.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${parentId}-01` },
      body: JSON.stringify({ query: 'query Broken { tag(id: "x") { label } }' }),
    })
    expect(((await response.json()) as { errors?: unknown[] }).errors).toHaveLength(1)
    const { operation } = spans()
    expect(operation.spanContext().traceId).toBe(traceId)
    expect(operation.parentSpanContext?.spanId).toBe(parentId)
    expect(operation.status.code).toBe(2) // SpanStatusCode.ERROR
    expect(operation.attributes['graphql.error.count']).toBe(1)
    expect(operation.events.map((e) => e.name)).toEqual(['graphql.error'])
  })
})

describe('with tracing off', () => {
  it('records no span at all, for a query or a mutation', async () => {
    await untraced.data('query Tags { tags(first: 2) { nodes { label } } }')
    await untraced.data('mutation { createTag(data: { id: 41, label: "untraced" }) { id } }')
    expect(untraced.statements.length).toBeGreaterThanOrEqual(1)
    expect(exporter.getFinishedSpans()).toEqual([])
  })
})

describe('configuration', () => {
  const load = (env: NodeJS.ProcessEnv, file?: object) => loadConfig({ env, cwd: '/nonexistent', flags: file ? { tracing: file } : {} }).tracing

  it('is off unless asked for: PORTICO_TRACING=otlp|console switches it on, OTEL_EXPORTER_OTLP_ENDPOINT is honoured', async () => {
    expect(load({})).toBeUndefined()
    expect(load({ PORTICO_TRACING: 'console' })).toEqual({ enabled: true, exporter: 'console', serviceName: 'portico' })
    expect(load({ PORTICO_TRACING: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ enabled: true, exporter: 'otlp', endpoint: 'http://collector:4318', serviceName: 'portico' })
    // The endpoint alone does not switch tracing on.
    expect(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })?.enabled).toBe(false)
    expect(() => load({ PORTICO_TRACING: 'jaeger' })).toThrow(/tracing\.exporter/)
    expect((await startTracing(load({}))).destination).toBeUndefined()
  })

  it('sends OTLP traces under /v1/traces of the endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT means it', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces')
    expect(tracesUrl('http://collector:4318/')).toBe('http://collector:4318/v1/traces')
    expect(tracesUrl('https://otel.example.com/v1/traces')).toBe('https://otel.example.com/v1/traces')
  })
})
