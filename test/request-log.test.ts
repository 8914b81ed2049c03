/**
 * The request log (src/serve/use-request-log.ts) on a real gateway: one JSON line per GraphQL
 * request with its id, operation, status, duration and errors; variables by name only, no token;
 * with tracing on, the trace id and the exact number of SQL statements too.
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base'
import { pino } from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig, type ConfigInput } from '../src/config/config.js'
import { createGateway, type Gateway } from '../src/gateway.js'
import { startTracing, type Tracing } from '../src/serve/tracing.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let plain: Gateway
let traced: Gateway
let tracing: Tracing
const lines: string[] = []
const statements: string[] = []

/** A gateway whose pino lines (JSON text, as written) land in `lines`. */
function gateway(config: Partial<ConfigInput>): Promise<Gateway> {
  return createGateway({
    databaseUrl: db.url,
    config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { schemas: ['app', 'audit', 'public'], ...config } }),
    logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
    onProgress: () => {},
    onQuery: (sql) => statements.push(sql),
  })
}

beforeAll(async () => {
  db = await createTestDatabase('request_log', readFixtureSql('portico-test.sql'))
  tracing = await startTracing({ enabled: true, exporter: 'otlp', serviceName: 'portico-test' }, { exporter: new InMemorySpanExporter() })
  plain = await gateway({})
  traced = await gateway({ tracing: { enabled: true } })
}, 120_000)

afterAll(async () => {
  await plain?.close()
  await traced?.close()
  await tracing?.close()
  await db?.drop()
})

beforeEach(() => {
  lines.length = 0
  statements.length = 0
})

const post = (target: Gateway, body: unknown, headers: Record<string, string> = {}) =>
  target.yoga.fetch('http://portico.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers }, body: JSON.stringify(body) })

/** The request log's lines (the gateway logs nothing else at info while serving, but be sure). */
const requestLines = () => lines.map((line) => JSON.parse(line) as Record<string, any>).filter((line) => line.msg === 'graphql request')

describe('the request log', () => {
  it('logs one line per request: id, operation, status, duration, errors; variables by name only, no token', async () => {
    const secret = 's3cr3t-value'
    const token = 'Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.dG9rZW4'
    const response = await post(plain, { query: 'query Tags($label: String!) { tags(first: 2, where: { label: { not: $label } }) { nodes { label } } }', variables: { label: secret } }, { authorization: token, 'x-request-id': 'req-42' })
    expect(response.status).toBe(200)
    await response.text()
    expect(requestLines()).toEqual([
      expect.objectContaining({ level: 30, requestId: 'req-42', operationName: 'Tags', operationType: 'query', status: 200, errors: 0, variables: ['label'], durationMs: expect.any(Number) }),
    ])
    expect(requestLines()[0]).not.toHaveProperty('sqlStatements')
    const text = lines.join('\n')
    expect(text).not.toContain(secret)
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9')
  })

  it('counts errors, names anonymous and mutation operations, and logs refused requests', async () => {
    await (await post(plain, { query: 'query Broken { tag(id: "x") { label } }' })).text()
    await (await post(plain, { query: '{ tags(first: 1) { nodes { id } } }' })).text()
    await (await post(plain, { query: 'mutation AddTag { createTag(data: { id: 50, label: "logged" }) { id } }' })).text()
    await (await post(plain, { query: 'query Bad { tags(' })).text()
    const [broken, anonymous, mutation, syntax] = requestLines()
    expect(broken).toMatchObject({ operationName: 'Broken', operationType: 'query', status: 400, errors: 1 }) // a validation error
    expect(anonymous).toMatchObject({ operationType: 'query', status: 200, errors: 0 })
    expect(anonymous).not.toHaveProperty('operationName')
    expect(mutation).toMatchObject({ operationName: 'AddTag', operationType: 'mutation', status: 200, errors: 0 })
    expect(syntax).toMatchObject({ status: 400, errors: 1 })
    expect(syntax).not.toHaveProperty('operationType')
    // Refused before it is read (useBodyLimit ends it in onRequest), still logged.
    const big = JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(1_000_001) })
    const refused = await plain.yoga.fetch('http://portico.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(big.length) }, body: big })
    expect(refused.status).toBe(413)
    expect(requestLines()).toHaveLength(5)
    expect(requestLines()[4]).toMatchObject({ status: 413, errors: 0, requestId: refused.headers.get('x-request-id') })
  })

  it('leaves out requests that are not GraphQL requests', async () => {
    await (await plain.yoga.fetch('http://portico.test/healthz')).text()
    await (await plain.yoga.fetch('http://portico.test/metrics')).text()
    expect(requestLines()).toEqual([])
  })

  it('with tracing on, adds the trace id and the exact number of SQL statements', async () => {
    await (await post(traced, { query: 'query Mixed { __type(name: "Tag") { name } tags(first: 2) { nodes { label } } a: tag(id: 1) { label } }' })).text()
    const [line] = requestLines()
    expect(statements.length).toBeGreaterThanOrEqual(2)
    expect(line).toMatchObject({ operationName: 'Mixed', status: 200, errors: 0, sqlStatements: statements.length, traceId: expect.stringMatching(/^[0-9a-f]{32}$/) })
  })
})
