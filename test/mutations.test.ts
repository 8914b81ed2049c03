/**
 * Mutations on Portico's own test database (test/fixtures/portico-test.sql, plus a table with
 * generated columns): every kind, nested writes, typed constraint errors, rollback, idempotent
 * retries and read-only mode, each checked with SQL on the same database.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toMutationError } from '../src/schema/mutation-errors.js'
import type { GraphQLInputObjectType } from 'graphql'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'
import { startTestGateway, type GraphQLResult, type TestGateway } from './support/gateway.js'

const GADGET = `
CREATE TABLE public.gadget (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    name_length integer GENERATED ALWAYS AS (length(name)) STORED,
    parts       text[] NOT NULL,
    took        interval
);`

let db: TestDatabase
let api: TestGateway
let sql: pg.Client

beforeAll(async () => {
  db = await createTestDatabase('mutations', [...readFixtureSql('portico-test.sql'), GADGET])
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
const count = async (table: string) => (await rows(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number

/** The one error of a result, checked to carry no SQL. */
function errorOf(result: GraphQLResult) {
  expect(result.errors).toHaveLength(1)
  const error = result.errors![0]!
  expect(error.message).not.toMatch(/\b(INSERT|UPDATE|DELETE|SELECT)\b|"app"\.|Internal server error/)
  return error
}

describe('the schema', () => {
  const mutations = () => Object.keys(api.gateway.schema.getMutationType()!.getFields())

  it('gives each keyed table all seven mutations', () => {
    expect(mutations().filter((name) => /Tag$/.test(name) && !/PostTag$/.test(name))).toEqual([
      'createTag',
      'createManyTag',
      'updateTag',
      'updateManyTag',
      'deleteTag',
      'deleteManyTag',
      'upsertTag',
    ])
  })

  it('gives views none, and a keyless table inserts only', () => {
    for (const type of ['PersonSummary', 'TagUsage']) expect(mutations().filter((name) => name.endsWith(type))).toEqual([])
    expect(mutations().filter((name) => name.endsWith('KeylessLog'))).toEqual(['createKeylessLog', 'createManyKeylessLog'])
  })

  it('requires NOT NULL columns without a default on create, nothing on update', () => {
    const fields = (name: string) => {
      const type = api.gateway.schema.getType(name) as unknown as { getFields(): Record<string, { type: unknown }> }
      return Object.fromEntries(Object.entries(type.getFields()).map(([key, field]) => [key, String(field.type)]))
    }
    expect(fields('PersonCreateInput')).toMatchObject({ id: 'Int', email: 'String!', fullName: 'String!', moods: '[Mood!]', createdAt: 'DateTime' })
    expect(fields('PersonUpdateInput')).toMatchObject({ id: 'Int', email: 'String', fullName: 'String' })
    // A foreign key may be given as its column or as its relation: neither is required alone.
    expect(fields('PostCreateInput')).toMatchObject({ author: 'Int', personByAuthor: 'PersonCreateNestedOneWithoutPostsInput', tagsViaPostTag: 'TagLinkInput' })
    expect(fields('N2faCodeWhereUniqueInput')).toEqual({ personId: 'Int', code: 'String' })
    expect(fields('PersonWhereUniqueInput')).toEqual({ id: 'Int', email: 'String' })
  })
})

describe('inserts into a keyless table', () => {
  it('createX returns the row it wrote; createManyX counts; a rejected value is a typed error; duplicates are allowed', async () => {
    const one = await api.data('mutation { createKeylessLog(data: { loggedAt: "2024-05-01T08:00:00.123456", level: "warn", message: "disk" }) { loggedAt level message } }')
    expect(one.createKeylessLog).toEqual({ loggedAt: '2024-05-01T08:00:00.123456', level: 'warn', message: 'disk' })
    const many = await api.data(`mutation { createManyKeylessLog(data: [{ loggedAt: "2024-05-01T09:00:00", level: "info" }, { loggedAt: "2024-05-01T09:00:00", level: "info" }]) { count } }`)
    expect(many.createManyKeylessLog).toEqual({ count: 2 })
    expect(await rows(`SELECT level, message FROM public.keyless_log WHERE logged_at >= '2024-05-01' ORDER BY logged_at, level`)).toEqual([
      { level: 'warn', message: 'disk' },
      { level: 'info', message: null },
      { level: 'info', message: null },
    ])
    const invalid = await api.query('mutation { createKeylessLog(data: { loggedAt: "2024-13-45T10:00:00", level: "info" }) { level } }')
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_VALUE' })
    expect(JSON.stringify(invalid)).not.toMatch(/INSERT|keyless_log/)
    await sql.query(`DELETE FROM public.keyless_log WHERE logged_at >= '2024-05-01'`)
  })
})

