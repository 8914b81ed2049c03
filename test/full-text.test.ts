/**
 * Full-text search (issue 11) on the test database's app.article: `search`, a generated English
 * tsvector whose comment says `@textSearchConfig english`, and `keywords`, a 'simple' one with
 * NULLs and no configuration of its own. Every answer is compared with SQL written directly, on
 * both execution paths, one statement per operation; ranks order pages, and cursors walk them.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { dataStatements } from './support/statement-catalogue.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
/** No textSearchConfig: `keywords` is searched in PostgreSQL's default_text_search_config. */
let api: TestGateway
/** textSearchConfig: simple. */
let simple: TestGateway
let sql: pg.Client

beforeAll(async () => {
  db = await createTestDatabase('full_text', readFixtureSql('portico-test.sql'))
  api = await startTestGateway(db.url, { schemas: ['app'] })
  simple = await startTestGateway(db.url, { schemas: ['app'], textSearchConfig: 'simple' })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
})

afterAll(async () => {
  await sql?.end()
  await api?.close()
  await simple?.close()
  await db?.drop()
})

/**
 * Data of a document on both paths (compiled, then field by field as when the operation asks for
 * `__schema`), one statement each; they must agree. The compiled statement comes with it.
 */
async function both(document: string, variables?: Record<string, unknown>, gateway = api): Promise<any> {
  const compiled = await gateway.query(document, variables)
  expect(compiled.errors).toBeUndefined()
  expect(dataStatements(gateway.statements)).toHaveLength(1)
  const statement = gateway.statements[0]!
  const executed = await gateway.query(document.replace('{', '{ __schema { queryType { name } } '), variables)
  expect(executed.errors).toBeUndefined()
  expect(dataStatements(gateway.statements)).toHaveLength(1)
  const { __schema, ...data } = executed.data
  expect(__schema).toEqual({ queryType: { name: 'Query' } })
  expect(data).toEqual(compiled.data)
  return Object.assign(compiled.data, { statement })
}

const ids = (nodes: { id: number }[]) => nodes.map((n) => n.id)
const sqlIds = async (text: string, params: unknown[]) => (await sql.query(text, params)).rows.map((r) => r.id as number)

