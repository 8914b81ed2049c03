/**
 * Names you choose, and names that would collide (issue 11): smart tags in comments and in the
 * config rename, hide and deprecate; two database objects that would get one GraphQL name stop
 * start-up with a message naming both, never a crash or a silent overwrite; a bad tag is a clear
 * error. Each case is its own small database.
 */
import { printSchema } from 'graphql'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import type { ConfigInput } from '../src/config/config.js'

// Every test starts its own database and gateway: the blocks run side by side (start-up is mostly waiting).
const open: { db: TestDatabase; api?: TestGateway }[] = []
afterAll(async () => {
  for (const { db, api } of open) {
    await api?.close()
    await db.drop()
  }
})

async function start(sql: string | string[], config: Partial<ConfigInput> = {}): Promise<TestGateway> {
  const db = await createTestDatabase('names', sql)
  const entry: { db: TestDatabase; api?: TestGateway } = { db }
  open.push(entry)
  entry.api = await startTestGateway(db.url, { schemas: ['public'], ...config })
  return entry.api
}

/** The error start-up stops with. */
async function startupError(sql: string, config: Partial<ConfigInput> = {}): Promise<string> {
  const error = await start(sql, config).then(
    () => undefined,
    (e: Error) => e,
  )
  expect(error, 'start-up should have failed').toBeInstanceOf(Error)
  expect(error!.name).toBe('ModelError')
  return error!.message
}

describe.concurrent('collisions are clear start-up errors naming both sources', () => {
  it('a table whose type name is another table connection type', async () => {
    const message = await startupError(`CREATE TABLE film (id int PRIMARY KEY); CREATE TABLE film_connection (id int PRIMARY KEY);`)
    expect(message).toMatch(/"FilmConnection"/)
    expect(message).toMatch(/public\.film_connection/)
    expect(message).toMatch(/connection type of table public\.film\b/)
  })

  it('two tables with one type name', async () => {
    const message = await startupError(`CREATE TABLE person (id int PRIMARY KEY); CREATE TABLE persons (id int PRIMARY KEY);`)
    expect(message).toMatch(/public\.person\b.*public\.persons|public\.persons.*public\.person\b/)
    expect(message).toMatch(/"Person"/)
  })

  it('two columns with one field name', async () => {
    const message = await startupError(`CREATE TABLE place (id int PRIMARY KEY, "zip code" text, zip_code text);`)
    expect(message).toMatch(/column "zip code"/)
    expect(message).toMatch(/column "zip_code"/)
    expect(message).toMatch(/"zipCode"/)
  })

  it('a table named like a scalar filter input', async () => {
    const message = await startupError(`CREATE TABLE int_filter (id int PRIMARY KEY);`)
    expect(message).toMatch(/"IntFilter"/)
    expect(message).toMatch(/public\.int_filter/)
  })

  it('@name resolves a collision', async () => {
    const api = await start(`CREATE TABLE film (id int PRIMARY KEY); CREATE TABLE film_connection (id int PRIMARY KEY);
      COMMENT ON TABLE film_connection IS '@name FilmLink'; INSERT INTO film_connection VALUES (7);`)
    expect(await api.data('{ filmLinks { nodes { id } } filmLink(id: 7) { id } }')).toEqual({ filmLinks: { nodes: [{ id: 7 }] }, filmLink: { id: 7 } })
  })
})

describe.concurrent('bad smart tags are clear errors', () => {
  it('an @omit action that does not exist', async () => {
    expect(await startupError(`CREATE TABLE t (id int PRIMARY KEY, a text); COMMENT ON COLUMN t.a IS '@omit reed';`)).toMatch(/public\.t\.a: @omit reed is not an action/)
  })

  it('a declared key naming a missing column', async () => {
    expect(await startupError(`CREATE TABLE t (a int); COMMENT ON TABLE t IS '@primaryKey b';`)).toMatch(/public\.t names column "b", which it does not have/)
  })

  it('a declared key over a nullable column of a table', async () => {
    expect(await startupError(`CREATE TABLE t (a int); COMMENT ON TABLE t IS '@primaryKey a';`)).toMatch(/"a", which may be NULL/)
  })

  it('a declared foreign key to a table that is not served', async () => {
    expect(await startupError(`CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t; COMMENT ON VIEW v IS '@foreignKey (a) references nowhere (x)';`)).toMatch(/refers to public\.nowhere/)
  })

  it('a declared foreign key with a syntax error', async () => {
    expect(await startupError(`CREATE TABLE t (a int PRIMARY KEY); CREATE VIEW v AS SELECT a FROM t; COMMENT ON VIEW v IS '@foreignKey a references t';`)).toMatch(
      /write @foreignKey \(a, b\) references schema\.table \(x, y\)/,
    )
  })
})

