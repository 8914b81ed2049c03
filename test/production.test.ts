/**
 * Production mode (`production: true`, or NODE_ENV=production): the API answers, but its map is
 * not served: no introspection, no GraphiQL page.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let api: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('production', readFixtureSql('portico-test.sql'))
  api = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'], production: true })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await db?.drop()
})

it('refuses introspection with a clear error, and still answers queries (with __typename)', async () => {
  const introspection = await api.query('{ __schema { queryType { name } } }')
  expect(introspection.data).toBeUndefined()
  expect(introspection.errors?.[0]?.message).toMatch(/introspection/i)
  const type = await api.query('{ __type(name: "Tag") { name } }')
  expect(type.errors?.[0]?.message).toMatch(/introspection/i)
  expect(await api.data('{ __typename tag(id: 1) { __typename label } }')).toEqual({ __typename: 'Query', tag: { __typename: 'Tag', label: 'postgres' } })
})

it('serves no GraphiQL page', async () => {
  const response = await api.gateway.yoga.fetch('http://portico.test/graphql', { headers: { accept: 'text/html' } })
  expect(response.headers.get('content-type') ?? '').not.toMatch(/text\/html/)
  expect(await response.text()).not.toMatch(/GraphiQL|<html/i)
})