describe('matches: websearch_to_tsquery in the column\'s configuration', () => {
  /** [column, words, the gateway, SQL's query for the words as $1, the ids it must match (null: as SQL says)] */
  const cases: [string, string, 'api' | 'simple', string, number[] | null][] = [
    // @textSearchConfig english: stemmed ("searched" finds "search", "searching"), whatever the gateway's setting.
    ['search', 'searched', 'api', `websearch_to_tsquery('english', $1)`, [1, 6, 8, 9, 10]],
    ['search', 'searched', 'simple', `websearch_to_tsquery('english', $1)`, [1, 6, 8, 9, 10]],
    ['search', '"full-text search" -graphql', 'api', `websearch_to_tsquery('english', $1)`, [1, 9]],
    ['search', 'drama or kitchen', 'api', `websearch_to_tsquery('english', $1)`, [3, 4, 8, 11]],
    ['search', 'kitchen -drama', 'api', `websearch_to_tsquery('english', $1)`, [3, 8]],
    ['search', 'postgresql indexes', 'api', `websearch_to_tsquery('english', $1)`, [1, 5, 9]],
    // Only stop words, or nothing: a query without lexemes matches nothing (PostgreSQL's notice, no error).
    ['search', 'the', 'api', `websearch_to_tsquery('english', $1)`, []],
    ['search', '', 'api', `websearch_to_tsquery('english', $1)`, []],
    // keywords names no configuration: the database's default, or textSearchConfig.
    ['keywords', 'searching', 'api', `websearch_to_tsquery($1)`, null],
    ['keywords', 'searching', 'simple', `websearch_to_tsquery('simple', $1)`, [6]],
    ['keywords', 'postgres or drama', 'simple', `websearch_to_tsquery('simple', $1)`, [1, 2, 5, 9, 11]],
  ]
  for (const [column, words, gateway, query, expected] of cases) {
    it(`${column} matches ${JSON.stringify(words)} (${gateway}): ${JSON.stringify(expected ?? 'as SQL says')}`, async () => {
      const answer = await sqlIds(`SELECT id FROM app.article WHERE ${column} @@ ${query} ORDER BY id`, [words])
      if (expected) expect(answer).toEqual(expected)
      const data = await both('query ($w: String) { articles(first: 100, where: { ' + column + ': { matches: $w } }) { totalCount nodes { id } } }', { w: words }, gateway === 'api' ? api : simple)
      expect(ids(data.articles.nodes)).toEqual(answer)
      expect(data.articles.totalCount).toBe(answer.length)
    })
  }

  it('isNull, and matches combined with other conditions', async () => {
    const data = await both('{ articles(where: { keywords: { isNull: true }, OR: [{ search: { matches: "kitchen" } }, { title: { equals: "Empty" } }] }) { nodes { id } } }')
    const expected = await sqlIds(`SELECT id FROM app.article WHERE keywords IS NULL AND (search @@ websearch_to_tsquery('english', 'kitchen') OR title = 'Empty') ORDER BY id`, [])
    expect(expected).toEqual([4, 8, 12])
    expect(ids(data.articles.nodes)).toEqual(expected)
  })

  it('sends the words and the configuration as parameters', async () => {
    const data = await both('{ articles(where: { search: { matches: "zanzibar o\'reilly" } }) { totalCount } }')
    expect(data.articles.totalCount).toBe(0)
    for (const text of ['zanzibar', 'reilly', 'english']) expect(data.statement).not.toContain(text)
    expect(data.statement).toMatch(/"search" @@ websearch_to_tsquery\(\$1::regconfig, \$2::text\)/)
  })

  it('is written on the bare column: the GIN index serves it', async () => {
    const data = await both('{ articles(where: { search: { matches: "kitchen" } }) { totalCount } }')
    await sql.query('BEGIN')
    try {
      await sql.query('SET LOCAL enable_seqscan = off')
      const plan = (await sql.query(`EXPLAIN ${data.statement}`, ['english', 'kitchen'])).rows.map((r) => r['QUERY PLAN']).join('\n')
      expect(plan).toMatch(/Bitmap Index Scan on article_search_gin[^\n]*\n\s+Index Cond: \(search @@ /)
    } finally {
      await sql.query('ROLLBACK')
    }
  })
})

describe('ordering by rank', () => {
  /** SQL's order for a rank of `words` on `column` (ts_rank; 0 for a NULL document), the key last. */
  const sqlOrder = (column: string, config: string, direction: 'ASC' | 'DESC', where = 'TRUE') =>
    `SELECT id FROM app.article WHERE ${where} ORDER BY coalesce(ts_rank(${column}, websearch_to_tsquery(${config}$1)), 0) ${direction}, id ASC`

  it('most relevant first by default, as SQL orders by ts_rank', async () => {
    const expected = await sqlIds(sqlOrder('search', `'english', `, 'DESC'), ['search or postgresql or kitchen'])
    // Ties (rows 1 and 9 are the same article; non-matching rows rank 0) are broken by the key.
    expect(expected).toEqual([1, 9, 8, 4, 6, 10, 2, 3, 5, 7, 11, 12])
    const data = await both('{ articles(first: 100, orderBy: [{ search: { matches: "search or postgresql or kitchen" } }]) { nodes { id } } }')
    expect(ids(data.articles.nodes)).toEqual(expected)
  })

  it('ASC, with a filter on the same words, on a column with NULL documents (rank 0)', async () => {
    const expected = await sqlIds(sqlOrder('keywords', `'simple', `, 'ASC', `keywords IS NULL OR keywords @@ websearch_to_tsquery('simple', $1)`), ['search'])
    const data = await both(
      '{ articles(first: 100, where: { OR: [{ keywords: { isNull: true } }, { keywords: { matches: "search" } }] }, orderBy: [{ keywords: { matches: "search", direction: ASC } }]) { nodes { id } } }',
      undefined,
      simple,
    )
    // NULL documents rank 0: first, ascending.
    expect(expected.slice(0, 3)).toEqual([4, 8, 12])
    expect(expected).toHaveLength(7)
    expect(ids(data.articles.nodes)).toEqual(expected)
  })

  it('before other orderings, which break its ties', async () => {
    const expected = await sqlIds(
      `SELECT id FROM app.article ORDER BY coalesce(ts_rank(search, websearch_to_tsquery('english', $1)), 0) DESC, title DESC, id`,
      ['kitchen'],
    )
    const data = await both('{ articles(first: 100, orderBy: [{ search: { matches: "kitchen" } }, { title: DESC }]) { nodes { id } } }')
    expect(ids(data.articles.nodes)).toEqual(expected)
  })

  /** Every page of `size` over the order, walked forward with after: endCursor; each page one statement. */
  async function walk(orderBy: string, size: number, gateway = api): Promise<number[][]> {
    const pages: number[][] = []
    let after: string | null = null
    for (let guard = 0; guard < 20; guard++) {
      const data = await both(
        `query ($after: String) { articles(first: ${size}, after: $after, orderBy: ${orderBy}) { nodes { id } pageInfo { endCursor hasNextPage } } }`,
        { after },
        gateway,
      )
      pages.push(ids(data.articles.nodes))
      if (!data.articles.pageInfo.hasNextPage) return pages
      after = data.articles.pageInfo.endCursor
    }
    throw new Error('too many pages')
  }

  it('after-cursors page through a rank order exactly as SQL orders it (ties included)', async () => {
    const expected = await sqlIds(sqlOrder('search', `'english', `, 'DESC'), ['search or postgresql or kitchen'])
    for (const size of [1, 2, 5]) {
      const pages = await walk('[{ search: { matches: "search or postgresql or kitchen" } }]', size)
      expect(pages.flat()).toEqual(expected)
      expect(pages.slice(0, -1).every((p) => p.length === size)).toBe(true)
    }
    const ascending = await sqlIds(sqlOrder('keywords', `'simple', `, 'ASC'), ['search or index'])
    expect(ascending.slice(-5)).toEqual([5, 6, 10, 1, 9])
    expect((await walk('[{ keywords: { matches: "search or index", direction: ASC } }]', 3, simple)).flat()).toEqual(ascending)
  })

  it('last/before walk it backwards', async () => {
    const expected = await sqlIds(sqlOrder('search', `'english', `, 'DESC'), ['drama or kitchen'])
    expect(expected.slice(0, 4)).toEqual([4, 11, 3, 8])
    const orderBy = '[{ search: { matches: "drama or kitchen" } }]'
    const end = await both(`{ articles(last: 4, orderBy: ${orderBy}) { nodes { id } pageInfo { startCursor hasPreviousPage } } }`)
    expect(ids(end.articles.nodes)).toEqual(expected.slice(-4))
    const before = await both(`query ($c: String) { articles(last: 4, before: $c, orderBy: ${orderBy}) { nodes { id } } }`, { c: end.articles.pageInfo.startCursor })
    expect(ids(before.articles.nodes)).toEqual(expected.slice(-8, -4))
  })
})

describe('writes and configuration', () => {
  it('a write\'s where refuses matches (Prisma has no equal), takes isNull', async () => {
    const refused = await api.query('mutation { deleteManyArticle(where: { search: { matches: "drama" } }) { count } }')
    expect(refused.errors?.[0]).toMatchObject({
      message: 'search.matches: the where of updateMany and deleteMany takes only isNull on a tsvector column; read the keys with a query first, then write by key.',
      extensions: { code: 'BAD_USER_INPUT' },
    })
    expect(await api.data('mutation { deleteManyArticle(where: { keywords: { isNull: true }, id: { equals: -1 } }) { count } }')).toEqual({ deleteManyArticle: { count: 0 } })
    expect((await sql.query('SELECT count(*)::int AS n FROM app.article')).rows[0].n).toBe(12)
  })

  it('a textSearchConfig the database does not have stops the start, naming it', async () => {
    await expect(startTestGateway(db.url, { schemas: ['app'], textSearchConfig: 'klingon' })).rejects.toThrow(
      /^textSearchConfig: "klingon" is not a text search configuration of the database \(text search configuration "klingon" does not exist\)/,
    )
  })

  it('the schema: FullTextFilter and FullTextRankOrder on tsvector columns, which stay text', async () => {
    const data = await api.data(`{
      filter: __type(name: "ArticleFilter") { inputFields { name type { name } } }
      order: __type(name: "ArticleOrderBy") { inputFields { name type { name } } }
      rank: __type(name: "FullTextRankOrder") { inputFields { name defaultValue type { kind name ofType { name } } } }
      article: __type(name: "Article") { fields { name type { name ofType { name } } } } }`)
    const typeOf = (fields: { name: string; type: { name: string } }[], name: string) => fields.find((f) => f.name === name)?.type.name
    expect(typeOf(data.filter.inputFields, 'search')).toBe('FullTextFilter')
    expect(typeOf(data.filter.inputFields, 'keywords')).toBe('FullTextFilter')
    expect(typeOf(data.order.inputFields, 'search')).toBe('FullTextRankOrder')
    expect([...data.rank.inputFields].sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name))).toEqual([
      { name: 'direction', defaultValue: 'DESC', type: { kind: 'ENUM', name: 'SortOrder', ofType: null } },
      { name: 'matches', defaultValue: null, type: { kind: 'NON_NULL', name: null, ofType: { name: 'String' } } },
    ])
    expect(data.article.fields.find((f: { name: string }) => f.name === 'search').type).toEqual({ name: 'String', ofType: null })
  })
})
