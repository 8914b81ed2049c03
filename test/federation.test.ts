/**
 * Portico as an Apollo Federation 2 subgraph, proved with real federation tooling: its `_service`
 * SDL composes (The Guild's composition library) with a small `reviews` subgraph defined here,
 * and a real gateway (Hive Gateway's runtime, in process) answers queries that cross both
 * subgraphs in both directions, with exact data and Portico's SQL statement counts.
 */
import { buildSubgraphSchema } from '@apollo/subgraph'
import { createGatewayRuntime, useCustomFetch, type GatewayRuntime } from '@graphql-hive/gateway-runtime'
import { composeServices } from '@theguild/federation-composition'
import { parse } from 'graphql'
import { createYoga } from 'graphql-yoga'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listFieldName } from '../src/model/inflect.js'
import { entityKeys } from '../src/planner/entity-keys.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let api: TestGateway
let sdl: string

beforeAll(async () => {
  db = await createTestDatabase('federation', readFixtureSql('portico-test.sql'))
  api = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'] })
  sdl = (await api.data('{ _service { sdl } }'))._service.sdl
}, 120_000)

afterAll(async () => {
  await gateway?.dispose?.()
  await api?.close()
  await db?.drop()
})

/**
 * Representations through `_entities`, and the data statements Portico sent for them. An
 * operation of entities alone is one statement; `alongside` can add introspection, which makes
 * the operation executed field by field, through the per-request loaders.
 */
async function entities(representations: object[], selection: string, alongside = '') {
  const result = await api.query(`query ($r: [_Any!]!) { ${alongside} _entities(representations: $r) { __typename ${selection} } }`, { r: representations })
  return { ...result, statements: [...api.statements] }
}

