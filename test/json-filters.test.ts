/**
 * JSON filters and JSON paths (issue 11) on the test database's app.json_doc (a GIN-indexed jsonb
 * column `doc` and the same documents as json, `raw`): every answer is compared with SQL written
 * independently, on both execution paths (one compiled statement; field by field when the
 * operation also asks for `__schema`), one statement per operation, values never in the SQL text.
 */
import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { useProjectDatabase } from './support/project-database.js'
import { dataStatements } from './support/statement-catalogue.js'

const project = useProjectDatabase('json_filters', { config: { schemas: ['app'] } })

const INTROSPECTION = '__schema { queryType { name } }'

/**
 * Data of a document on both paths (compiled: one statement; field by field: `executedStatements`,
 * one per root list and per lookup shape); they must agree.
 */
async function both(document: string, executedStatements = 1): Promise<any> {
  const compiled = await project.api.query(document)
  expect(compiled.errors).toBeUndefined()
  expect(dataStatements(project.api.statements)).toHaveLength(1)
  const statement = project.api.statements[0]!
  const executed = await project.api.query(document.replace('{', `{ ${INTROSPECTION} `))
  expect(executed.errors).toBeUndefined()
  expect(dataStatements(project.api.statements)).toHaveLength(executedStatements)
  const { __schema, ...data } = executed.data
  expect(__schema).toEqual({ queryType: { name: 'Query' } })
  expect(data).toEqual(compiled.data)
  return Object.assign(compiled.data, { statement })
}

const rows = (text: string, params: unknown[] = []) => project.rows(text, params)

/** Ids of the documents a `where` on `column` matches, through GraphQL. */
async function ids(column: 'doc' | 'raw', filter: string): Promise<number[]> {
  const data = await both(`{ jsonDocs(first: 100, where: { ${column}: ${filter} }) { totalCount nodes { id } } }`)
  const found = data.jsonDocs.nodes.map((n: { id: number }) => n.id)
  expect(data.jsonDocs.totalCount).toBe(found.length)
  return found
}

/** Ids of the documents an SQL condition on `doc` matches (`d`: the document as jsonb). */
const sqlIds = async (condition: string, params: unknown[] = []) =>
  (await rows(`SELECT id FROM app.json_doc, LATERAL (SELECT doc AS d) x WHERE ${condition} ORDER BY id`, params)).map((r) => r.id as number)

