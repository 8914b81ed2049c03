/**
 * Shared by the fixture-suite files: a shared reference fixture (../shared/fixtures) loaded into a
 * throw-away database, a Portico gateway on it, a plain `pg` client to ask PostgreSQL the same
 * questions, and the helpers every file uses (root lists, keyset stitching, SQL renderings of
 * the API's scalar formats).
 */
import { randomBytes } from 'node:crypto'
import { getNamedType, type GraphQLObjectType } from 'graphql'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConfigInput } from '../../src/config/config.js'
import { startTestGateway, type TestGateway } from '../support/gateway.js'
import { loadSharedFixture, type TestDatabase } from '../support/test-database.js'
import { rootSourceOf } from '../../src/planner/field-source.js'
import { loadGeneratedClient } from '../../src/model/generate-client.js'
import { pothosDatamodelOf } from '../../src/model/pothos-datamodel.js'

export type FixtureName = 'pagila' | 'chinook' | 'iotawatt'

export interface Fixture {
  db: TestDatabase
  /** The gateway started with the options given to useFixture. */
  api: TestGateway
  sql: pg.Client
  rows(text: string, params?: unknown[]): Promise<any[]>
  /** Another gateway on the same database (closed in afterAll). */
  gateway(config: Partial<ConfigInput>): Promise<TestGateway>
}

/**
 * Registers beforeAll/afterAll that load `name` into `portico_fx_<name>_<random>`, start a gateway
 * with `config`, and drop everything afterwards. The returned object is filled in by beforeAll.
 */
export function useFixture(name: FixtureName, config: Partial<ConfigInput>): Fixture {
  const fixture = {} as Fixture
  const extra: TestGateway[] = []
  beforeAll(async () => {
    fixture.db = await loadSharedFixture(name, `portico_fx_${name}_${randomBytes(4).toString('hex')}`)
    fixture.sql = new pg.Client({ connectionString: fixture.db.url })
    fixture.sql.on('error', () => {})
    await fixture.sql.connect()
    fixture.rows = async (text, params = []) => (await fixture.sql.query(text, params)).rows
    fixture.gateway = async (more) => {
      const api = await startTestGateway(fixture.db.url, more)
      extra.push(api)
      return api
    }
    fixture.api = await startTestGateway(fixture.db.url, config)
  })
  afterAll(async () => {
    for (const api of extra) await api.close().catch(() => {})
    await fixture.api?.close()
    await fixture.sql?.end().catch(() => {})
    await fixture.db?.drop()
  })
  return fixture
}

/** Root fields that list a table or view: every list the API has. */
export function rootLists(api: TestGateway): string[] {
  const fields = api.gateway.schema.getQueryType()!.getFields()
  return Object.keys(fields)
    // A table's list, not a function returning a table's rows (also a connection).
    .filter((name) => rootSourceOf(fields[name]!)?.kind === 'rootList')
    .sort()
}

/**
 * Pages through `field` with first/after (forward) or last/before (backward) until the API says
 * there is no more, and returns the nodes in list order and the number of pages. Fails if a page
 * is larger than `size`. `within` pages a nested connection: `{ field: 'playlist', args:
 * 'playlistId: 5' }` queries `{ playlist(playlistId: 5) { <field>(...) { ... } } }`.
 */
export async function stitch(
  api: TestGateway,
  field: string,
  selection: string,
  direction: 'forward' | 'backward',
  size: number,
  args = '',
  within?: { field: string; args: string },
): Promise<{ nodes: unknown[]; pages: number }> {
  const seen: unknown[] = []
  let cursor: string | null = null
  for (let page = 1; page <= 1000; page++) {
    const position = cursor ? (direction === 'forward' ? `after: "${cursor}"` : `before: "${cursor}"`) : ''
    const window = direction === 'forward' ? `first: ${size}` : `last: ${size}`
    const list = `${field}(${window} ${position} ${args}) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { ${selection} } }`
    const data = await api.data(within ? `{ ${within.field}(${within.args}) { ${list} } }` : `{ ${list} }`)
    const { nodes, pageInfo } = within ? data[within.field][field] : data[field]
    if (nodes.length > size) throw new Error(`page ${page} of ${field} has ${nodes.length} rows, more than ${size}`)
    if (direction === 'forward') seen.push(...nodes)
    else seen.unshift(...nodes)
    const more = direction === 'forward' ? pageInfo.hasNextPage : pageInfo.hasPreviousPage
    if (!more) return { nodes: seen, pages: page }
    cursor = direction === 'forward' ? pageInfo.endCursor : pageInfo.startCursor
  }
  throw new Error(`pagination of ${field} did not end`)
}

