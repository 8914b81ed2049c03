/**
 * The generated API on Portico's own test database (test/fixtures/portico-test.sql), every answer
 * compared with what PostgreSQL itself says.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { rootSourceOf } from '../src/planner/field-source.js'

let db: TestDatabase
let api: TestGateway
let sql: pg.Client

beforeAll(async () => {
  db = await createTestDatabase('api', readFixtureSql('portico-test.sql'))
  api = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'] })
  sql = new pg.Client({ connectionString: db.url })
  await sql.connect()
})

afterAll(async () => {
  await sql?.end()
  await api?.close()
  await db?.drop()
})

const rows = async (text: string, params: unknown[] = []) => (await sql.query(text, params)).rows

/** Every list field and the relation it reads. */
const LISTS: [field: string, relation: string][] = [
  ['allTypes', 'public.all_types'],
  ['appItems', 'app.item'],
  ['articles', 'app.article'],
  ['auditItems', 'audit.item'],
  ['employees', 'app.employee'],
  ['jsonDocs', 'app.json_doc'],
  ['keylessLogs', 'public.keyless_log'],
  ['messages', 'app.message'],
  ['mixedCases', 'app."MixedCase"'],
  ['n2faCodes', 'app."2fa_codes"'],
  ['orderLines', 'app.order_line'],
  ['orders', 'app."order"'],
  ['people', 'app.person'],
  ['personSummaries', 'app.person_summary'],
  ['postTags', 'app.post_tag'],
  ['posts', 'app.post'],
  ['readings', 'app.reading'],
  ['shifts', 'public.shift'],
  ['tagUsages', 'app.tag_usage'],
  ['tags', 'app.tag'],
]

describe('lists', () => {
  it('has exactly these root lists', () => {
    const fields = Object.keys(api.gateway.schema.getQueryType()!.getFields())
    // A function returning SETOF a table is a connection too (test/functions.test.ts), not a list of a table.
    const lists = fields.filter((name) => rootSourceOf(api.gateway.schema.getQueryType()!.getFields()[name]!)?.kind === 'rootList')
    expect(lists.sort()).toEqual(LISTS.map(([field]) => field).sort())
  })

  it.each(LISTS)('%s: totalCount equals count(*) of %s', async (field, relation) => {
    const data = await api.data(`{ ${field} { totalCount } }`)
    const [{ count }] = await rows(`SELECT count(*)::int AS count FROM ${relation}`)
    expect(data[field].totalCount).toBe(count)
  })

  it('the first page is in key order', async () => {
    const data = await api.data('{ people(first: 5) { nodes { id fullName email nickname } } }')
    const expected = await rows('SELECT id, full_name AS "fullName", email, nickname FROM app.person ORDER BY id LIMIT 5')
    expect(data.people.nodes).toEqual(expected)
  })

  it('a keyless table lists every row, duplicates included, in a stable order', async () => {
    const data = await api.data('{ keylessLogs { totalCount nodes { level message } } }')
    const expected = await rows('SELECT level, message FROM public.keyless_log ORDER BY logged_at, level, message NULLS LAST')
    expect(data.keylessLogs.nodes).toEqual(expected)
    expect(data.keylessLogs.totalCount).toBe(8)
  })

  it('offset skips rows', async () => {
    const data = await api.data('{ tags(offset: 2, first: 2) { nodes { id label } } }')
    expect(data.tags.nodes).toEqual(await rows('SELECT id, label FROM app.tag ORDER BY id OFFSET 2 LIMIT 2'))
  })

  it('refuses offset with a cursor, and a page beyond the maximum is cut to it', async () => {
    const both = await api.query('{ tags(offset: 1, after: "x") { nodes { id } } }')
    expect(both.errors?.[0]?.message).toMatch(/offset|cursor/i)
  })
})