describe('JSON filters: each operator, on jsonb and json columns, as SQL answers it', () => {
  // [GraphQL filter, SQL condition on d, its parameters, the ids it must match]
  const cases: [string, string, unknown[], number[] | null][] = [
    ['{ path: ["color"], equals: "red" }', `d -> 'color' = '"red"'`, [], [1]],
    ['{ path: ["size"], equals: 10 }', `d -> 'size' = '10'`, [], [1, 11]],
    ['{ equals: [1, 2, "three"] }', `d = '[1, 2, "three"]'`, [], [6]],
    ['{ equals: 42 }', `d = '42'`, [], [8]],
    ['{ equals: { flag: false, size: true } }', `d = '{"size": true, "flag": false}'`, [], [5]],
    ['{ path: ["color"], not: "red" }', `d -> 'color' IS NOT NULL AND d -> 'color' <> '"red"'`, [], [2, 3, 4, 11, 12]],
    ['{ path: ["size"], gt: 5 }', `CASE WHEN jsonb_typeof(d -> 'size') = 'number' THEN (d ->> 'size')::numeric > 5 END`, [], [1, 4, 11]],
    ['{ path: ["size"], lte: 7 }', `CASE WHEN jsonb_typeof(d -> 'size') = 'number' THEN (d ->> 'size')::numeric <= 7 END`, [], [2, 4]],
    ['{ path: ["size"], lt: "2" }', `jsonb_typeof(d -> 'size') = 'string' AND d ->> 'size' < '2'`, [], [3]],
    // Strings compare in the database's collation ("Red" is before or after "red"): SQL says which.
    ['{ path: ["color"], gte: "red" }', `jsonb_typeof(d -> 'color') = 'string' AND d ->> 'color' >= $1`, ['red'], null],
    ['{ lt: 100 }', `CASE WHEN jsonb_typeof(d) = 'number' THEN d::text::numeric < 100 END`, [], [8]],
    ['{ path: ["sizes", "0"], gte: 3 }', `CASE WHEN jsonb_typeof(d #> '{sizes,0}') = 'number' THEN (d #>> '{sizes,0}')::numeric >= 3 END`, [], [2, 11]],
    ['{ path: ["sizes", "0"], equals: 1 }', `d -> 'sizes' -> 0 = '1'`, [], [1]],
    ['{ path: ["color"], stringStartsWith: "red" }', `jsonb_typeof(d -> 'color') = 'string' AND d ->> 'color' LIKE 'red%'`, [], [1, 11]],
    ['{ path: ["color"], stringStartsWith: "red", mode: INSENSITIVE }', `jsonb_typeof(d -> 'color') = 'string' AND d ->> 'color' ILIKE 'red%'`, [], [1, 3, 11]],
    ['{ path: ["color"], stringEndsWith: "ue" }', `jsonb_typeof(d -> 'color') = 'string' AND d ->> 'color' LIKE '%ue'`, [], [2]],
    ['{ path: ["note"], stringContains: "% cotton_" }', `strpos(d ->> 'note', '% cotton_') > 0`, [], [12]],
    ['{ path: ["a%b"], stringEndsWith: "_y" }', `right(d ->> 'a%b', 2) = '_y'`, [], [12]],
    ['{ path: ["size"], stringContains: "10" }', `jsonb_typeof(d -> 'size') = 'string' AND strpos(d ->> 'size', '10') > 0`, [], [3]],
    ['{ stringContains: "string" }', `jsonb_typeof(d) = 'string' AND strpos(d #>> '{}', 'string') > 0`, [], [7]],
    ['{ contains: { color: "red" } }', `d @> '{"color": "red"}'`, [], [1]],
    ['{ contains: { tags: ["b"] } }', `d @> '{"tags": ["b"]}'`, [], [1, 2]],
    ['{ contains: [1] }', `d @> '[1]'`, [], [6]],
    ['{ contains: {} }', `jsonb_typeof(d) = 'object'`, [], [1, 2, 3, 4, 5, 11, 12]],
    ['{ path: ["sizes"], contains: [3] }', `d -> 'sizes' @> '[3]'`, [], [1, 11]],
    ['{ path: ["nested"], contains: { k: "v" } }', `d -> 'nested' ->> 'k' = 'v'`, [], [1, 11]],
    ['{ hasKey: "flag" }', `jsonb_typeof(d) = 'object' AND d ? 'flag'`, [], [3, 5]],
    ['{ hasKey: "three" }', `jsonb_typeof(d) = 'array' AND d @> '["three"]'`, [], [6]],
    ['{ path: ["nested"], hasKey: "n" }', `d -> 'nested' -> 'n' IS NOT NULL`, [], [1, 2]],
    ['{ hasAnyKeys: ["flag", "note"] }', `d ? 'flag' OR d ? 'note'`, [], [3, 5, 12]],
    ['{ hasAllKeys: ["color", "tags"] }', `d ? 'color' AND d ? 'tags'`, [], [1, 2, 3]],
    ['{ hasAllKeys: [] }', `d IS NOT NULL`, [], [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12]],
    ['{ isNull: true }', `d IS NULL OR jsonb_typeof(d) = 'null'`, [], [9, 10]],
    ['{ isNull: false }', `d IS NOT NULL AND jsonb_typeof(d) <> 'null'`, [], [1, 2, 3, 4, 5, 6, 7, 8, 11, 12]],
    ['{ path: ["color"], isNull: true }', `coalesce(jsonb_typeof(d -> 'color'), 'null') = 'null'`, [], [4, 5, 6, 7, 8, 9, 10]],
    ['{ path: ["color"], isNull: false, not: "red" }', `jsonb_typeof(d -> 'color') NOT IN ('null') AND d ->> 'color' <> 'red'`, [], [2, 3, 11, 12]],
    ['{ path: ["nope"], equals: 1 }', 'FALSE', [], []],
    ['{ path: [] }', 'TRUE', [], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]],
  ]

  for (const [filter, condition, params, expected] of cases) {
    it(`${filter} matches ${JSON.stringify(expected ?? 'what SQL says')}`, async () => {
      const answer = await sqlIds(condition, params)
      if (expected) expect(answer).toEqual(expected)
      else expect(answer.length).toBeGreaterThan(0)
      expect(await ids('doc', filter)).toEqual(answer)
      // The json column, cast to jsonb, means the same.
      expect(await ids('raw', filter)).toEqual(answer)
    })
  }

  it('combines with AND, OR and NOT as SQL does (NOT of an unknown is no match)', async () => {
    const found = await both(`{ jsonDocs(first: 100, where: {
      OR: [{ doc: { path: ["color"], equals: "blue" } }, { NOT: { doc: { hasKey: "color" } } }],
      AND: [{ raw: { isNull: false } }] }) { nodes { id } } }`)
    const expected = await sqlIds(`(d -> 'color' = '"blue"' OR NOT (d ? 'color')) AND d IS NOT NULL AND jsonb_typeof(d) <> 'null'`)
    expect(expected).toEqual([2, 5, 6, 7, 8])
    expect(found.jsonDocs.nodes.map((n: { id: number }) => n.id)).toEqual(expected)
  })

  it('on a relation and on app.post.metadata (the issue\'s example)', async () => {
    const data = await both('{ posts(first: 100, where: { metadata: { path: ["meta", "rev"], gt: 14 } }) { nodes { id metadata(path: ["meta"]) } } }')
    const expected = await rows(`SELECT id::text AS id, metadata -> 'meta' AS metadata FROM app.post WHERE (metadata #>> '{meta,rev}')::int > 14 ORDER BY id`)
    expect(expected).toEqual([
      { id: '15', metadata: { rev: 15 } },
      { id: '17', metadata: { rev: 17 } },
      { id: '19', metadata: { rev: 19 } },
    ])
    expect(data.posts.nodes).toEqual(expected)
  })

  it('sends every value as a parameter: keys, paths and values never appear in the SQL', async () => {
    const data = await both('{ jsonDocs(where: { doc: { path: ["nested", "k"], equals: "secretvalue", hasKey: "secretkey", hasAnyKeys: ["anykey"], stringContains: "o\'brien" } }) { totalCount } }')
    for (const text of ['nested', 'secretvalue', 'secretkey', 'anykey', 'brien']) expect(data.statement).not.toContain(text)
    expect(data.jsonDocs.totalCount).toBe(0)
  })
})