describe.concurrent('smart tags in the config', () => {
  const SCHEMA = `CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL, secret text, legacy text);
    CREATE TABLE book (id int PRIMARY KEY, author_id int NOT NULL REFERENCES author (id), title text NOT NULL);
    INSERT INTO author VALUES (1, 'Ann', 's', 'l'); INSERT INTO book VALUES (1, 1, 'One'), (2, 1, 'Two');`

  it('rename tables and both sides of a foreign key, hide and deprecate columns, and override comments', async () => {
    const api = await start([SCHEMA, `COMMENT ON COLUMN author.legacy IS '@name oldStuff'`], {
      smartTags: {
        tables: { 'public.author': { name: 'Writer' } },
        columns: { 'public.author.secret': { omit: true }, 'public.author.legacy': { name: 'formerly', deprecated: 'Use name.' } },
        constraints: { 'public.book.book_author_id_fkey': { fieldName: 'writer', foreignFieldName: 'works' } },
      },
    })
    const sdl = printSchema(api.gateway.schema)
    expect(sdl).not.toMatch(/secret/)
    expect(sdl).toMatch(/formerly: String @deprecated\(reason: "Use name\."\)/)
    expect(await api.data('{ writer(id: 1) { name formerly works { nodes { title writer { name } } } } }')).toEqual({
      writer: { name: 'Ann', formerly: 'l', works: { nodes: [{ title: 'One', writer: { name: 'Ann' } }, { title: 'Two', writer: { name: 'Ann' } }] } },
    })
  })

  it('a name in the config that matches nothing is a warning, not an error', async () => {
    const api = await start(SCHEMA, { smartTags: { columns: { 'public.author.nope': { omit: true } } } })
    expect(await api.data('{ author(id: 1) { name } }')).toEqual({ author: { name: 'Ann' } })
  })
})

describe.concurrent('the project test database', () => {
  it('serves every column (none left out)', async () => {
    const api = await start(readFixtureSql('portico-test.sql'), { schemas: ['app', 'audit', 'public'] })
    expect(api.gateway.datamodel.leftOut).toEqual([])
  })
})

describe.concurrent('deprecations', () => {
  it('@deprecated on a table deprecates its root fields; on a foreign key, both sides of the relation', async () => {
    const api = await start(`CREATE TABLE old_thing (id int PRIMARY KEY); CREATE TABLE part (id int PRIMARY KEY, thing_id int REFERENCES old_thing (id));
      COMMENT ON TABLE old_thing IS E'@deprecated Use part.\\nA thing'; COMMENT ON CONSTRAINT part_thing_id_fkey ON part IS '@deprecated Parts stand alone.';`)
    const query = api.gateway.schema.getQueryType()!.getFields()
    expect(query.oldThing!.deprecationReason).toBe('Use part.')
    expect(query.oldThings!.deprecationReason).toBe('Use part.')
    const fields = (type: string) => (api.gateway.schema.getType(type) as any).getFields()
    expect(fields('Part').thing.deprecationReason).toBe('Parts stand alone.')
    expect(fields('OldThing').parts.deprecationReason).toBe('Parts stand alone.')
  })
})

describe.concurrent('@omit for some actions only', () => {
  it('keeps a column out of filters, order, aggregates or inputs as asked, and a table out of mutations', async () => {
    const api = await start(`CREATE TABLE item (id int PRIMARY KEY, price numeric NOT NULL DEFAULT 1, note text, secret_rank int);
      COMMENT ON COLUMN item.price IS '@omit filter,order'; COMMENT ON COLUMN item.note IS '@omit create,update';
      COMMENT ON COLUMN item.secret_rank IS '@omit aggregate'; CREATE TABLE log (id int PRIMARY KEY, line text);
      COMMENT ON TABLE log IS '@omit create,update,delete'; INSERT INTO item VALUES (1, 2.5, 'n', 3);`)
    const fields = (type: string) => Object.keys((api.gateway.schema.getType(type) as any)?.getFields() ?? {})
    expect(fields('Item')).toEqual(expect.arrayContaining(['price', 'note', 'secretRank']))
    expect(fields('ItemFilter')).not.toContain('price')
    expect(fields('ItemOrderBy')).not.toContain('price')
    expect(fields('ItemFilter')).toContain('note')
    expect(fields('ItemCreateInput')).not.toContain('note')
    expect(fields('ItemUpdateInput')).not.toContain('note')
    expect(fields('ItemSumAggregates')).toEqual(['id', 'price'])
    expect(fields('ItemGroupKey')).not.toContain('secretRank')
    const mutations = fields('Mutation')
    expect(mutations).toContain('createItem')
    expect(mutations.filter((m) => /Log$/.test(m))).toEqual([])
    expect(await api.data('{ item(id: 1) { price note secretRank } items { aggregates { sum { price } } } }')).toEqual({
      item: { price: '2.5', note: 'n', secretRank: 3 },
      items: { aggregates: { sum: { price: '2.5' } } },
    })
  })
})
