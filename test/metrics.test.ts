/** Prometheus metrics at /metrics: requests and their latency, errors, SQL statements, the pool. */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let api: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('metrics', readFixtureSql('portico-test.sql'))
  api = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'] })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await db?.drop()
})

const metrics = async () => (await api.gateway.yoga.fetch('http://portico.test/metrics')).text()
const value = (text: string, line: RegExp) => Number(line.exec(text)?.[1] ?? NaN)

it('counts requests per operation, their latency, errors and SQL statements, and shows the pool', async () => {
  const before = await metrics()
  const statementsBefore = value(before, /^portico_sql_statements_total (\d+)/m)
  await api.data('query Tags { tags(first: 2) { nodes { label } } }')
  await api.data('query Tags { tags(first: 2) { nodes { label } } }')
  await api.query('query Broken { tag(id: "x") { label } }')
  const after = await metrics()
  expect(value(after, /^portico_sql_statements_total (\d+)/m)).toBe(statementsBefore + 2)
  expect(after).toMatch(/^graphql_envelop_request_duration_count\{operationName="Tags",operationType="query"\} 2$/m)
  expect(after).toMatch(/^graphql_envelop_error_result\{[^}]*operationName="Broken"[^}]*\} 1$/m)
  expect(after).toMatch(/^portico_pool_connections\{state="total"\} \d+$/m)
  expect(after).toMatch(/^graphql_yoga_http_duration_count\{/m)
})