describe('keyset pagination', () => {
  const stitch = async (field: string, selection: string, direction: 'forward' | 'backward', size: number, args = '') => {
    const seen: unknown[] = []
    let cursor: string | null = null
    for (let page = 0; page < 100; page++) {
      const position = cursor ? (direction === 'forward' ? `after: "${cursor}"` : `before: "${cursor}"`) : ''
      const window = direction === 'forward' ? `first: ${size}` : `last: ${size}`
      const data = await api.data(`{ ${field}(${window} ${position} ${args}) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { ${selection} } } }`)
      const { nodes, pageInfo } = data[field]
      if (direction === 'forward') seen.push(...nodes)
      else seen.unshift(...nodes)
      const more = direction === 'forward' ? pageInfo.hasNextPage : pageInfo.hasPreviousPage
      if (!more) return seen
      cursor = direction === 'forward' ? pageInfo.endCursor : pageInfo.startCursor
    }
    throw new Error('pagination did not end')
  }

  it('pages over a single key cover the table exactly once, forwards and backwards', async () => {
    const expected = await rows('SELECT id FROM app.person ORDER BY id')
    expect(await stitch('people', 'id', 'forward', 5)).toEqual(expected)
    expect(await stitch('people', 'id', 'backward', 5)).toEqual(expected)
  })

  it('pages over a composite key and a custom order cover the table exactly once', async () => {
    const expected = await rows('SELECT order_id AS "orderId", line_no AS "lineNo" FROM app.order_line ORDER BY quantity DESC, order_id, line_no')
    expect(await stitch('orderLines', 'orderId lineNo', 'forward', 4, 'orderBy: [{quantity: DESC}]')).toEqual(expected)
    expect(await stitch('orderLines', 'orderId lineNo', 'backward', 4, 'orderBy: [{quantity: DESC}]')).toEqual(expected)
  })

  it('pages of a keyless table (offset cursors) cover it exactly once, duplicates included', async () => {
    const expected = await rows('SELECT level, message FROM public.keyless_log ORDER BY logged_at, level, message NULLS LAST')
    expect(await stitch('keylessLogs', 'level message', 'forward', 3)).toEqual(expected)
  })
})

describe('filters', () => {
  const cases: [name: string, where: string, sqlWhere: string][] = [
    ['equals', '{ nickname: { equals: "nick1" } }', "nickname = 'nick1'"],
    ['not', '{ nickname: { not: "nick1" } }', "nickname <> 'nick1'"],
    ['in', '{ id: { in: [1, 3, 5] } }', 'id IN (1, 3, 5)'],
    ['notIn', '{ id: { notIn: [1, 3, 5] } }', 'id NOT IN (1, 3, 5)'],
    ['lt/gte', '{ id: { lt: 9, gte: 4 } }', 'id < 9 AND id >= 4'],
    ['lte/gt', '{ bornOn: { lte: "1970-01-01", gt: "1955-01-01" } }', "born_on <= '1970-01-01' AND born_on > '1955-01-01'"],
    ['contains', '{ fullName: { contains: "an" } }', "full_name LIKE '%an%'"],
    ['contains, insensitive', '{ fullName: { contains: "AN", mode: INSENSITIVE } }', "full_name ILIKE '%an%'"],
    ['startsWith', '{ fullName: { startsWith: "D" } }', "full_name LIKE 'D%'"],
    ['endsWith, insensitive', '{ fullName: { endsWith: "ER", mode: INSENSITIVE } }', "full_name ILIKE '%er'"],
    ['isNull true', '{ nickname: { isNull: true } }', 'nickname IS NULL'],
    ['isNull false', '{ mood: { isNull: false } }', 'mood IS NOT NULL'],
    ['enum', '{ mood: { in: [happy, sad] } }', "mood IN ('happy', 'sad')"],
    ['enum list has', '{ moods: { has: happy } }', "'happy' = ANY(moods)"],
    ['AND/OR/NOT', '{ OR: [{ id: { lt: 3 } }, { AND: [{ id: { gt: 8 } }, { NOT: { nickname: { isNull: true } } }] }] }', 'id < 3 OR (id > 8 AND nickname IS NOT NULL)'],
    ['to-many some', '{ posts: { some: { published: { equals: false } } } }', 'EXISTS (SELECT 1 FROM app.post p WHERE p.author = person.id AND NOT p.published)'],
    ['to-many none', '{ posts: { none: { title: { endsWith: "1" } } } }', "NOT EXISTS (SELECT 1 FROM app.post p WHERE p.author = person.id AND p.title LIKE '%1')"],
    ['to-many every', '{ posts: { every: { published: { equals: true } } } }', 'NOT EXISTS (SELECT 1 FROM app.post p WHERE p.author = person.id AND NOT p.published)'],
  ]
  it.each(cases)('%s', async (_name, where, sqlWhere) => {
    const data = await api.data(`{ people(first: 100, where: ${where}) { totalCount nodes { id } } }`)
    const expected = await rows(`SELECT id FROM app.person AS person WHERE ${sqlWhere} ORDER BY id`)
    expect(data.people.nodes).toEqual(expected)
    expect(data.people.totalCount).toBe(expected.length)
  })

  it('to-one is / isNot / isNull', async () => {
    const is = await api.data('{ employees(where: { manager: { is: { name: { equals: "Ada" } } } }) { nodes { id } } }')
    expect(is.employees.nodes).toEqual(await rows(`SELECT e.id FROM app.employee e JOIN app.employee m ON m.id = e.manager_id WHERE m.name = 'Ada' ORDER BY e.id`))
    const none = await api.data('{ employees(where: { manager: { isNull: true } }) { nodes { id } } }')
    expect(none.employees.nodes).toEqual(await rows('SELECT id FROM app.employee WHERE manager_id IS NULL ORDER BY id'))
  })

  it('a wrong variable type is a clear error, not a crash', async () => {
    const result = await api.query('query($w: PersonFilter) { people(where: $w) { totalCount } }', { w: { id: { equals: 'one' } } })
    expect(result.errors?.[0]?.message).toMatch(/Int cannot represent/)
  })
})