describe('create', () => {
  it('inserts a row with enums, an enum array, a date and a timestamp with microseconds, and returns it', async () => {
    const data = await api.data(`mutation {
      createPerson(data: { email: "new1@example.com", fullName: "New One", mood: happy, moods: [ok, sad],
                           bornOn: "1990-02-03", createdAt: "2024-05-06T07:08:09.123456Z" }) {
        email fullName mood moods bornOn createdAt posts { totalCount } } }`)
    expect(data.createPerson).toEqual({
      email: 'new1@example.com',
      fullName: 'New One',
      mood: 'happy',
      moods: ['ok', 'sad'],
      bornOn: '1990-02-03',
      createdAt: '2024-05-06T07:08:09.123456Z',
      posts: { totalCount: 0 },
    })
    expect(await rows(`SELECT mood::text, moods::text, born_on::text, (created_at AT TIME ZONE 'UTC')::text AS created FROM app.person WHERE email = 'new1@example.com'`)).toEqual([
      { mood: 'happy', moods: '{ok,sad}', born_on: '1990-02-03', created: '2024-05-06 07:08:09.123456' },
    ])
  })

  it('writes every scalar type exactly', async () => {
    const data = await api.data(
      `mutation($data: AllTypeCreateInput!) { createAllType(data: $data) {
        id cBigint cNumeric cBytea cJsonb cJson cIntArray cTextArray cMood cMoodArray cUuid cTime cTimetz cTimestamp cTimestamptz cInterval cDate cBoolean cReal cChar } }`,
      {
        data: {
          id: 10,
          cBigint: '9007199254740993',
          cNumeric: '12345678901234567890.123456789',
          cBytea: Buffer.from([0xde, 0xad, 0x00, 0xff]).toString('base64'),
          cJsonb: { nested: { list: [1, 'two', null] } },
          cJson: [1, 2],
          cIntArray: [3, 2, 1],
          cTextArray: ['with space', 'with,comma'],
          cMood: 'sad',
          cMoodArray: ['happy', 'ok'],
          cUuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
          cTime: '01:02:03.456789',
          cTimetz: '08:00:00',
          cTimestamp: '2024-02-29T13:45:30.123456',
          cTimestamptz: '2024-02-29T13:45:30.123456+01:00',
          cInterval: 'P1DT2H3M4S',
          cDate: '2024-02-29',
          cBoolean: false,
          cReal: 1.5,
          cChar: 'ab',
        },
      },
    )
    expect(data.createAllType).toEqual({
      id: 10,
      cBigint: '9007199254740993',
      cNumeric: '12345678901234567890.123456789',
      cBytea: '3q0A/w==',
      cJsonb: { nested: { list: [1, 'two', null] } },
      cJson: [1, 2],
      cIntArray: [3, 2, 1],
      cTextArray: ['with space', 'with,comma'],
      cMood: 'sad',
      cMoodArray: ['happy', 'ok'],
      cUuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      cTime: '01:02:03.456789',
      cTimetz: '08:00:00+00:00',
      cTimestamp: '2024-02-29T13:45:30.123456',
      cTimestamptz: '2024-02-29T12:45:30.123456Z',
      cInterval: 'P1DT2H3M4S',
      cDate: '2024-02-29',
      cBoolean: false,
      cReal: 1.5,
      cChar: 'ab   ',
    })
    expect(
      await rows(`SELECT c_bigint::text, c_numeric::text, encode(c_bytea, 'hex') AS bytea, c_jsonb::text, c_int_array::text, c_mood_array::text,
                         c_interval::text, (c_timestamptz AT TIME ZONE 'UTC')::text AS tstz FROM public.all_types WHERE id = 10`),
    ).toEqual([
      {
        c_bigint: '9007199254740993',
        c_numeric: '12345678901234567890.123456789',
        bytea: 'dead00ff',
        c_jsonb: '{"nested": {"list": [1, "two", null]}}',
        c_int_array: '{3,2,1}',
        c_mood_array: '{happy,ok}',
        c_interval: '1 day 02:03:04',
        tstz: '2024-02-29 12:45:30.123456',
      },
    ])
  })

  it('a JSON null is SQL NULL', async () => {
    await api.data('mutation { createAllType(data: { id: 11, cJsonb: null, cText: "x" }) { id } }')
    expect(await rows('SELECT c_jsonb IS NULL AS "isNull" FROM public.all_types WHERE id = 11')).toEqual([{ isNull: true }])
  })

  it('creates a parent with new children and connected rows (foreign keys given as columns or relations)', async () => {
    const data = await api.data(`mutation {
      createOrder(data: { id: 100, select: "express", from: "2024-06-01", status: paid, person: { connect: { email: "person3@example.com" } },
        orderLines: { create: [{ lineNo: 1, itemSku: "SKU-001", quantity: 2 }, { lineNo: 2, appItemByItemSku: { connect: { sku: "SKU-004" } }, quantity: 1 }] } }) {
        id status person { id } orderLines { nodes { lineNo quantity appItemByItemSku { name } } } } }`)
    expect(data.createOrder).toEqual({
      id: 100,
      status: 'paid',
      person: { id: 3 },
      orderLines: { nodes: [{ lineNo: 1, quantity: 2, appItemByItemSku: { name: 'Widget' } }, { lineNo: 2, quantity: 1, appItemByItemSku: { name: 'Thingamajig' } }] },
    })
    expect(await rows('SELECT order_id, line_no, item_sku, quantity FROM app.order_line WHERE order_id = 100 ORDER BY line_no')).toEqual([
      { order_id: 100, line_no: 1, item_sku: 'SKU-001', quantity: 2 },
      { order_id: 100, line_no: 2, item_sku: 'SKU-004', quantity: 1 },
    ])
  })

  it('links many-to-many rows through the join table', async () => {
    const data = await api.data(`mutation {
      createPost(data: { title: "Linked", author: 2, tags: ["x"], metadata: { a: 1 }, tagsViaPostTag: { connect: [{ id: 5 }, { label: "prisma" }] } }) {
        id title personByAuthor { fullName } tagsViaPostTag { nodes { id label } } } }`)
    expect(data.createPost.personByAuthor).toEqual({ fullName: 'Alan Turing' })
    expect(data.createPost.tagsViaPostTag.nodes).toEqual([
      { id: 4, label: 'prisma' },
      { id: 5, label: 'unused' },
    ])
    expect(await rows('SELECT tag_id FROM app.post_tag WHERE post_id = $1 ORDER BY tag_id', [data.createPost.id])).toEqual([{ tag_id: 4 }, { tag_id: 5 }])
  })

  it('createMany inserts every row in one statement and says how many', async () => {
    const data = await api.data('mutation { createManyTag(data: [{ id: 20, label: "a20" }, { id: 21, label: "a21" }]) { count } }')
    expect(data.createManyTag).toEqual({ count: 2 })
    const again = await api.data('mutation { createManyTag(data: [{ id: 21, label: "a21" }, { id: 22, label: "a22" }], skipDuplicates: true) { count } }')
    expect(again.createManyTag).toEqual({ count: 1 })
    expect(await rows('SELECT id, label FROM app.tag WHERE id >= 20 ORDER BY id')).toEqual([
      { id: 20, label: 'a20' },
      { id: 21, label: 'a21' },
      { id: 22, label: 'a22' },
    ])
  })

  it('reads the written row back in one statement, relations included', async () => {
    await api.data('mutation { createMessage(data: { id: 100, senderId: 1, recipientId: 2, body: "hi", sentAt: "2024-03-01T00:00:00Z" }) { id sender { fullName } recipient { fullName posts { totalCount } } } }')
    const reads = api.statements.filter((s) => s.includes('unnest('))
    expect(reads).toHaveLength(1)
  })
})

