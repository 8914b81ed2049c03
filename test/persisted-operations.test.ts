/**
 * Persisted operations (`persistedOperations: { file, only }`): the documents of a manifest run
 * by id, in Apollo's form (`extensions.persistedQuery.sha256Hash`) and the GraphQL-over-HTTP
 * draft's (`documentId`, POST or GET). With `only`, anything else is refused before any SQL; a
 * bad manifest is a configuration error at start.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, type ConfigInput } from '../src/config/config.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const TAGS = '{ tags(first: 2) { nodes { label } } }'
const TAG = 'query Tag($id: Int!) { tag(id: $id) { label } }'
const ITEMS = '{ tags(first: 1) { totalCount } }'

const dir = mkdtempSync(path.join(tmpdir(), 'portico-persisted-'))
const write = (name: string, content: unknown) => {
  const file = path.join(dir, name)
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}
// Relay / GraphQL Codegen's shape, with bare and prefixed SHA-256 ids and a custom one.
const relayManifest = write('relay.json', { [sha256(TAGS)]: TAGS, [`sha256:${sha256(TAG)}`]: TAG, 'items-v1': ITEMS })
// Apollo's generate-persisted-query-manifest shape.
const apolloManifest = write('apollo.json', {
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: [{ id: sha256(TAGS), name: 'Tags', type: 'query', body: TAGS }],
})

let db: TestDatabase
let only: TestGateway
let alongside: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('persisted', readFixtureSql('portico-test.sql'))
  const schemas = ['app', 'audit', 'public']
  only = await startTestGateway(db.url, { schemas, persistedOperations: { file: relayManifest, only: true } })
  alongside = await startTestGateway(db.url, { schemas, persistedOperations: { file: apolloManifest } })
}, 120_000)

afterAll(async () => {
  await only?.close()
  await alongside?.close()
  await db?.drop()
  rmSync(dir, { recursive: true, force: true })
})

async function request(api: TestGateway, init: { body?: unknown; search?: Record<string, string> }) {
  api.statements.length = 0
  const url = new URL('http://portico.test/graphql')
  for (const [key, value] of Object.entries(init.search ?? {})) url.searchParams.set(key, value)
  const response = await api.gateway.yoga.fetch(
    url.toString(),
    init.body === undefined
      ? { headers: { accept: 'application/graphql-response+json' } }
      : { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify(init.body) },
  )
  return { status: response.status, body: (await response.json()) as unknown, statements: [...api.statements] }
}

const apollo = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } })
const TAGS_DATA = { data: { tags: { nodes: [{ label: 'postgres' }, { label: 'graphql' }] } } }

describe('with only: true', () => {
  it.each([
    ["Apollo's sha256Hash", { body: { extensions: apollo(sha256(TAGS)) } }, TAGS_DATA],
    ['a documentId', { body: { documentId: `sha256:${sha256(TAGS)}` } }, TAGS_DATA],
    ['a bare hex documentId for a prefixed id, with variables', { body: { documentId: sha256(TAG), variables: { id: 2 } } }, { data: { tag: { label: 'graphql' } } }],
    ['a custom documentId', { body: { documentId: 'items-v1' } }, { data: { tags: { totalCount: 6 } } }],
    ['a documentId in a GET', { search: { documentId: `sha256:${sha256(TAGS)}` } }, TAGS_DATA],
    ["Apollo's hash in a GET", { search: { extensions: JSON.stringify(apollo(sha256(TAGS))) } }, TAGS_DATA],
  ])('runs a known operation from %s', async (_form, init, expected) => {
    const { status, body } = await request(only, init)
    expect([status, body]).toEqual([200, expected])
  })

  it.each([
    [
      'a document of its own',
      { body: { query: TAGS } },
      403,
      'This server runs persisted operations only: send the id of one (extensions.persistedQuery.sha256Hash (Apollo) or documentId), not a document.',
      'PERSISTED_QUERY_ONLY',
    ],
    ['an unknown id', { body: { documentId: 'sha256:0000' } }, 400, 'No persisted operation has the id "sha256:0000".', 'PERSISTED_QUERY_NOT_FOUND'],
    ['an unknown Apollo hash', { body: { extensions: apollo('abc') } }, 400, 'No persisted operation has the id "abc".', 'PERSISTED_QUERY_NOT_FOUND'],
    ['neither', { body: { variables: {} } }, 400, 'Send the id of a persisted operation (extensions.persistedQuery.sha256Hash (Apollo) or documentId).', 'BAD_REQUEST'],
  ])('refuses %s before any SQL', async (_what, init, status, message, code) => {
    const result = await request(only, init)
    expect(result).toEqual({ status, body: { errors: [{ message, extensions: { code } }] }, statements: [] })
  })

  it("checks a persisted operation's variables as any other's", async () => {
    const { status, body, statements } = await request(only, { body: { documentId: sha256(TAG), variables: { id: 'two' } } })
    expect([status, (body as { errors: { message: string }[] }).errors[0]!.message, statements]).toEqual([
      400,
      'Variable "$id" got invalid value "two"; Int cannot represent non-integer value: "two"',
      [],
    ])
  })
})

describe('without only', () => {
  it("runs the manifest's operations by id, and documents as before", async () => {
    expect(await request(alongside, { body: { extensions: apollo(sha256(TAGS)) } })).toMatchObject({ status: 200, body: TAGS_DATA })
    expect(await request(alongside, { body: { query: '{ tag(id: 1) { label } }' } })).toMatchObject({ status: 200, body: { data: { tag: { label: 'postgres' } } } })
  })

  it("answers an unknown hash with Apollo's code, so its clients send the document next", async () => {
    const { status, body, statements } = await request(alongside, { body: { extensions: apollo('abc') } })
    expect([status, body, statements]).toEqual([400, { errors: [{ message: 'No persisted operation has the id "abc".', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] }, []])
    const retried = await request(alongside, { body: { query: TAGS, extensions: apollo('abc') } })
    expect([retried.status, retried.body]).toEqual([200, TAGS_DATA])
  })
})

describe('the manifest is checked at start', () => {
  const load = (persistedOperations: ConfigInput['persistedOperations']) => {
    try {
      loadConfig({ env: {}, cwd: dir, flags: { persistedOperations } })
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      return (error as Error).message
    }
    throw new Error('expected a ConfigError')
  }
  const problem = (line: string) => `invalid configuration:\n  persistedOperations.file: ${line}`

  it.each([
    ['a missing file', { file: path.join(dir, 'missing.json') }, `the manifest ${path.join(dir, 'missing.json')} does not exist`],
    ['a file that is not JSON', { file: write('broken.json', '{ "a": ') }, `the manifest ${path.join(dir, 'broken.json')} is not valid JSON: `],
    ['a JSON list', { file: write('list.json', ['{ a }']) }, `the manifest ${path.join(dir, 'list.json')} must be a JSON object of documents by id`],
    ['a value that is not a string', { file: write('number.json', { abc: 1 }) }, `the manifest ${path.join(dir, 'number.json')}: the document of "abc" is not a non-empty string`],
    ['a document that does not parse', { file: write('syntax.json', { abc: '{ tags {' }) }, `the manifest ${path.join(dir, 'syntax.json')}: the document of "abc" does not parse: Syntax Error`],
    ['an Apollo manifest without operations', { file: write('apollo-bad.json', { format: 'apollo-persisted-query-manifest', version: 2 }) }, `the manifest ${path.join(dir, 'apollo-bad.json')} is an Apollo manifest, but not version 1 with an "operations" list`],
    ['only without a file', { only: true }, 'only: true needs the manifest file of the operations to run'],
  ])('refuses %s', (_what, persistedOperations, message) => {
    expect(load(persistedOperations)).toContain(problem(message))
  })

  it('reads a good manifest', () => {
    expect(loadConfig({ env: {}, cwd: dir, flags: { persistedOperations: { file: relayManifest, only: true } } }).persistedOperations).toEqual({ file: relayManifest, only: true })
  })
})