describe('ordering', () => {
  it('orders by several columns with nulls first or last', async () => {
    const data = await api.data('{ people(first: 100, orderBy: [{ mood: DESC_NULLS_LAST }, { nickname: ASC_NULLS_FIRST }]) { nodes { id } } }')
    const expected = await rows('SELECT id FROM app.person ORDER BY mood DESC NULLS LAST, nickname ASC NULLS FIRST, id')
    expect(data.people.nodes).toEqual(expected)
  })
  it('orders descending with PostgreSQL default null placement', async () => {
    const data = await api.data('{ posts(first: 100, orderBy: [{ publishedAt: DESC }]) { nodes { id } } }')
    const expected = await rows('SELECT p.id::text AS id FROM app.post p ORDER BY p.published_at DESC, p.id')
    expect(data.posts.nodes).toEqual(expected)
  })
})

describe('relations', () => {
  it('to-one, to-many and many-to-many equal the SQL joins', async () => {
    const data = await api.data(`{ post(id: "3") { title personByAuthor { fullName } tagsViaPostTag(orderBy: [{ label: ASC }]) { totalCount nodes { label } } } }`)
    const [author] = await rows('SELECT pe.full_name AS "fullName" FROM app.post p JOIN app.person pe ON pe.id = p.author WHERE p.id = 3')
    const tags = await rows('SELECT t.label FROM app.post_tag pt JOIN app.tag t ON t.id = pt.tag_id WHERE pt.post_id = 3 ORDER BY t.label')
    expect(data.post).toEqual({ title: 'Post number 3', personByAuthor: author, tagsViaPostTag: { totalCount: tags.length, nodes: tags } })
  })

  it('the other side of the many-to-many, with a filter', async () => {
    const data = await api.data('{ tag(id: 1) { posts(where: { published: { equals: true } }) { totalCount nodes { id } } } }')
    const expected = await rows('SELECT p.id::text FROM app.post_tag pt JOIN app.post p ON p.id = pt.post_id WHERE pt.tag_id = 1 AND p.published ORDER BY p.id')
    expect(data.tag.posts).toEqual({ totalCount: expected.length, nodes: expected })
  })

  it('a self relation both ways', async () => {
    const data = await api.data('{ employee(id: 5) { name manager { name } employeesByManager { nodes { id } } } }')
    const [manager] = await rows('SELECT m.name FROM app.employee e JOIN app.employee m ON m.id = e.manager_id WHERE e.id = 5')
    const reports = await rows('SELECT id FROM app.employee WHERE manager_id = 5 ORDER BY id')
    expect(data.employee).toMatchObject({ manager, employeesByManager: { nodes: reports } })
  })

  it('two foreign keys to one table are told apart by their columns', async () => {
    const data = await api.data('{ person(id: 2) { messagesBySender { nodes { id } } messagesByRecipient { nodes { id } } } }')
    expect(data.person.messagesBySender.nodes).toEqual(await rows('SELECT id FROM app.message WHERE sender_id = 2 ORDER BY id'))
    expect(data.person.messagesByRecipient.nodes).toEqual(await rows('SELECT id FROM app.message WHERE recipient_id = 2 ORDER BY id'))
  })

  it('a nested selection is one SQL statement', async () => {
    await api.data('{ people(first: 5) { nodes { fullName posts(first: 3) { totalCount nodes { title tagsViaPostTag { nodes { label } } } } } } }')
    // The list itself, plus its totalCount... which was not asked for: one statement.
    expect(api.statements).toHaveLength(1)
  })
})

