/**
 * Per-operation limits (graphql-armor, configured in `limits`): each refuses an operation before
 * any SQL runs, with a GraphQL error naming the limit and a 400 under GraphQL over HTTP's media
 * type. The defaults let a batching client send 100 aliased lookups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let api: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('limits', readFixtureSql('portico-test.sql'))
  api = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'], limits: { maxDepth: 6, maxAliases: 5, maxTokens: 400, maxDirectives: 3, maxCost: 60, maxBodyBytes: 5000 } })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await db?.drop()
})

async function post(query: string) {
  api.statements.length = 0
  const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  })
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string }[] }, statements: [...api.statements] }
}

describe.each([
  ['depth', '{ people(first: 1) { nodes { posts { nodes { personByAuthor { posts { nodes { title } } } } } } } }', /Query depth limit of 6 exceeded/],
  ['aliases', `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: tag(id: 1) { label }`).join(' ')} }`, /Aliases limit of 5 exceeded/],
  ['tokens', `{ tags(first: 1) { nodes { ${Array.from({ length: 450 }, () => 'label').join(' ')} } } }`, /Document contains more th[a-z]+ 400 tokens/],
  ['directives', '{ tags(first: 1) @include(if: true) @include(if: true) @include(if: true) @include(if: true) { totalCount } }', /Directives limit of 3 exceeded/],
  ['cost', '{ people(first: 1) { nodes { id fullName email nickname posts { nodes { id title body published metadata } } orders { nodes { id status } } } } }', /Query Cost limit of 60 exceeded/],
])('%s', (_limit, query, message) => {
  it('is refused before any SQL, with a clear error and a 400', async () => {
    const { status, body, statements } = await post(query)
    expect(status).toBe(400)
    expect(body.data).toBeUndefined()
    expect(body.errors?.[0]?.message).toMatch(message)
    expect(statements).toEqual([])
  })
})

it('an operation within every limit answers', async () => {
  const { status, body } = await post('{ a: tag(id: 1) { label } tags(first: 2) { nodes { label } } }')
  expect(status).toBe(200)
  expect(body.errors).toBeUndefined()
})

it('a request body over maxBodyBytes is refused with a 413 before it is parsed', async () => {
  const body = JSON.stringify({ query: `{ tags(first: 1) { nodes { label } } }`, variables: { padding: 'x'.repeat(6000) } })
  const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    body,
  })
  expect(response.status).toBe(413)
  expect(await response.json()).toEqual({ errors: [{ message: `Request body too large: ${Buffer.byteLength(body)} bytes, at most 5000.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] })
})
