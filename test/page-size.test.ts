/**
 * Page sizes said, not silently cut (issue 11): `first`/`last` beyond maxPageSize (or negative) is
 * a client error naming the limit, on every kind of list, before any SQL; a page of exactly the
 * limit is served whole, as SQL counts it. Checked on the test database with maxPageSize 5, and
 * with the default limits, where the page-size error (not the cost) is what a caller sees.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { dataStatements } from './support/statement-catalogue.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
/** maxPageSize 5 (groups: 50). */
let small: TestGateway
/** The default limits: maxPageSize 100, maxCost 250,000. */
let standard: TestGateway
let sql: pg.Client

beforeAll(async () => {
  db = await createTestDatabase('page_size', readFixtureSql('portico-test.sql'))
  small = await startTestGateway(db.url, { schemas: ['app', 'public'], defaultPageSize: 5, maxPageSize: 5 })
  standard = await startTestGateway(db.url, { schemas: ['app', 'public'] })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
})

afterAll(async () => {
  await sql?.end()
  await small?.close()
  await standard?.close()
  await db?.drop()
})

const NEXT = (max: number) => `first must be at most ${max} (maxPageSize); ask for the next page with after: endCursor`
const PREVIOUS = (max: number) => `last must be at most ${max} (maxPageSize); ask for the previous page with before: startCursor`
const INTROSPECTION = '__schema { queryType { name } }'

/** The errors of a document, compiled and field by field (alike), and that no SQL ran for it. */
async function refusal(api: TestGateway, document: string): Promise<{ message: string; code: unknown; path: unknown }[]> {
  const answers = []
  for (const text of [document, document.replace('{', `{ ${INTROSPECTION} `)]) {
    const result = await api.query(text)
    expect(dataStatements(api.statements)).toEqual([])
    answers.push((result.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.code, path: e.path })))
  }
  expect(answers[1]).toEqual(answers[0])
  return answers[0]!
}

describe('beyond maxPageSize: a client error naming the limit, no SQL', () => {
  it.each([
    ['a root list', '{ people(first: 6) { nodes { id } } }', NEXT(5), ['people']],
    ['a root list, last', '{ people(last: 6) { nodes { id } } }', PREVIOUS(5), ['people']],
    ['a root list with a cursor', '{ people(first: 1000, after: "SzpbIjEiXQ==") { totalCount } }', NEXT(5), ['people']],
    ['a relation connection', '{ people(first: 2) { nodes { posts(first: 6) { nodes { id } } } } }', NEXT(5), ['people']],
    ['a many-to-many connection', '{ posts(first: 1) { nodes { tagsViaPostTag(last: 7) { nodes { id } } } } }', PREVIOUS(5), ['posts']],
    ['a keyless list (offset pages)', '{ keylessLogs(first: 6) { nodes { level } } }', NEXT(5), ['keylessLogs']],
    ['a view (offset pages)', '{ personSummaries(last: 6, before: "T2Zmc2V0Q29ubmVjdGlvbjo4") { nodes { id } } }', PREVIOUS(5), ['personSummaries']],
    ['groups: ten times maxPageSize', '{ postsGroupBy(by: [author], first: 51) { key { author } } }', 'first must be at most 50 (10 x maxPageSize groups); ask for the next groups with offset', ['postsGroupBy']],
    ['negative first', '{ people(first: -1) { nodes { id } } }', 'Argument "first" must be a non-negative integer', ['people']],
    ['negative last, keyless', '{ keylessLogs(last: -1) { nodes { level } } }', 'Argument "last" must be a non-negative integer', ['keylessLogs']],
    ['negative groups', '{ postsGroupBy(by: [author], first: -1) { key { author } } }', 'Argument "first" must be a non-negative integer', ['postsGroupBy']],
  ])('%s', async (_name, document, message, path) => {
    expect(await refusal(small, document)).toEqual([{ message, code: 'BAD_USER_INPUT', path }])
  })

  it('the whole answer is that one error (root lists are non-null), at the field asking too much', async () => {
    const result = await small.query('{ ok: tags(first: 2) { nodes { id } } tooMany: tags(first: 6) { nodes { id } } }')
    expect(result).toEqual({
      data: null,
      errors: [{ message: NEXT(5), path: ['tooMany'], locations: [{ line: 1, column: 39 }], extensions: { code: 'BAD_USER_INPUT' } }],
    })
  })
})

describe('up to maxPageSize: served whole, as SQL counts it', () => {
  it('a page of exactly the limit, everywhere', async () => {
    const data = await small.data(`{ people(first: 5) { nodes { id posts(first: 5) { nodes { id } } } }
      keylessLogs(first: 5) { nodes { level } } postsGroupBy(by: [author], first: 50) { key { author } } }`)
    const people = (await sql.query('SELECT id FROM app.person ORDER BY id LIMIT 5')).rows
    const posts = (await sql.query('SELECT author, array_agg(id::text ORDER BY id) AS ids FROM app.post GROUP BY author')).rows
    const byAuthor = new Map(posts.map((r) => [r.author as number, (r.ids as string[]).slice(0, 5)]))
    expect(data.people.nodes).toEqual(people.map((p) => ({ id: p.id, posts: { nodes: (byAuthor.get(p.id) ?? []).map((id) => ({ id })) } })))
    expect(data.keylessLogs.nodes).toHaveLength(5)
    const authors = (await sql.query('SELECT count(DISTINCT author)::int AS n FROM app.post')).rows[0].n
    expect(data.postsGroupBy).toHaveLength(authors)
  })
})

describe('with the default limits, the page size is what the caller hears about', () => {
  it('posts(first: 1000): the page-size error, not a cost (a page counts at most maxPageSize)', async () => {
    expect(await refusal(standard, '{ posts(first: 1000) { nodes { id title } } }')).toEqual([{ message: NEXT(100), code: 'BAD_USER_INPUT', path: ['posts'] }])
    expect(await refusal(standard, '{ people(first: 1000) { nodes { posts(first: 1000) { nodes { id } } } } }')).toEqual([
      { message: NEXT(100), code: 'BAD_USER_INPUT', path: ['people'] },
    ])
  })

  it('a request too costly even at maxPageSize is refused for its cost, which says how a list is counted', async () => {
    const result = await standard.query('{ people(first: 1000) { nodes { posts(first: 1000) { nodes { tagsViaPostTag(first: 1000) { nodes { label } } } } } } }')
    expect(result.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED')
    expect(result.errors?.[0]?.message).toMatch(/^Query cost limit of 250000 exceeded, found 1020202: a list costs its page size/)
    expect(dataStatements(standard.statements)).toEqual([])
  })

  it('first: 100 is served: every post, in one statement', async () => {
    const result = await standard.query('{ posts(first: 100) { totalCount nodes { id } } }')
    const ids = (await sql.query('SELECT p.id::text AS id FROM app.post p ORDER BY p.id')).rows
    expect(result).toEqual({ data: { posts: { totalCount: ids.length, nodes: ids } } })
    expect(dataStatements(standard.statements)).toHaveLength(1)
  })
})