describe('update, upsert and delete', () => {
  it('updates by a composite key', async () => {
    const data = await api.data('mutation { updateN2faCode(where: { personId: 1, code: "123456" }, data: { n1stChoice: "email" }) { personId code n1stChoice expiresAt } }')
    expect(data.updateN2faCode).toEqual({ personId: 1, code: '123456', n1stChoice: 'email', expiresAt: '2024-05-01T10:00:00' })
    expect(await rows(`SELECT "1st_choice" AS c FROM app."2fa_codes" WHERE person_id = 1 AND code = '123456'`)).toEqual([{ c: 'email' }])
  })

  it('updates by a unique key other than the primary key, and a numeric exactly', async () => {
    const data = await api.data('mutation { updatePerson(where: { email: "person4@example.com" }, data: { nickname: "four", mood: null }) { id nickname mood } }')
    expect(data.updatePerson).toEqual({ id: 4, nickname: 'four', mood: null })
    const item = await api.data('mutation { updateAppItem(where: { sku: "SKU-005" }, data: { price: "12345678.99" }) { price } }')
    expect(item.updateAppItem).toEqual({ price: '12345678.99' })
    expect(await rows(`SELECT price::text FROM app.item WHERE sku = 'SKU-005'`)).toEqual([{ price: '12345678.99' }])
  })

  it('connects and disconnects on update: to-one, to-many and many-to-many', async () => {
    const data = await api.data(`mutation {
      updatePost(where: { id: 1 }, data: { personByAuthor: { connect: { id: 5 } }, tagsViaPostTag: { disconnect: [{ id: 1 }], connect: [{ id: 5 }] } }) {
        author tagsViaPostTag { nodes { id } } } }`)
    expect(data.updatePost.author).toBe(5)
    expect(await rows('SELECT tag_id FROM app.post_tag WHERE post_id = 1 ORDER BY tag_id')).toEqual(data.updatePost.tagsViaPostTag.nodes.map((n: { id: number }) => ({ tag_id: n.id })))
    expect(data.updatePost.tagsViaPostTag.nodes.map((n: { id: number }) => n.id)).toContain(5)
    expect(data.updatePost.tagsViaPostTag.nodes.map((n: { id: number }) => n.id)).not.toContain(1)
    const order = await api.data('mutation { updateOrder(where: { id: 1 }, data: { person: { disconnect: true } }) { id personId } }')
    expect(order.updateOrder).toEqual({ id: 1, personId: null })
    const person = await api.data('mutation { updatePerson(where: { id: 2 }, data: { orders: { disconnect: [{ id: 2 }] } }) { orders { totalCount } } }')
    expect(person.updatePerson.orders.totalCount).toBe(0)
    expect(await rows('SELECT person_id FROM app."order" WHERE id IN (1, 2)')).toEqual([{ person_id: null }, { person_id: null }])
  })

  it('upserts on the key and on a unique key: update when the row exists, insert when not', async () => {
    const updated = await api.data('mutation { upsertTag(where: { label: "graphql" }, create: { id: 30, label: "graphql" }, update: { label: "GraphQL" }) { id label } }')
    expect(updated.upsertTag).toEqual({ id: 2, label: 'GraphQL' })
    const created = await api.data('mutation { upsertTag(where: { id: 31 }, create: { id: 31, label: "new31" }, update: { label: "never" }) { id label } }')
    expect(created.upsertTag).toEqual({ id: 31, label: 'new31' })
    expect(await rows('SELECT id, label FROM app.tag WHERE id IN (2, 30, 31) ORDER BY id')).toEqual([
      { id: 2, label: 'GraphQL' },
      { id: 31, label: 'new31' },
    ])
  })

  it('deletes by a composite key and returns the row as it was, with its relations', async () => {
    const data = await api.data('mutation { deleteOrderLine(where: { orderId: 6, lineNo: 3 }) { orderId lineNo quantity order { select } } }')
    expect(data.deleteOrderLine).toEqual({ orderId: 6, lineNo: 3, quantity: 9, order: { select: 'standard' } })
    expect(await rows('SELECT * FROM app.order_line WHERE order_id = 6 AND line_no = 3')).toEqual([])
  })

  it('updateMany and deleteMany change exactly the rows the list filter selects', async () => {
    const where = '{ nickname: { not: "nick1" }, createdAt: { lt: "2024-01-08T00:00:00Z" } }'
    const listed = await api.data(`{ people(where: ${where}) { totalCount } }`)
    const data = await api.data(`mutation { updateManyPerson(where: ${where}, data: { countryCode: "ZZ" }) { count } }`)
    expect(data.updateManyPerson.count).toBe(listed.people.totalCount)
    expect(await rows(`SELECT count(*)::int AS n FROM app.person WHERE country_code = 'ZZ'`)).toEqual([{ n: listed.people.totalCount }])
    const readAt = '{ readAt: { isNull: true }, body: { contains: "#1", mode: INSENSITIVE } }'
    const messages = await api.data(`{ messages(where: ${readAt}) { totalCount } }`)
    const before = await count('app.message')
    const deleted = await api.data(`mutation { deleteManyMessage(where: ${readAt}) { count } }`)
    expect(deleted.deleteManyMessage.count).toBe(messages.messages.totalCount)
    expect(await count('app.message')).toBe(before - messages.messages.totalCount)
  })
})

