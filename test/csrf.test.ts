/**
 * CSRF prevention (`csrfPrevention`, on by default): the POSTs any web page can make a browser
 * send without a CORS preflight (no Content-Type, text/plain, urlencoded or multipart forms) are
 * refused with a 403 before anything runs, unless they carry a header only a preflighted page can
 * send. GraphQL clients (application/json) and plain GETs are not affected; `checkGet` refuses
 * GETs without such a header too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config/config.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let api: TestGateway
let strict: TestGateway
let off: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('csrf', readFixtureSql('portico-test.sql'))
  const schemas = ['app', 'audit', 'public']
  api = await startTestGateway(db.url, { schemas })
  strict = await startTestGateway(db.url, { schemas, csrfPrevention: { checkGet: true, requestHeaders: ['x-requested-with'] } })
  off = await startTestGateway(db.url, { schemas, csrfPrevention: { enabled: false } })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await strict?.close()
  await off?.close()
  await db?.drop()
})

const MUTATION = 'mutation { updateTag(where: { id: 6 }, data: { label: "forged" }) { label } }'

async function send(gateway: TestGateway, init: RequestInit & { path?: string }) {
  gateway.statements.length = 0
  const headers = new Headers(init.headers)
  if (!headers.has('accept')) headers.set('accept', 'application/graphql-response+json')
  const response = await gateway.gateway.yoga.fetch(`http://portico.test${init.path ?? '/graphql'}`, { ...init, headers })
  const text = await response.text()
  return { status: response.status, type: response.headers.get('content-type'), body: text.startsWith('{') ? (JSON.parse(text) as unknown) : text, statements: [...gateway.statements] }
}

const refusal = (what: string, remedy = 'Send Content-Type: application/json, or add', headers = 'x-graphql-yoga-csrf, apollo-require-preflight, x-apollo-operation-name') => ({
  errors: [
    {
      message: `Refused as a possible cross-site request forgery: any web page can make a browser send ${what} without a CORS preflight. ${remedy} one of the headers ${headers}.`,
      extensions: { code: 'CSRF_PREVENTED' },
    },
  ],
})

const form = (fields: Record<string, string>) => {
  const data = new FormData()
  for (const [key, value] of Object.entries(fields)) data.set(key, value)
  return data
}

describe('by default', () => {
  it.each([
    ['an urlencoded form', { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ query: MUTATION }).toString(), 'a POST with Content-Type application/x-www-form-urlencoded'],
    ['a text/plain body', { 'content-type': 'text/plain;charset=UTF-8' }, JSON.stringify({ query: MUTATION }), 'a POST with Content-Type text/plain'],
    ['a body without a Content-Type', {}, new Blob([JSON.stringify({ query: MUTATION })]), 'a POST without a Content-Type'],
  ])('refuses %s with a 403 before any SQL', async (_what, headers, body, what) => {
    const result = await send(api, { method: 'POST', headers, body })
    expect(result).toEqual({ status: 403, type: 'application/graphql-response+json; charset=utf-8', body: refusal(what), statements: [] })
  })

  it('refuses a multipart form (a GraphQL upload, which Portico has no use for) unless it carries a header', async () => {
    const body = form({ operations: JSON.stringify({ query: MUTATION }), map: '{}' })
    const refused = await send(api, { method: 'POST', body })
    expect([refused.status, refused.body, refused.statements]).toEqual([403, refusal('a POST with Content-Type multipart/form-data'), []])
  })

  it('lets a form through with one of the headers (a page sends it only after a preflight)', async () => {
    const body = new URLSearchParams({ query: '{ tag(id: 1) { label } }' }).toString()
    for (const header of ['x-graphql-yoga-csrf', 'Apollo-Require-Preflight']) {
      const result = await send(api, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', [header]: '1' }, body })
      expect([result.status, result.body]).toEqual([200, { data: { tag: { label: 'postgres' } } }])
    }
  })

  it('answers what GraphQL clients send: JSON and application/graphql POSTs, plain GETs', async () => {
    const json = await send(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ tag(id: 1) { label } }' }) })
    const graphql = await send(api, { method: 'POST', headers: { 'content-type': 'application/graphql' }, body: '{ tag(id: 1) { label } }' })
    const get = await send(api, { path: `/graphql?${new URLSearchParams({ query: '{ tag(id: 1) { label } }' })}` })
    for (const result of [json, graphql, get]) expect([result.status, result.body]).toEqual([200, { data: { tag: { label: 'postgres' } } }])
  })

  it('wrote nothing for the refused forms', async () => {
    expect(await api.data('{ tag(id: 6) { label } }')).toEqual({ tag: { label: 'misc' } })
  })
})

describe('checkGet', () => {
  const url = `/graphql?${new URLSearchParams({ query: '{ tag(id: 1) { label } }' })}`

  it('refuses a GET without one of the headers, and answers one with it', async () => {
    expect(await send(strict, { path: url })).toEqual({
      status: 403,
      type: 'application/graphql-response+json; charset=utf-8',
      body: refusal('a GET', 'Add', 'x-requested-with'),
      statements: [],
    })
    const allowed = await send(strict, { path: url, headers: { 'x-requested-with': 'fetch' } })
    expect([allowed.status, allowed.body]).toEqual([200, { data: { tag: { label: 'postgres' } } }])
  })

  it('still serves GraphiQL, health checks and JSON POSTs', async () => {
    expect((await send(strict, { headers: { accept: 'text/html' } })).status).toBe(200)
    expect((await send(strict, { path: '/healthz' })).status).toBe(200)
    const json = await send(strict, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ tag(id: 1) { label } }' }) })
    expect(json.status).toBe(200)
  })
})

it('enabled: false lets a form through', async () => {
  const body = new URLSearchParams({ query: '{ tag(id: 1) { label } }' }).toString()
  const result = await send(off, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
  expect([result.status, result.body]).toEqual([200, { data: { tag: { label: 'postgres' } } }])
})

it('a request header that is not a header name is a configuration error', () => {
  expect(() => loadConfig({ env: {}, cwd: '/nonexistent', flags: { csrfPrevention: { requestHeaders: ['x csrf'] } } })).toThrow(ConfigError)
  expect(() => loadConfig({ env: {}, cwd: '/nonexistent', flags: { csrfPrevention: { requestHeaders: ['x csrf'] } } })).toThrow(
    'invalid configuration:\n  csrfPrevention.requestHeaders.0: must be an HTTP header name',
  )
})
