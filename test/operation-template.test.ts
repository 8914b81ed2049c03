/**
 * Operations compiled once per document with their plain variables as parameters
 * (src/planner/operation-template.ts): new values are filled in, not compiled again, and every
 * answer still equals SQL; variables that shape the statement, and values that do not fit a
 * parameter, are compiled as they come. Through the server's fetch (the compiled lane and Yoga).
 */
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { createGateway, type Gateway } from '../src/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let gateway: Gateway
let sql: pg.Client

beforeAll(async () => {
  db = await createTestDatabase('operation_template', readFixtureSql('portico-test.sql'))
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
  gateway = await createGateway({
    databaseUrl: db.url,
    config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { schemas: ['app', 'audit', 'public'] } }),
    logger: pino({ level: 'silent' }),
    onProgress: () => {},
  })
}, 120_000)

afterAll(async () => {
  await gateway?.close()
  await sql?.end()
  await db?.drop()
})

async function data(query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  })
  const body = (await response.json()) as { data?: unknown; errors?: unknown }
  expect(body.errors).toBeUndefined()
  return body.data
}

const rows = async (text: string, values: unknown[] = []) => (await sql.query(text, values)).rows

const TAG_AND_LABEL = `query TagAndLabel($id: Int!, $label: String!) {
  tag(id: $id) { id label }
  tags(where: { label: { equals: $label } }) { nodes { id } }
}`

it('compiles a document once for every value of its plain variables; every answer equals SQL', async () => {
  const cases = [
    { id: 1, label: 'graphql' },
    { id: 2, label: 'postgres' },
    { id: 6, label: 'nothing like it' },
    { id: 99, label: "it's" },
    { id: 3, label: 'misc' },
  ]
  await data(TAG_AND_LABEL, cases[0]!) // learns the template
  const compiled = gateway.planner.compiles
  for (const values of cases) {
    const [tag] = await rows('SELECT id, label FROM app.tag WHERE id = $1', [values.id])
    const equal = await rows('SELECT id FROM app.tag WHERE label = $1 ORDER BY id', [values.label])
    expect(await data(TAG_AND_LABEL, values)).toEqual({ tag: tag ?? null, tags: { nodes: equal } })
  }
  expect(gateway.planner.compiles).toBe(compiled)
})

it('a value the compiler rewrites (a LIKE prefix, its % and _ escaped) is part of the key; the others stay parameters', async () => {
  const query = 'query Prefixed($id: Int!, $prefix: String!) { tag(id: $id) { label } tags(where: { label: { startsWith: $prefix } }, orderBy: [{ id: ASC }]) { nodes { label } } }'
  const answer = async (id: number, prefix: string) => {
    const [tag] = await rows('SELECT label FROM app.tag WHERE id = $1', [id])
    const prefixed = await rows('SELECT label FROM app.tag WHERE starts_with(label, $1) ORDER BY id', [prefix])
    expect(await data(query, { id, prefix })).toEqual({ tag: tag ?? null, tags: { nodes: prefixed } })
  }
  for (const prefix of ['p', 't', '%', 'u_', '']) await answer(1, prefix)
  await answer(2, 'p') // a prefix seen before: its template is learned
  const compiled = gateway.planner.compiles
  for (const id of [3, 4, 99]) await answer(id, 'p')
  expect(gateway.planner.compiles).toBe(compiled)
})

it('a null where a value was (= becomes IS NULL) is compiled as it comes, and answers as SQL does', async () => {
  const query = 'query Nullable($label: String) { tags(where: { label: { equals: $label } }, orderBy: [{ id: ASC }]) { nodes { id } } }'
  expect(await data(query, { label: 'prisma' })).toEqual({ tags: { nodes: [{ id: 4 }] } })
  // As the same operation with the null written in: `equals: null` sets no condition.
  const inline = await data('{ tags(where: { label: { equals: null } }, orderBy: [{ id: ASC }]) { nodes { id } } }', {})
  expect(inline.tags.nodes).toHaveLength(6)
  const compiled = gateway.planner.compiles
  expect(await data(query, { label: null })).toEqual(inline)
  expect(gateway.planner.compiles).toBe(compiled + 1)
  expect(await data(query, { label: 'unused' })).toEqual({ tags: { nodes: [{ id: 5 }] } })
  expect(gateway.planner.compiles).toBe(compiled + 1)
})

it('a page size is part of the statement: each value compiles once, and answers as SQL does', async () => {
  const query = 'query Page($n: Int!, $label: String!) { tags(first: $n, where: { label: { not: $label } }, orderBy: [{ id: ASC }]) { nodes { id } } }'
  const answer = async (n: number, label: string) => {
    const expected = await rows('SELECT id FROM app.tag WHERE label <> $1 ORDER BY id LIMIT $2', [label, n])
    expect(await data(query, { n, label })).toEqual({ tags: { nodes: expected } })
  }
  for (const n of [1, 2, 3, 2]) await answer(n, 'graphql')
  await answer(2, 'postgres') // a page size seen before, new values of the rest: its template is learned
  const compiled = gateway.planner.compiles
  // Now other labels with that page size are filled in: n is in the key, label a parameter.
  for (const label of ['prisma', 'misc', 'nothing']) await answer(2, label)
  expect(gateway.planner.compiles).toBe(compiled)
})

it('a variable the compiler decodes (a nodeId) is not a parameter: each value is compiled and found', async () => {
  const ids = (await data('{ tags(orderBy: [{ id: ASC }]) { nodes { id nodeId } } }', {})).tags.nodes as { id: number; nodeId: string }[]
  const query = 'query ByNode($nodeId: ID!) { node(nodeId: $nodeId) { ... on Tag { id label } } }'
  for (const { id, nodeId } of ids.slice(0, 3)) {
    const [tag] = await rows('SELECT id, label FROM app.tag WHERE id = $1', [id])
    expect(await data(query, { nodeId })).toEqual({ node: tag })
  }
})
