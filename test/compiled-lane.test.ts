/**
 * The compiled lane in front of Yoga (src/serve/compiled-lane.ts): a query Yoga has answered with
 * one compiled statement is answered by the lane next time, with the same bytes and headers, the
 * same metrics and log line; whatever depends on the request (variables, cost, limits, persisted
 * operations) is still decided as Yoga decides it. Through `fetch` and over real HTTP.
 */
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, type ConfigInput } from '../src/config/config.js'
import { createGateway, type Gateway } from '../src/gateway.js'
import { listen, type RunningServer } from '../src/serve/http-server.js'
import { createLogger } from '../src/log.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase
let gateway: Gateway
let persisted: Gateway
let server: RunningServer
const lines: string[] = []
const statements: string[] = []
const TAGS = 'query Tags($n: Int!) { tags(first: $n, orderBy: [{ id: ASC }]) { nodes { id label } } }'
const schemas = ['app', 'audit', 'public']

function start(config: Partial<ConfigInput>): Promise<Gateway> {
  return createGateway({
    databaseUrl: db.url,
    config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { schemas, ...config } }),
    logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
    onProgress: () => {},
    onQuery: (sql) => statements.push(sql),
  })
}

beforeAll(async () => {
  db = await createTestDatabase('compiled_lane', readFixtureSql('portico-test.sql'))
  gateway = await start({ limits: { maxCost: 100 } } as Partial<ConfigInput>)
  server = await listen(gateway.yoga, { host: '127.0.0.1', port: 0, logger: createLogger('silent') })
}, 120_000)

afterAll(async () => {
  await server?.close()
  await gateway?.close()
  await persisted?.close()
  await db?.drop()
})

const post = (body: unknown, headers: Record<string, string> = {}, via: 'fetch' | 'http' = 'fetch') => {
  const init = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }
  return via === 'fetch' ? gateway.yoga.fetch('http://portico.test/graphql', init) : fetch(server.url, init)
}

describe.each(['fetch', 'http'] as const)('through %s', (via) => {
  it('answers a query Yoga compiled, with the same status, headers and bytes, one statement', async () => {
    const first = await post({ query: TAGS, variables: { n: 2 } }, { accept: 'application/graphql-response+json' }, via)
    const firstText = await first.text()
    const answered = gateway.yoga.lane.answered
    statements.length = 0
    const second = await post({ query: TAGS, variables: { n: 2 } }, { accept: 'application/graphql-response+json', 'x-request-id': 'lane-test-1' }, via)
    expect(gateway.yoga.lane.answered).toBe(answered + 1)
    expect(second.status).toBe(first.status)
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'))
    expect(second.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8')
    expect(second.headers.get('x-request-id')).toBe('lane-test-1')
    expect(await second.text()).toBe(firstText)
    expect(JSON.parse(firstText)).toEqual({ data: { tags: { nodes: [{ id: 1, label: 'postgres' }, { id: 2, label: 'graphql' }] } } })
    expect(statements).toHaveLength(1)
  })

  it('compiles other variables once, and answers plain application/json as Yoga does', async () => {
    const answered = gateway.yoga.lane.answered
    const three = await post({ query: TAGS, variables: { n: 3 } }, { accept: 'application/json' }, via)
    expect(three.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(((await three.json()) as any).data.tags.nodes.map((t: { id: number }) => t.id)).toEqual([1, 2, 3])
    expect(gateway.yoga.lane.answered).toBe(answered + 1)
  })
})

it('leaves to Yoga what depends on the request: bad variables, cost over the limit, extensions, an Origin', async () => {
  await post({ query: TAGS, variables: { n: 1 } })
  const answered = gateway.yoga.lane.answered
  const wrongType = await post({ query: TAGS, variables: { n: 'x' } })
  expect(wrongType.status).toBe(400)
  expect(((await wrongType.json()) as any).errors[0].message).toMatch(/Variable "\$n" got invalid value "x"/)
  // 1 + 50 x 3 > 100: refused by the cost limit, as without the lane.
  const costly = await post({ query: TAGS, variables: { n: 50 } }, { accept: 'application/graphql-response+json' })
  expect(costly.status).toBe(400)
  expect(((await costly.json()) as any).errors[0].extensions.code).toBe('COST_LIMIT_EXCEEDED')
  const withExtensions = await post({ query: TAGS, variables: { n: 1 }, extensions: {} })
  expect(withExtensions.status).toBe(200)
  const cors = await post({ query: TAGS, variables: { n: 1 } }, { origin: 'http://example.test' })
  expect(cors.headers.get('access-control-allow-origin')).toBe('http://example.test')
  expect(gateway.yoga.lane.answered).toBe(answered)
})

it('counts its requests in the metrics and logs each as Yoga does', async () => {
  const count = async () => Number(/^graphql_envelop_request_duration_count\{operationName="Tags",operationType="query"\} (\d+)$/m.exec(await (await gateway.yoga.fetch('http://portico.test/metrics')).text())?.[1] ?? 0)
  const before = await count()
  lines.length = 0
  const answered = gateway.yoga.lane.answered
  await post({ query: TAGS, variables: { n: 2 } }, { 'x-request-id': 'lane-log' })
  expect(gateway.yoga.lane.answered).toBe(answered + 1)
  expect(await count()).toBe(before + 1)
  const line = lines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'lane-log')
  expect(line).toMatchObject({ msg: 'graphql request', operationName: 'Tags', operationType: 'query', status: 200, errors: 0, variables: ['n'] })
})

it('with persisted operations only, a document sent as text is refused even once its id has run', async () => {
  const { createHash } = await import('node:crypto')
  const { writeFileSync, mkdtempSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const path = await import('node:path')
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'portico-lane-')), 'manifest.json')
  const id = createHash('sha256').update(TAGS).digest('hex')
  writeFileSync(file, JSON.stringify({ [id]: TAGS }))
  persisted = await start({ persistedOperations: { file, only: true } })
  const ask = (body: unknown) => persisted.yoga.fetch('http://portico.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  for (let i = 0; i < 2; i++) expect((await ask({ documentId: id, variables: { n: 1 } })).status).toBe(200)
  const text = await ask({ query: TAGS, variables: { n: 1 } })
  expect(text.status).toBe(403)
  expect(persisted.yoga.lane.answered).toBe(0)
})