describe('contains and the has-key operators are written on the bare jsonb column, so its GIN index serves them', () => {
  /**
   * The plans of the statement Portico sent, over 20,000 more documents (and sequential scans
   * off): with the test's parameters, and generic (as a prepared statement may be planned once
   * for all parameters) with them as the literals `args`.
   */
  async function plansOf(filter: string, params: unknown[], args: string): Promise<string[]> {
    const data = await both(`{ jsonDocs(where: { doc: ${filter} }) { totalCount } }`)
    const text = (result: pg.QueryResult) => result.rows.map((r) => r['QUERY PLAN']).join('\n')
    await project.sql.query('BEGIN')
    try {
      await project.sql.query(`INSERT INTO app.json_doc (id, doc) SELECT i, jsonb_build_object('color', 'grey', 'size', i) FROM generate_series(1000, 21000) AS i`)
      await project.sql.query('ANALYZE app.json_doc')
      await project.sql.query('SET LOCAL enable_seqscan = off')
      const custom = text(await project.sql.query(`EXPLAIN ${data.statement}`, params))
      await project.sql.query(`SET LOCAL plan_cache_mode = force_generic_plan`)
      await project.sql.query(`PREPARE portico_plan AS ${data.statement}`)
      const generic = text(await project.sql.query(`EXPLAIN EXECUTE portico_plan(${args})`))
      return [custom, generic]
    } finally {
      await project.sql.query('ROLLBACK')
      await project.sql.query('DEALLOCATE ALL')
    }
  }

  const indexScan = (operator: string) => new RegExp(`Bitmap Index Scan on json_doc_doc_gin[^\n]*\n\\s+Index Cond: \\(doc ${operator} `)

  it('contains: a bitmap scan of json_doc_doc_gin', async () => {
    const plans = await plansOf('{ contains: { color: "red" } }', [JSON.stringify({ color: 'red' })], `'{"color": "red"}'`)
    for (const plan of plans) expect(plan).toMatch(indexScan('@>'))
    expect(plans[1]).toContain('Index Cond: (doc @> $1)')
  })

  it('hasKey, hasAnyKeys, hasAllKeys: the same index', async () => {
    for (const plan of await plansOf('{ hasKey: "flag" }', ['flag'], `'flag'`)) expect(plan).toMatch(indexScan('\\?'))
    for (const plan of await plansOf('{ hasAnyKeys: ["flag"] }', [['flag']], `'{flag}'`)) expect(plan).toMatch(indexScan('\\?\\|'))
    for (const plan of await plansOf('{ hasAllKeys: ["flag"] }', [['flag']], `'{flag}'`)) expect(plan).toMatch(indexScan('\\?&'))
  })
})