/**
 * SQL expressions that render a column the way the API serializes it, so rows compare with
 * toEqual: DateTime (timestamptz) is PostgreSQL's text in UTC as ISO-8601, microseconds as
 * stored; LocalDateTime (a `timestamp` without time zone) the same with no zone; Date is
 * YYYY-MM-DD, BigInt is text, and Decimal is PostgreSQL's own text, digits and scale as stored
 * (10289.60 is "10289.60", also in an unconstrained numeric).
 */
export const as = {
  timestamptz: (column: string) => `replace((${column} AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z'`,
  timestamp: (column: string) => `replace((${column})::text, ' ', 'T')`,
  date: (column: string) => `to_char(${column}, 'YYYY-MM-DD')`,
  text: (column: string) => `(${column})::text`,
  decimal: (column: string) => `(${column})::text`,
}

/**
 * Which table or view each root list reads (`films` -> `public.film`), as the Prisma datamodel
 * says: the list's node type is a model, and the model's `@@schema`/`@@map` in the served
 * schema.prisma name the relation. The fixture files keep a hand-written list and check it
 * against this, so a list that appears (or moves) without the hand-written list following fails.
 */
export function listRelations(api: TestGateway): Record<string, string> {
  const blocks = new Map<string, string>()
  for (const match of api.gateway.prismaSchema.matchAll(/^(?:model|view)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) blocks.set(match[1]!, match[2]!)
  const fields = api.gateway.schema.getQueryType()!.getFields()
  const result: Record<string, string> = {}
  for (const list of rootLists(api)) {
    const connection = getNamedType(fields[list]!.type) as GraphQLObjectType
    const model = getNamedType(connection.getFields().nodes!.type).name
    if (!api.gateway.datamodel.models.has(model)) throw new Error(`${list} lists ${model}, which is not a model`)
    const body = blocks.get(model)
    if (body === undefined) throw new Error(`model ${model} not found in the served schema.prisma`)
    const schema = /@@schema\("([^"]+)"\)/.exec(body)?.[1] ?? 'public'
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? model
    result[list] = `${schema}.${table}`
  }
  return result
}

/** A qualified relation name for SQL: `public.film` -> `"public"."film"`. */
export function quoteRelation(qualified: string): string {
  const [schema, table] = qualified.split('.') as [string, string]
  return `"${schema.replaceAll('"', '""')}"."${table.replaceAll('"', '""')}"`
}

/**
 * The fixture has exactly these root lists, each reading the given relation, and each list's
 * totalCount equals count(*) of it.
 */
export function describeLists(fx: Fixture, lists: Record<string, string>): void {
  describe('lists', () => {
    it('has exactly these root lists, reading these relations', () => {
      expect(rootLists(fx.api)).toEqual(Object.keys(lists).sort())
      expect(listRelations(fx.api)).toEqual(lists)
    })

    it.each(Object.entries(lists))('%s: totalCount equals count(*) of %s', async (field, relation) => {
      const data = await fx.api.data(`{ ${field} { totalCount } }`)
      const [{ count }] = await fx.rows(`SELECT count(*)::int AS count FROM ${quoteRelation(relation)}`)
      expect(count).toBeGreaterThan(0)
      expect(data[field].totalCount).toBe(count)
    })
  })
}

/** Registers a test: the Pothos datamodel read from the fixture's schema.prisma equals the one `prisma generate` writes. */
export function datamodelMatchesGenerated(fixture: Fixture): void {
  it('the Pothos datamodel read from schema.prisma equals the generated one', async () => {
    const generated = await loadGeneratedClient(fixture.api.gateway.prismaSchema)
    expect(JSON.stringify(pothosDatamodelOf(fixture.api.gateway.prismaSchema))).toBe(JSON.stringify(generated.datamodel))
  })
}