describe('errors', () => {
  it('unique violation: which key', async () => {
    const error = errorOf(await api.query('mutation { createPerson(data: { email: "PERSON1@example.com", fullName: "Dup" }) { id } }'))
    expect(error.extensions).toEqual({ code: 'UNIQUE_VIOLATION', type: 'Person', constraint: 'person_email_key', fields: ['email'] })
  })

  it('foreign key violation: which relation, on insert and on delete', async () => {
    const insert = errorOf(await api.query('mutation { createOrderLine(data: { orderId: 999, lineNo: 1, itemSku: "SKU-001", quantity: 1 }) { orderId } }'))
    expect(insert.extensions).toEqual({ code: 'FOREIGN_KEY_VIOLATION', type: 'OrderLine', constraint: 'order_line_order_id_fkey', relation: 'OrderLine.order', fields: ['orderId'], references: 'Order' })
    const remove = errorOf(await api.query('mutation { deletePerson(where: { id: 7 }) { id } }'))
    expect(remove.extensions).toMatchObject({ code: 'FOREIGN_KEY_VIOLATION', type: 'Person', relation: 'Post.personByAuthor' })
    expect(await rows('SELECT id FROM app.person WHERE id = 7')).toEqual([{ id: 7 }])
  })

  it('not null: from the input, and from the database', async () => {
    const input = errorOf(await api.query('mutation { updateEmployee(where: { id: 1 }, data: { name: null }) { id } }'))
    expect(input.extensions).toMatchObject({ code: 'NOT_NULL_VIOLATION', field: 'name' })
    const database = errorOf(await api.query('mutation { createGadget(data: { name: "x" }) { id } }'))
    expect(database.extensions).toMatchObject({ code: 'NOT_NULL_VIOLATION', type: 'Gadget', field: 'parts' })
  })

  it('check violation: which constraint', async () => {
    const error = errorOf(await api.query('mutation { createOrderLine(data: { orderId: 1, lineNo: 9, itemSku: "SKU-001", quantity: 0 }) { orderId } }'))
    expect(error.extensions).toEqual({ code: 'CHECK_VIOLATION', type: 'OrderLine', constraint: 'order_line_quantity_check', fields: ['quantity'] })
  })

  it('value too long, invalid value, generated column, not found', async () => {
    expect(errorOf(await api.query('mutation { updatePerson(where: { id: 1 }, data: { countryCode: "ABC" }) { id } }')).extensions).toMatchObject({ code: 'VALUE_TOO_LONG' })
    const invalid = errorOf(await api.query('mutation { createGadget(data: { name: "x", parts: [], took: "bogus" }) { id } }'))
    expect(invalid).toMatchObject({ message: 'a value was rejected: invalid input syntax for type interval: "bogus"', extensions: { code: 'INVALID_VALUE' } })
    // Generated and identity-ALWAYS columns are not in the inputs at all: writing one is refused before anything runs.
    const generated = await api.query('mutation { createGadget(data: { name: "x", parts: [], nameLength: 3 }) { id } }')
    expect(generated.errors?.[0]?.message).toMatch(/Field "nameLength" is not defined by type "GadgetCreateInput"/)
    const inputs = api.gateway.schema.getType('GadgetCreateInput') as GraphQLInputObjectType
    expect(Object.keys(inputs.getFields()).sort()).toEqual(['name', 'parts', 'took'])
    expect(Object.keys((api.gateway.schema.getType('GadgetUpdateInput') as GraphQLInputObjectType).getFields()).sort()).toEqual(['name', 'parts', 'took'])
    expect(errorOf(await api.query('mutation { updateTag(where: { id: 999 }, data: { label: "z" }) { id } }')).extensions).toMatchObject({ code: 'NOT_FOUND', type: 'Tag' })
    expect(errorOf(await api.query('mutation { deleteTag(where: { id: 999 }) { id } }')).extensions).toMatchObject({ code: 'NOT_FOUND', type: 'Tag' })
    expect(errorOf(await api.query('mutation { updateTag(where: {}, data: { label: "z" }) { id } }')).extensions).toMatchObject({ code: 'BAD_USER_INPUT' })
    expect(await count('public.gadget')).toBe(0)
  })

  it('an enum value that is not one is refused before anything runs', async () => {
    const result = await api.query('mutation { createPerson(data: { email: "e@e", fullName: "E", mood: angry }) { id } }')
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED')
    expect(api.statements).toEqual([])
  })

  it('serialization failures, deadlocks and invalid enum labels map to their codes', async () => {
    const driverError = (originalCode: string, originalMessage: string) => ({ name: 'PrismaClientKnownRequestError', code: 'P2039', meta: { driverAdapterError: { cause: { originalCode, originalMessage } } } })
    const lookup = async () => undefined
    const datamodel = api.gateway.datamodel
    for (const code of ['40001', '40P01']) {
      const error = (await toMutationError(driverError(code, 'could not serialize access'), datamodel, lookup)) as { message: string; extensions: Record<string, unknown> }
      expect(error.extensions).toEqual({ code: 'SERIALIZATION_FAILURE', retry: true })
      expect(error.message).toMatch(/retry/)
    }
    const enumError = (await toMutationError(driverError('22P02', 'invalid input value for enum app.mood: "angry"'), datamodel, lookup)) as { extensions: Record<string, unknown> }
    expect(enumError.extensions).toMatchObject({ code: 'INVALID_ENUM_VALUE' })
  })

  it('rolls back the whole mutation: a parent whose second child fails leaves both tables unchanged', async () => {
    const [orders, lines] = [await count('app."order"'), await count('app.order_line')]
    const error = errorOf(
      await api.query(`mutation { createOrder(data: { id: 200, select: "x", from: "2024-01-01",
        orderLines: { create: [{ lineNo: 1, itemSku: "SKU-001", quantity: 1 }, { lineNo: 2, itemSku: "SKU-001", quantity: -1 }] } }) { id } }`),
    )
    expect(error.extensions?.code).toBe('CHECK_VIOLATION')
    expect([await count('app."order"'), await count('app.order_line')]).toEqual([orders, lines])
    expect(await rows('SELECT id FROM app."order" WHERE id = 200')).toEqual([])
  })

  it('runs several mutation fields in order, each atomic, each with its own result or error', async () => {
    const result = await api.query(`mutation {
      a: createTag(data: { id: 40, label: "forty" }) { id }
      b: createTag(data: { id: 41, label: "forty" }) { id }
      c: updateTag(where: { id: 40 }, data: { label: "forty!" }) { id label } }`)
    expect(result.data).toEqual({ a: { id: 40 }, b: null, c: { id: 40, label: 'forty!' } })
    expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['b'], 'UNIQUE_VIOLATION']])
    expect(await rows('SELECT id, label FROM app.tag WHERE id IN (40, 41)')).toEqual([{ id: 40, label: 'forty!' }])
  })
})

