/**
 * Per-operation limits (graphql-armor's depth, aliases and directives, graphql-js's tokens,
 * Portico's list-size cost, configured in `limits`): each refuses an operation before any SQL
 * runs, with a GraphQL error naming the limit and a 400 under GraphQL over HTTP's media type. The
 * defaults let a batching client send 100 aliased lookups, and a 100-row page of 100-row pages.
 */
import { parse } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema } from '../src/config/config.js'
import { operationCost } from '../src/serve/list-cost.js'
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

async function post(query: string, variables?: Record<string, unknown>, accept = 'application/graphql-response+json') {
  api.statements.length = 0
  const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query, variables }),
  })
  return {
    status: response.status,
    body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] },
    statements: [...api.statements],
  }
}

describe.each([
  ['depth', '{ people(first: 1) { nodes { posts { nodes { personByAuthor { posts { nodes { title } } } } } } } }', /Query depth limit of 6 exceeded/],
  ['aliases', `{ ${Array.from({ length: 6 }, (_, i) => `a${i}: tag(id: 1) { label }`).join(' ')} }`, /Aliases limit of 5 exceeded/],
  ['tokens', `{ tags(first: 1) { nodes { ${Array.from({ length: 450 }, () => 'label').join(' ')} } } }`, /Document contains more th[a-z]+ 400 tokens/],
  ['directives', '{ tags(first: 1) @include(if: true) @include(if: true) @include(if: true) @include(if: true) { totalCount } }', /Directives limit of 3 exceeded/],
  // 1 + people: 1 + 1 x (4 columns + posts: 2 + 20 x 5 + orders: 2 + 20 x 2) = 150.
  ['cost', '{ people(first: 1) { nodes { id fullName email nickname posts { nodes { id title body published metadata } } orders { nodes { id status } } } } }', /^Query cost limit of 60 exceeded, found 150: /],
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

describe('the cost counts list sizes', () => {
  const sizes = { defaultPageSize: 20, maxPageSize: 100 }
  const cost = (query: string, variables?: Record<string, unknown>, schema = api.gateway.schema) => operationCost(schema, parse(query), undefined, variables, sizes)
  const lookups = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `p${i}: post(id: ${i + 1}) { id title }`).join(' ')} }`

  it.each([
    // A connection costs 1 plus its fields; its edges and nodes hold a page (first, else 20, at most 100).
    ['a page', '{ posts(first: 100) { totalCount nodes { id title } } }', 1 + 1 + (1 + 100 * 2)],
    ['the default page', '{ tags { nodes { label } } }', 1 + (1 + 20)],
    ['last', '{ tags(last: 5) { nodes { label } } }', 1 + (1 + 5)],
    ['a page larger than maxPageSize, counted as maxPageSize (the planner refuses it)', '{ tags(first: 100000) { nodes { label } } }', 1 + (1 + 100)],
    ['edges, cursor and pageInfo', '{ tags(first: 3) { edges { cursor node { label } } pageInfo { hasNextPage } } }', 1 + (1 + 3 * (1 + 2)) + 2],
    ['aggregates and totalCount: no list', '{ posts(first: 100) { totalCount aggregates { count } } }', 1 + 1 + 2],
    ['100 aliased lookups', lookups(100), 100 * 3],
    ['a page of pages', '{ people(first: 100) { nodes { id posts(first: 100) { nodes { id title } } } } }', 2 + 100 * (1 + 2 + 100 * 2)],
    ['many-to-many', '{ posts(first: 10) { nodes { tagsViaPostTag(first: 10) { nodes { label } } } } }', 2 + 10 * (2 + 10 * 1)],
    ['three nested 100-row pages', '{ people(first: 100) { nodes { posts(first: 100) { nodes { tagsViaPostTag(first: 100) { nodes { label } } } } } } }', 2 + 100 * (2 + 100 * (2 + 100))],
    ['groups: first, else ten pages', '{ postsGroupBy(by: [published]) { key { published } aggregates { count } } }', 1 + 1000 * 4],
    ['groups: first', '{ postsGroupBy(by: [published], first: 5) { key { published } aggregates { count } } }', 1 + 5 * 4],
    ['fragments and inline fragments', '{ tags(first: 10) { ...T } } fragment T on TagConnection { nodes { label ... on Tag { id } } }', 2 + 10 * 2],
    ['a field two fragments ask for counts once', '{ tags(first: 10) { nodes { ...A ...B } } } fragment A on Tag { id label } fragment B on Tag { label }', 2 + 10 * 2],
    ['an interface: its costliest type', '{ node(nodeId: "x") { ... on Person { posts(first: 10) { nodes { id } } } ... on Tag { label } } }', 1 + (2 + 10)],
    ['introspection: nothing', '{ __schema { types { name fields { name } } } tags(first: 1) { __typename } }', 1],
  ])('%s', (_name, query, expected) => {
    expect(cost(query)).toBe(expected)
  })

  it('resolves variables, defaults included, and honours @skip and @include', () => {
    const query = 'query ($n: Int = 7, $skip: Boolean = false) { tags(first: $n) { nodes { label id @skip(if: $skip) } } }'
    expect(cost(query)).toBe(2 + 7 * 2)
    expect(cost(query, { n: 50, skip: true })).toBe(2 + 50)
    expect(cost(query, { n: null })).toBe(2 + 20 * 2)
    expect(cost('query ($x: Boolean!) { tags(first: 10) @include(if: $x) { totalCount } }', { x: false })).toBe(0)
  })

  it('counts _entities by its representations', () => {
    const representations = [1, 2, 3].map((id) => ({ __typename: 'Post', id: String(id) }))
    expect(cost('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Post { id title } } }', { r: representations }, api.gateway.subgraph)).toBe(1 + 3 * 2)
  })

  it('leaves operations it cannot run to execution, which refuses them', () => {
    expect(cost('query ($n: Int!) { tags(first: $n) { totalCount } }', { n: 'many' })).toBeUndefined()
    expect(cost('query A { tags { totalCount } } query B { tags { totalCount } }')).toBeUndefined()
  })

  it('counts fragments that fan out exponentially in linear time', () => {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Tag { label ...F${i + 1} ...F${i + 1} }`).join(' ')
    const started = performance.now()
    expect(cost(`{ tags(first: 10) { nodes { ...F0 } } } ${fragments} fragment F30 on Tag { id }`)).toBe(2 + 10 * 2)
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it("the default limit passes a page of 100-row pages and refuses three nested 100-row pages", () => {
    const { maxCost } = configSchema.parse({}).limits
    expect(cost('{ people(first: 100) { nodes { id fullName email posts(first: 100) { nodes { id title body published metadata publishedAt } } } } }')).toBeLessThan(maxCost)
    expect(cost(lookups(100))).toBeLessThan(maxCost)
    expect(cost('{ people(first: 100) { nodes { posts(first: 100) { nodes { tagsViaPostTag(first: 100) { nodes { label } } } } } } }')).toBeGreaterThan(maxCost)
  })
})