describe('the subgraph', () => {
  it('links Federation 2 and puts @key on every keyed type: its key, and each single-column unique key', () => {
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/)
    expect(sdl).toMatch(/type Post implements Node\s+@key\(fields: "id"\)\s*\{/)
    // Composite keys; a unique email is a second key.
    expect(sdl).toMatch(/type OrderLine implements Node\s+@key\(fields: "orderId lineNo"\)\s*\{/)
    expect(sdl).toMatch(/type Person implements Node\s+@key\(fields: "id"\)\s+@key\(fields: "email"\)\s*\{/)
    // Keyless types are not entities.
    expect(sdl).toMatch(/type KeylessLog\s*\{/)
    expect(sdl).not.toMatch(/type KeylessLog\s+@key/)
  })

  it('the _service SDL parses and composes on its own', () => {
    const result = composeServices([{ name: 'portico', typeDefs: parse(sdl), url: 'http://portico.test/graphql' }])
    expect(result.errors ?? []).toEqual([])
    expect(result.supergraphSdl).toMatch(/join__type\(graph: PORTICO, key: "id"\)/)
  })

  it('schema.graphql stays the plain schema: no _entities there', () => {
    expect(api.gateway.schema.getQueryType()!.getFields()._entities).toBeUndefined()
    expect(api.gateway.subgraph.getQueryType()!.getFields()._entities).toBeDefined()
  })
})

describe('federation settings', () => {
  it('the config chooses the entities and marks types and fields @shareable or @inaccessible; enabled: false serves the plain schema', async () => {
    const federation = { entities: ['Post'], shareable: ['Tag', 'Post.title'], inaccessible: ['Person.email'] }
    const chosen = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'], federation })
    const plain = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'], federation: { enabled: false } })
    try {
      const chosenSdl = (await chosen.data('{ _service { sdl } }'))._service.sdl as string
      expect(chosenSdl.match(/@key\(/g)).toHaveLength(1)
      expect(chosenSdl).toMatch(/type Post implements Node\s+@key\(fields: "id"\)/)
      expect(chosenSdl).toMatch(/title: String! @shareable/)
      expect(chosenSdl).toMatch(/type Tag implements Node\s+@shareable/)
      expect(chosenSdl).toMatch(/email: String! @inaccessible/)
      const result = await plain.query('{ _service { sdl } }')
      expect(result.errors?.[0]?.message).toMatch(/Cannot query field "_service" on type "Query"/)
    } finally {
      await chosen.close()
      await plain.close()
    }
  })
})

describe('_entities', () => {
  it('every @key of every entity resolves: the key fields of a row, read from its list, find that row again', async () => {
    let checked = 0
    for (const model of api.gateway.datamodel.models.values()) {
      if (!model.keyName) continue
      const list = listFieldName(model.name)
      const all = [...new Set(entityKeys(model).flat())]
      const first = (await api.data(`{ ${list}(first: 1) { nodes { ${all.join(' ')} } } }`))[list].nodes[0]
      if (!first) continue
      for (const key of entityKeys(model)) {
        const representation = Object.fromEntries([['__typename', model.name], ...key.map((f) => [f, first[f]])])
        const { data, errors } = await entities([representation], `... on ${model.name} { ${all.join(' ')} }`)
        expect(errors, `${model.name} by ${key.join(' ')}`).toBeUndefined()
        expect(data._entities, `${model.name} by ${key.join(' ')}`).toEqual([{ __typename: model.name, ...first }])
        checked += 1
      }
    }
    expect(checked).toBeGreaterThan(15)
  })

  const posts = (ids: number[]) => ids.map((id) => ({ __typename: 'Post', id: String(id) }))

  it.each([5, 100])('%i Post representations: one statement, answers in order, unknown keys null', async (n) => {
    const ids = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 900_000 + i : ((i * 7) % 20) + 1))
    const { data, errors, statements } = await entities(posts(ids), '... on Post { id title personByAuthor { fullName } }')
    expect(errors).toBeUndefined()
    expect(statements).toHaveLength(1)
    const expected = await api.gateway.pool.query(`SELECT p.id::text, p.title, a.full_name FROM app.post p JOIN app.person a ON a.id = p.author`)
    const byId = new Map(expected.rows.map((r: any) => [r.id, r]))
    expect(data._entities).toEqual(
      ids.map((id) => {
        const row: any = byId.get(String(id))
        return row ? { __typename: 'Post', id: row.id, title: row.title, personByAuthor: { fullName: row.full_name } } : null
      }),
    )
  })

  it.each([
    ['compiled: one statement', '', 1],
    // Person by id, Person by email, Post, OrderLine.
    ['executed by GraphQL (introspection in the operation): the loaders cost one statement per type and key', '__schema { queryType { name } }', 4],
  ])('mixed types and keys, __typename honoured, %s', async (_how, alongside, count) => {
    const { data, errors, statements } = await entities(
      [
        { __typename: 'Person', id: 3 },
        { __typename: 'Post', id: '2' },
        { __typename: 'Person', email: 'person5@example.com' },
        { __typename: 'OrderLine', orderId: 2, lineNo: 1 },
        { __typename: 'Person', id: 4 },
      ],
      '... on Person { fullName } ... on Post { title } ... on OrderLine { quantity }',
      alongside,
    )
    expect(errors).toBeUndefined()
    expect(data._entities).toEqual([
      { __typename: 'Person', fullName: 'Grace Hopper' },
      { __typename: 'Post', title: 'Post number 2' },
      { __typename: 'Person', fullName: 'Barbara Liskov' },
      { __typename: 'OrderLine', quantity: expect.any(Number) },
      { __typename: 'Person', fullName: 'Edsger Dijkstra' },
    ])
    expect(statements).toHaveLength(count)
  })

  it('a representation missing its key, or with fields that are not a key, gets a clear error; the others still answer', async () => {
    const { data, errors } = await entities(
      [{ __typename: 'Post', id: '1' }, { __typename: 'Post', title: 'x' }, { __typename: 'Person' }, { __typename: 'Person', id: 1, fullName: 'Ada' }],
      '... on Post { title } ... on Person { fullName }',
    )
    expect(data._entities[0]).toEqual({ __typename: 'Post', title: 'Post number 1' })
    expect(errors?.map((e) => e.message)).toEqual([
      'A Post representation has fields that are not a key: title (give { id })',
      'A Person representation needs { id } or { email }',
      'A Person representation has fields that are not a key: fullName (give { id } or { email })',
    ])
    expect(JSON.stringify(errors)).not.toMatch(/SELECT|stack/i)
  })
})

// ---- A second subgraph and a real gateway ------------------------------------------------------

const REVIEWS = [
  { id: 'r1', body: 'Clear and short', stars: 5, postId: '1', authorId: 3 },
  { id: 'r2', body: 'Too long', stars: 2, postId: '1', authorId: 4 },
  { id: 'r3', body: 'Loved it', stars: 4, postId: '2', authorId: 1 },
]

const reviewsTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  scalar BigInt
  type Post @key(fields: "id") { id: BigInt! reviews: [Review!]! }
  type Person @key(fields: "id", resolvable: false) { id: Int! }
  type Review { id: ID! body: String! stars: Int! post: Post! author: Person! }
  type Query { topReviews: [Review!]! }
`)

const reviews = createYoga({
  logging: false,
  schema: buildSubgraphSchema({
    typeDefs: reviewsTypeDefs,
    resolvers: {
      Query: { topReviews: () => REVIEWS },
      Post: {
        __resolveReference: (post: { id: string }) => ({ id: post.id }),
        reviews: (post: { id: string }) => REVIEWS.filter((r) => r.postId === String(post.id)),
      },
      Review: {
        post: (review: (typeof REVIEWS)[number]) => ({ __typename: 'Post', id: review.postId }),
        author: (review: (typeof REVIEWS)[number]) => ({ __typename: 'Person', id: review.authorId }),
      },
    } as never,
  }),
})

let gateway: GatewayRuntime | undefined

async function viaGateway(query: string) {
  api.statements.length = 0
  const response = await gateway!.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  })
  return { result: (await response.json()) as { data?: any; errors?: unknown[] }, statements: [...api.statements] }
}

describe('composed with a reviews subgraph, behind Hive Gateway', () => {
  beforeAll(() => {
    const composed = composeServices([
      { name: 'portico', typeDefs: parse(sdl), url: 'http://portico.test/graphql' },
      { name: 'reviews', typeDefs: reviewsTypeDefs, url: 'http://reviews.test/graphql' },
    ])
    expect(composed.errors ?? []).toEqual([])
    gateway = createGatewayRuntime({
      supergraph: composed.supergraphSdl!,
      logging: process.env.DEBUG_GATEWAY ? 'debug' : false,
      maskedErrors: !process.env.DEBUG_GATEWAY,
      plugins: () => [
        useCustomFetch(((url: string, init: RequestInit) =>
          url.startsWith('http://portico.test') ? api.gateway.yoga.fetch(url, init) : reviews.fetch(url, init)) as never),
      ],
    })
  })

  it('from reviews into Portico: posts and their authors resolved as entities in one statement', async () => {
    const { result, statements } = await viaGateway('{ topReviews { body stars post { title personByAuthor { fullName } } author { fullName } } }')
    expect(result.errors).toBeUndefined()
    expect(result.data).toEqual({
      topReviews: [
        { body: 'Clear and short', stars: 5, post: { title: 'Post number 1', personByAuthor: { fullName: 'Alan Turing' } }, author: { fullName: 'Grace Hopper' } },
        { body: 'Too long', stars: 2, post: { title: 'Post number 1', personByAuthor: { fullName: 'Alan Turing' } }, author: { fullName: 'Edsger Dijkstra' } },
        { body: 'Loved it', stars: 4, post: { title: 'Post number 2', personByAuthor: { fullName: 'Grace Hopper' } }, author: { fullName: 'Ada Lovelace' } },
      ],
    })
    // The query plan's one _entities fetch (Posts and Persons together) is one statement.
    expect(statements).toHaveLength(1)
  })

  it('from Portico into reviews: a list of posts with the reviews the other subgraph adds, one statement', async () => {
    const { result, statements } = await viaGateway('{ posts(first: 3) { nodes { id title reviews { body stars } } } }')
    expect(result.errors).toBeUndefined()
    expect(result.data).toEqual({
      posts: {
        nodes: [
          { id: '1', title: 'Post number 1', reviews: [{ body: 'Clear and short', stars: 5 }, { body: 'Too long', stars: 2 }] },
          { id: '2', title: 'Post number 2', reviews: [{ body: 'Loved it', stars: 4 }] },
          { id: '3', title: 'Post number 3', reviews: [] },
        ],
      },
    })
    expect(statements).toHaveLength(1)
  })
})