describe('lookups and nodes', () => {
  it('looks up by a composite key, with awkward names', async () => {
    const data = await api.data('{ n2faCode(personId: 1, code: "123456") { n1stChoice expiresAt person { fullName } } order(id: 1) { select from status } }')
    expect(data.n2faCode).toEqual({ n1stChoice: 'sms', expiresAt: '2024-05-01T10:00:00', person: { fullName: 'Ada Lovelace' } })
    expect(data.order).toEqual({ select: 'express', from: '2024-04-01', status: 'paid' })
  })

  it('returns null for a missing key', async () => {
    expect(await api.data('{ person(id: 999) { id } }')).toEqual({ person: null })
  })

  it('fetches any keyed row again by its nodeId', async () => {
    const first = await api.data('{ orderLine(orderId: 2, lineNo: 1) { nodeId quantity } appItem(sku: "SKU-002") { nodeId name } }')
    const again = await api.data(`query($a: ID!, $b: ID!) {
      a: node(nodeId: $a) { __typename ... on OrderLine { quantity } }
      b: node(nodeId: $b) { __typename ... on AppItem { name } } }`, { a: first.orderLine.nodeId, b: first.appItem.nodeId })
    expect(again).toEqual({ a: { __typename: 'OrderLine', quantity: first.orderLine.quantity }, b: { __typename: 'AppItem', name: 'Gadget' } })
  })
})

describe('names and descriptions', () => {
  it('follows GraphQL conventions whatever the database uses', () => {
    const types = api.gateway.schema.getTypeMap()
    for (const name of ['Person', 'PostTag', 'AppItem', 'AuditItem', 'Order', 'MixedCase', 'N2faCode', 'Reading', 'PersonSummary', 'TagUsage', 'KeylessLog', 'Mood', 'OrderStatus']) {
      expect(types[name], name).toBeDefined()
    }
    expect(Object.keys((types.MixedCase as any).getFields()).sort()).toEqual(['camelColumn', 'id', 'lower', 'nodeId', 'upper'])
    expect(types.ReadingPartition0, 'partitions are not types').toBeUndefined()
  })

  it('leaves out a table whose comment says @omit, and the relations to it', () => {
    expect(api.gateway.schema.getType('SecretNote')).toBeUndefined()
    expect(Object.keys((api.gateway.schema.getType('Person') as any).getFields()).filter((f) => /secret/i.test(f))).toEqual([])
  })

  it('turns comments into descriptions', () => {
    const person = api.gateway.schema.getType('Person') as any
    expect(person.description).toBe('Someone who writes posts and sends messages')
    expect(person.getFields().zipCode.description).toBe('Postal code (a column name with a space)')
  })
})