describe('idempotency keys', () => {
  it('a retried create with the same key returns the first row and writes once', async () => {
    const create = 'mutation { createPerson(data: { email: "idem@example.com", fullName: "Idem" }, idempotencyKey: "retry-1") { id email } }'
    const first = await api.data(create)
    const second = await api.data(create)
    expect(second).toEqual(first)
    expect(await rows(`SELECT count(*)::int AS n FROM app.person WHERE email = 'idem@example.com'`)).toEqual([{ n: 1 }])
  })

  it('the Idempotency-Key header works the same way', async () => {
    const send = async () => {
      const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'header-1' },
        body: JSON.stringify({ query: 'mutation { createTag(data: { id: 50, label: "fifty" }) { id label } }' }),
      })
      return response.json()
    }
    const first = await send()
    expect(first).toEqual({ data: { createTag: { id: 50, label: 'fifty' } } })
    expect(await send()).toEqual(first)
    expect(await count('app.tag WHERE id = 50')).toBe(1)
  })

  it('a key reused with other arguments is an error', async () => {
    await api.data('mutation { createTag(data: { id: 51, label: "fifty-one" }, idempotencyKey: "reuse") { id } }')
    const error = errorOf(await api.query('mutation { createTag(data: { id: 52, label: "fifty-two" }, idempotencyKey: "reuse") { id } }'))
    expect(error.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED')
  })

  it('a failed create forgets its key; keys expire after the window', async () => {
    const short = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'], idempotencyWindowMs: 400 })
    try {
      // id 53 taken: the create fails, and its key is not kept.
      await api.data('mutation { createTag(data: { id: 53, label: "taken" }) { id } }')
      const failed = await short.query('mutation { createTag(data: { id: 53, label: "taken" }, idempotencyKey: "expiring") { id } }')
      expect(errorOf(failed).extensions?.code).toBe('UNIQUE_VIOLATION')
      await sql.query('DELETE FROM app.tag WHERE id = 53')
      const create = 'mutation { createTag(data: { id: 53, label: "taken" }, idempotencyKey: "expiring") { id } }'
      expect(await short.data(create)).toEqual({ createTag: { id: 53 } })
      expect(await short.data(create)).toEqual({ createTag: { id: 53 } })
      expect(await count('app.tag WHERE id = 53')).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 500))
      // Expired: the same create writes again (and meets its own row).
      expect(errorOf(await short.query(create)).extensions?.code).toBe('UNIQUE_VIOLATION')
    } finally {
      await short.close()
    }
  })

  it('keys live in PostgreSQL: another gateway replays them, and concurrent same-key creates write once', async () => {
    const other = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'] })
    try {
      const create = 'mutation { createPerson(data: { email: "shared@example.com", fullName: "Shared" }, idempotencyKey: "shared-1") { id email fullName } }'
      const answers = await Promise.all([api.query(create), other.query(create), api.query(create), other.query(create)])
      const [person] = await rows(`SELECT id, email, full_name AS "fullName" FROM app.person WHERE email = 'shared@example.com'`)
      for (const answer of answers) expect(answer).toEqual({ data: { createPerson: person } })
      expect(await count(`app.person WHERE email = 'shared@example.com'`)).toBe(1)
      // Stored as hashes, with the written row's key.
      const stored = await rows(`SELECT key, arguments, result FROM portico.idempotency_keys WHERE result = $1`, [JSON.stringify([String(person.id)])])
      expect(stored).toHaveLength(1)
      expect(stored[0].key).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      await other.close()
    }
  })
})