describe('a costly operation', () => {
  const query = 'query Tags($n: Int) { tags(first: $n) { nodes { id label } } }'

  it('is refused before any SQL with its cost and the limit, a 400', async () => {
    const { status, body, statements } = await post(query, { n: 30 })
    expect(status).toBe(400)
    expect(body).toEqual({
      errors: [
        {
          message:
            'Query cost limit of 60 exceeded, found 62: a list costs its page size (first or last, else 20) times the cost of one item, ' +
            'so nested lists multiply; ask for smaller pages or fewer nested lists.',
          extensions: { code: 'COST_LIMIT_EXCEEDED', cost: 62, maxCost: 60 },
        },
      ],
    })
    expect(statements).toEqual([])
  })

  it('is judged on each request’s variables, though Yoga caches the document’s validation', async () => {
    expect((await post(query, { n: 2 })).status).toBe(200)
    const refused = await post(query, { n: 30 })
    expect([refused.status, refused.body.errors?.[0]?.extensions?.cost, refused.statements]).toEqual([400, 62, []])
    const answered = await post(query, { n: 2 })
    expect([answered.status, answered.body]).toEqual([200, { data: { tags: { nodes: [{ id: 1, label: 'postgres' }, { id: 2, label: 'graphql' }] } } }])
  })

  it('is a 200 under plain application/json, as GraphQL over HTTP asks of refused documents', async () => {
    const { status, body, statements } = await post(query, { n: 30 }, 'application/json')
    expect([status, body.errors?.[0]?.extensions?.code, body.data, statements]).toEqual([200, 'COST_LIMIT_EXCEEDED', undefined, []])
  })

  it('mutations count the rows they return', async () => {
    const { status, body, statements } = await post('mutation { updateTag(where: { id: 1 }, data: { label: "postgres" }) { posts(first: 100) { nodes { id title } } } }')
    expect([status, body.errors?.[0]?.extensions?.cost, statements]).toEqual([400, 1 + 2 + 100 * 2, []])
  })
})