describe('scalar types', () => {
  const columns = `id cSmallint cInteger cBigint cNumeric cDecimal cReal cDouble cBoolean cText cVarchar cChar cCitext
    cUuid cDate cTime cTimetz cTimestamp cTimestamptz cInterval cBytea cJson cJsonb cMood cMoodArray`

  it('reads every type as PostgreSQL stores it', async () => {
    const data = await api.data(`{ allTypes { nodes { ${columns} } } }`)
    expect(data.allTypes.nodes).toEqual([
      {
        id: 1, cSmallint: 42, cInteger: 123456, cBigint: '1234567890123', cNumeric: '3.140000000', cDecimal: '2.5',
        cReal: 3.5, cDouble: 2.718281828459045, cBoolean: true, cText: 'hello, world', cVarchar: 'varchar text',
        cChar: 'abc  ', cCitext: 'MiXeD CaSe', cUuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', cDate: '2024-02-29',
        // Times and timestamps keep their microseconds; timetz keeps its offset; a timestamp without
        // time zone is served without one, a timestamptz in UTC.
        cTime: '13:45:30.5', cTimetz: '13:45:30+02:00', cTimestamp: '2024-02-29T13:45:30.123456', cTimestamptz: '2024-02-29T13:45:30.123456Z',
        // interval as an ISO-8601 duration: 1 day 02:03:04.
        cInterval: 'P1DT2H3M4S', cBytea: '3q2+7w==', cJson: { b: 2, a: [1, 2, { c: null }] }, cJsonb: { a: [1, 2, { c: null }], b: 2 },
        cMood: 'happy', cMoodArray: ['happy', 'sad'],
      },
      {
        // bigint beyond 2^53 and numeric beyond double precision keep every digit.
        id: 2, cSmallint: -32768, cInteger: 2147483647, cBigint: '9007199254740993', cNumeric: '12345678901234567890.123456789',
        cDecimal: '3.14159265358979323846264338327950288419716939937510', cReal: -0.0000125, cDouble: 1.7976931348623157e308,
        cBoolean: false, cText: 'line1\nline2 "double" \'single\' \\backslash ünïcødé 🚀', cVarchar: 'exactly20characters!',
        cChar: 'ab   ', cCitext: 'straße', cUuid: '00000000-0000-0000-0000-000000000000', cDate: '0001-01-01',
        cTime: '23:59:59.999999', cTimetz: '00:00:00-11:30', cTimestamp: '1970-01-01T00:00:00', cTimestamptz: '2000-01-01T07:59:59.999999Z',
        cInterval: 'P-1Y-2M3DT-1.5S',
        // JSON numbers are JavaScript numbers: 9007199254740993 inside jsonb reads as ...992.
        cBytea: 'AP8=', cJson: [], cJsonb: { nested: { deep: [true, false, null, 9007199254740992, 0.1] } },
        cMood: 'sad', cMoodArray: [],
      },
      {
        id: 3, cSmallint: null, cInteger: null, cBigint: null, cNumeric: null, cDecimal: null, cReal: null, cDouble: null,
        cBoolean: null, cText: null, cVarchar: null, cChar: null, cCitext: null, cUuid: null, cDate: null, cTime: null,
        cTimetz: null, cTimestamp: null, cTimestamptz: null, cInterval: null, cBytea: null, cJson: null, cJsonb: null, cMood: null,
        // A NULL array is null, not an empty list (row 2's is empty).
        cMoodArray: null,
      },
    ])
  })

  it('reads arrays', async () => {
    const data = await api.data('{ allType(id: 1) { cIntArray cTextArray } }')
    expect(data.allType).toEqual({ cIntArray: [1, 2, 3], cTextArray: ['alpha', 'with space', 'with,comma'] })
  })

  it('reads arrays with NULL elements: array items are nullable, as in PostgreSQL', async () => {
    const data = await api.data('{ allType(id: 2) { cIntArray } tag(id: 1) { label } }')
    expect(data).toEqual({ allType: { cIntArray: [-2147483648, 0, null] }, tag: { label: 'postgres' } })
  })

  it('filters on exact values of the string-encoded types', async () => {
    const data = await api.data(`{ allTypes(where: { cBigint: { equals: "9007199254740993" } }) { nodes { id } }
      byDecimal: allTypes(where: { cNumeric: { gt: "12345678901234567890.123456788" } }) { nodes { id } }
      byMicrosecond: allTypes(where: { cTimestamptz: { equals: "2024-02-29T13:45:30.123456Z" } }) { nodes { id } }
      byInterval: allTypes(where: { cInterval: { lt: "P1D" } }) { nodes { id } } }`)
    expect(data).toEqual({
      allTypes: { nodes: [{ id: 2 }] },
      byDecimal: { nodes: [{ id: 2 }] },
      byMicrosecond: { nodes: [{ id: 1 }] },
      byInterval: { nodes: [{ id: 2 }] },
    })
  })
})