describe('a JSON field\'s path argument returns that part of the value', () => {
  it('in lists, on jsonb and json, null where the path is absent; the whole value without path', async () => {
    const data = await both(`{ jsonDocs(first: 100) { nodes { id doc color: doc(path: ["color"]) first: doc(path: ["sizes", "0"])
      k: raw(path: ["nested", "k"]) nested: raw(path: ["nested"]) whole: doc(path: []) } } }`)
    const expected = await rows(`SELECT id, doc, doc #> '{color}' AS color, doc #> '{sizes,0}' AS first, raw #> '{nested,k}' AS k,
      raw #> '{nested}' AS nested, doc AS whole FROM app.json_doc ORDER BY id`)
    expect(expected[0]).toEqual({
      id: 1,
      doc: { color: 'red', size: 10, tags: ['a', 'b'], sizes: [1, 2, 3], nested: { k: 'v', n: 1 } },
      color: 'red',
      first: 1,
      k: 'v',
      nested: { k: 'v', n: 1 },
      whole: { color: 'red', size: 10, tags: ['a', 'b'], sizes: [1, 2, 3], nested: { k: 'v', n: 1 } },
    })
    expect(expected.find((r) => r.id === 6)).toMatchObject({ doc: [1, 2, 'three'], color: null, first: null })
    expect(data.jsonDocs.nodes).toEqual(expected)
  })

  it('in lookups (several paths, one statement) and with variables', async () => {
    // Field by field, lookups of one shape (same path) share a statement: two shapes, two statements.
    const data = await both('{ a: jsonDoc(id: 1) { size: doc(path: ["size"]) } b: jsonDoc(id: 2) { size: doc(path: ["size"]) } c: jsonDoc(id: 6) { third: doc(path: ["2"]) } }', 2)
    expect(data).toMatchObject({ a: { size: 10 }, b: { size: 2.5 }, c: { third: 'three' } })
    const viaVariable = await project.api.data('query ($p: [String!]) { jsonDoc(id: 11) { doc(path: $p) } }', { p: ['sizes'] })
    expect(viaVariable).toEqual({ jsonDoc: { doc: (await rows(`SELECT doc -> 'sizes' AS s FROM app.json_doc WHERE id = 11`))[0]!.s } })
  })
})

describe('writes: JSON filters Prisma cannot mean exactly are refused, not guessed', () => {
  it('updateMany with equals works as before; with a path it is a clear client error, nothing written', async () => {
    const ok = await project.api.data('mutation { updateManyJsonDoc(where: { doc: { equals: 42 } }, data: { raw: 42 }) { count } }')
    expect(ok).toEqual({ updateManyJsonDoc: { count: 1 } })
    const refused = await project.api.query('mutation { deleteManyJsonDoc(where: { doc: { path: ["color"], equals: "red" } }) { count } }')
    expect(refused.errors?.[0]?.message).toBe(
      'doc.path: the where of updateMany and deleteMany takes only equals and not on a JSON column; read the keys with a query first, then write by key.',
    )
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect((await rows('SELECT count(*)::int AS n FROM app.json_doc'))[0]!.n).toBe(12)
  })
})