describe('read-only mode', () => {
  it('has no Mutation type at all', async () => {
    const readOnly = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'], readOnly: true })
    try {
      expect(readOnly.gateway.schema.getMutationType()).toBeUndefined()
      const result = await readOnly.query('mutation { createTag(data: { id: 60, label: "x" }) { id } }')
      expect(result.errors?.[0]?.message).toMatch(/mutation/i)
      expect(await count('app.tag WHERE id = 60')).toBe(0)
    } finally {
      await readOnly.close()
    }
  })
})

describe('bulk writes that cannot empty a table by accident', () => {
  const gadgets = async () => rows('SELECT id, name, took::text FROM public.gadget ORDER BY id')

  it('refuses updateMany/deleteMany with an absent or empty where, writing nothing', async () => {
    await sql.query(`INSERT INTO public.gadget (name, parts) VALUES ('g1', '{a}'), ('g2', '{b}'), ('g3', '{c}')`)
    const before = await gadgets()
    const tags = await count('app.tag')
    expect(before).toHaveLength(3)
    for (const where of ['', '(where: {})', '(where: null)', '(where: { AND: [{}] })', '(where: { AND: [] })', '(where: { name: {} })', '(where: { NOT: {} })', '(where: { OR: [{}, { name: { equals: "g1" } }] })', '(all: false)']) {
      const deleted = errorOf(await api.query(`mutation { deleteManyGadget${where} { count } }`))
      expect(deleted.message).toBe('deleteManyGadget has no filter and would delete every Gadget row: give a where that selects rows, or all: true to delete them all')
      expect(deleted.extensions).toEqual({ code: 'UNFILTERED_BULK_WRITE', type: 'Gadget' })
      const args = where === '' ? '(data: { name: "x" })' : where.replace(')', ', data: { name: "x" })')
      const updated = errorOf(await api.query(`mutation { updateManyGadget${args} { count } }`))
      expect(updated.message).toBe('updateManyGadget has no filter and would update every Gadget row: give a where that selects rows, or all: true to update them all')
    }
    expect(errorOf(await api.query('mutation { deleteManyTag(where: {}) { count } }')).extensions?.code).toBe('UNFILTERED_BULK_WRITE')
    expect(await gadgets()).toEqual(before)
    expect(await count('app.tag')).toBe(tags)
  })

  it('a where that matches nothing is a filter; all: true with a filter is refused', async () => {
    expect(await api.data('mutation { deleteManyGadget(where: { OR: [] }) { count } }')).toEqual({ deleteManyGadget: { count: 0 } })
    const both = errorOf(await api.query('mutation { deleteManyGadget(where: { name: { equals: "g1" } }, all: true) { count } }'))
    expect(both.message).toBe('deleteManyGadget: give either a where that selects rows or all: true, not both')
    expect(both.extensions?.code).toBe('BAD_USER_INPUT')
    expect(await gadgets()).toHaveLength(3)
  })

  it('all: true writes every row, an empty where beside it included', async () => {
    const updated = await api.data('mutation { updateManyGadget(where: {}, all: true, data: { took: "PT1M" }) { count } }')
    expect(updated).toEqual({ updateManyGadget: { count: 3 } })
    expect((await gadgets()).map((g) => g.took)).toEqual(['00:01:00', '00:01:00', '00:01:00'])
    expect(await api.data('mutation { deleteManyGadget(all: true) { count } }')).toEqual({ deleteManyGadget: { count: 3 } })
    expect(await gadgets()).toEqual([])
  })

  it('allowUnfilteredBulkWrites lets an empty where write every row; limits.maxBulkRows rolls back a larger write', async () => {
    await sql.query(`INSERT INTO public.gadget (name, parts) VALUES ('h1', '{a}'), ('h2', '{b}'), ('h3', '{c}')`)
    const allowed = await startTestGateway(db.url, { schemas: ['app', 'audit', 'public'], allowUnfilteredBulkWrites: true, limits: { maxBulkRows: 2 } })
    try {
      const over = errorOf(await allowed.query('mutation { updateManyGadget(where: {}, data: { name: "renamed" }) { count } }'))
      expect(over.message).toBe('updateManyGadget would update 3 Gadget rows, more than limits.maxBulkRows (2): nothing was written; narrow the where, or raise the limit')
      expect(over.extensions).toEqual({ code: 'BULK_LIMIT_EXCEEDED', type: 'Gadget', count: 3, maxBulkRows: 2 })
      expect(errorOf(await allowed.query('mutation { deleteManyGadget { count } }')).extensions).toEqual({ code: 'BULK_LIMIT_EXCEEDED', type: 'Gadget', count: 3, maxBulkRows: 2 })
      expect((await gadgets()).map((g) => g.name)).toEqual(['h1', 'h2', 'h3'])
      expect(await allowed.data('mutation { updateManyGadget(where: { name: { in: ["h1", "h2"] } }, data: { name: "two" }) { count } }')).toEqual({ updateManyGadget: { count: 2 } })
      expect(await allowed.data('mutation { deleteManyGadget(where: { name: { equals: "h3" } }) { count } }')).toEqual({ deleteManyGadget: { count: 1 } })
      expect(await allowed.data('mutation { deleteManyGadget(where: {}) { count } }')).toEqual({ deleteManyGadget: { count: 2 } })
      expect(await gadgets()).toEqual([])
    } finally {
      await allowed.close()
    }
  })
})
