/**
 * PostgreSQL functions in the API (issue 12), on the project's test database
 * (test/fixtures/portico-test.sql, section "Functions"): root queries of every result kind,
 * mutations, computed fields (in selections, `where` and `orderBy`), what is left out and logged,
 * EXECUTE privileges, and statement counts. Every answer is compared with the SQL call's answer.
 */
import { Writable } from 'node:stream'
import type { GraphQLObjectType } from 'graphql'
import { SignJWT } from 'jose'
import pg from 'pg'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { createGateway } from '../src/gateway.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { bothPaths, FIELD_BY_FIELD, useProjectDatabase } from './support/project-database.js'
import { LOCAL_ADMIN_URL, testServer } from './support/test-database.js'

const SCHEMAS = ['app', 'audit', 'public']
const project = useProjectDatabase('functions', {
  config: { schemas: SCHEMAS },
  // The API's forms of intervals and timestamps, for comparing with SQL.
  onConnect: (sql) => sql.query(`SET IntervalStyle = iso_8601; SET TimeZone = 'UTC'`),
})

/** PostgreSQL's text of a timestamptz in the API's form (`...Z`). */
const utc = (column: string) => `replace(to_json(${column}) #>> '{}', '+00:00', 'Z')`

const fieldType = (parent: 'Query' | 'Mutation' | string, field: string) => {
  const type = project.api.gateway.schema.getType(parent) as GraphQLObjectType
  const def = type.getFields()[field]!
  return { type: String(def.type), args: Object.fromEntries(def.args.map((a) => [a.name, String(a.type)])) }
}

describe('what each function becomes', () => {
  it('types root fields and their arguments as the functions declare them', () => {
    expect(fieldType('Query', 'postCount')).toEqual({ type: 'BigInt', args: { onlyPublished: 'Boolean' } })
    // STRICT: arguments without defaults are required and non-null.
    expect(fieldType('Query', 'addDays')).toEqual({ type: 'Date', args: { d: 'Date!', n: 'Int!' } })
    expect(fieldType('Query', 'multiply')).toEqual({ type: 'Decimal', args: { arg0: 'Decimal!', arg1: 'Decimal!' } })
    expect(fieldType('Query', 'tagLabels')).toEqual({ type: '[String]', args: {} })
    expect(fieldType('Query', 'findPerson')).toEqual({ type: 'Person', args: { e: 'String' } })
    expect(fieldType('Query', 'peopleBornAfter')).toEqual({
      type: 'PersonConnection!',
      args: { d: 'Date', first: 'Int', last: 'Int', after: 'String', before: 'String', where: 'PersonFilter', orderBy: '[PersonOrderBy!]', offset: 'Int' },
    })
    expect(fieldType('Query', 'postIdsBy')).toEqual({ type: '[BigInt]!', args: { authorId: 'Int' } })
    expect(fieldType('Query', 'moodCounts')).toEqual({ type: '[MoodCountsRecord!]!', args: {} })
    expect(fieldType('MoodCountsRecord', 'mood').type).toBe('Mood')
    expect(fieldType('MoodCountsRecord', 'since').type).toBe('DateTime')
    expect(fieldType('Query', 'orderTotals')).toEqual({ type: 'OrderTotalsRecord', args: { orderId: 'Int' } })
    expect(fieldType('Query', 'itemPriceRange')).toEqual({ type: 'PriceRange', args: { inStockOnly: 'Boolean' } })
    expect(fieldType('Query', 'shiftLength')).toEqual({ type: 'Interval', args: { starts: 'LocalDateTime', ends: 'LocalDateTime' } })
    expect(fieldType('Query', 'countMood')).toEqual({ type: 'Int', args: { m: 'Mood' } })
    expect(fieldType('Query', 'shortName').type).toBe('String')
    // Mutations (VOLATILE): nullable results, as every mutation field's.
    expect(fieldType('Mutation', 'publishPost')).toEqual({ type: 'Post', args: { postId: 'BigInt!' } })
    expect(fieldType('Mutation', 'setItemPrice')).toEqual({ type: 'Boolean', args: { skuOfItem: 'String!', newPrice: 'Decimal!' } })
    expect(fieldType('Mutation', 'raiseSalaries')).toEqual({ type: '[Employee!]', args: { percent: 'Decimal!' } })
    // Computed fields.
    expect(fieldType('Person', 'postCount')).toEqual({ type: 'Int', args: {} })
    expect(fieldType('Person', 'initials')).toEqual({ type: 'String', args: { sep: 'String' } })
    expect(fieldType('Person', 'recentPosts').type).toBe('PostConnection!')
    expect(fieldType('Employee', 'topManager').type).toBe('Employee')
    expect(fieldType('Post', 'titleWords').type).toBe('[String]')
    expect(Object.keys((project.api.gateway.schema.getType('PersonFilter') as any).getFields())).toContain('postCount')
    expect(Object.keys((project.api.gateway.schema.getType('PersonOrderBy') as any).getFields())).toContain('postCount')
    expect(Object.keys((project.api.gateway.schema.getType('PostOrderBy') as any).getFields())).toContain('publishedDay')
    expect(Object.keys((project.api.gateway.schema.getType('PostFilter') as any).getFields())).not.toContain('publishedDay')
    expect(Object.keys((project.api.gateway.schema.getType('PersonFilter') as any).getFields())).not.toContain('initials')
  })

  it('leaves out overloaded, variadic and polymorphic functions, procedures and types it cannot carry, one reason each; @omit silently', () => {
    expect(project.api.gateway.datamodel.leftOutFunctions).toEqual([
      { function: 'app.anything()', reason: 'it returns record, which Portico cannot serve' },
      { function: 'app.describe_person(app.person)', reason: 'it takes a row of app.person but its name does not start with person_ (a computed field is named <table>_<field>)' },
      { function: 'app.first_of(anyarray)', reason: 'polymorphic (anyarray)' },
      { function: 'app.price_range_of(app.price_range)', reason: 'argument r is of type app.price_range, which Portico cannot take' },
      { function: 'app.reset_counts()', reason: 'a procedure (called with CALL, not in a query)' },
      { function: 'app.sum_all(integer[])', reason: 'variadic (VARIADIC arguments)' },
      { function: 'app.twice(integer)', reason: 'overloaded: several functions are named app.twice (a GraphQL field cannot be overloaded; @omit all but one, or rename them)' },
      { function: 'app.twice(text)', reason: 'overloaded: several functions are named app.twice (a GraphQL field cannot be overloaded; @omit all but one, or rename them)' },
    ])
    const query = Object.keys(project.api.gateway.schema.getQueryType()!.getFields())
    for (const absent of ['internalHelper', 'twice', 'sumAll', 'firstOf', 'resetCounts', 'describePerson', 'anything', 'fnWithALongName']) expect(query).not.toContain(absent)
  })

  it('logs one warning per function left out, naming it and why', async () => {
    const lines: string[] = []
    const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(...String(chunk).trim().split('\n')), done()) })
    const gateway = await createGateway({
      databaseUrl: project.db.url,
      config: loadConfig({ env: {}, file: undefined, cwd: '/nonexistent', flags: { logLevel: 'warn', schemas: SCHEMAS } }),
      logger: pino({ level: 'warn' }, sink),
      onProgress: () => {},
    })
    await gateway.close()
    const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => entry.function)
    expect(warnings.map((w) => w.msg)).toEqual(project.api.gateway.datamodel.leftOutFunctions.map((f) => `function ${f.function} is not served: ${f.reason}`))
    expect(warnings.every((w) => w.level === 40)).toBe(true)
  })
})

describe('root queries', () => {
  it('answers scalars, arrays, defaults, STRICT and unnamed arguments as the SQL calls do, on both paths', async () => {
    const data = await bothPaths(
      project.api,
      `all: postCount published: postCount(onlyPublished: true) addDays(d: "2024-02-28", n: 2) multiply(arg0: "1.50", arg1: "-2")
       tagLabels shiftLength(starts: "2024-01-01T00:00:00", ends: "2024-01-02T01:30:00") countMood(m: happy) none: countMood(m: null) shortName`,
    )
    const [sql] = await project.rows(`SELECT app.post_count()::text AS "all", app.post_count(true)::text AS published, to_char(app.add_days('2024-02-28', 2), 'YYYY-MM-DD') AS "addDays",
      app.multiply(1.50, -2)::text AS multiply, app.tag_labels() AS "tagLabels", app.shift_length('2024-01-01 00:00', '2024-01-02 01:30')::text AS "shiftLength",
      app.count_mood('happy') AS "countMood", app.count_mood(NULL) AS none, app.fn_with_a_long_name() AS "shortName"`)
    expect(data).toEqual(sql)
    expect(data.shiftLength).toBe('P1DT1H30M')
    expect(data.multiply).toBe('-3.00')
  })

  it('refuses a null for a STRICT argument before any SQL', async () => {
    const result = await project.api.query('{ addDays(d: "2024-01-01", n: null) }')
    expect(result.errors?.[0]?.message).toMatch(/Expected value of type "Int!", found null/)
    expect(project.api.statements).toHaveLength(0)
  })

  it('answers a row type with its relations and computed fields, or null', async () => {
    const data = await bothPaths(
      project.api,
      `ada: findPerson(e: "PERSON1@example.com") { id fullName mood postCount initials posts { totalCount nodes { id title } } }
       nobody: findPerson(e: "nobody@example.com") { id }`,
    )
    const [ada] = await project.rows(`SELECT id, full_name AS "fullName", mood::text AS mood, app.person_post_count(p) AS "postCount", app.person_initials(p) AS initials
      FROM app.find_person('PERSON1@example.com') p`)
    const posts = await project.rows(`SELECT id::text, title FROM app.post WHERE author = $1 ORDER BY id`, [ada.id])
    expect(data).toEqual({ ada: { ...ada, posts: { totalCount: posts.length, nodes: posts } }, nobody: null })
  })

  it('answers SETOF a table as a connection: the function order, where, orderBy, offset pages, totalCount and aggregates', async () => {
    const all = await project.rows(`SELECT id, born_on::text AS "bornOn", app.person_post_count(p) AS "postCount" FROM app.people_born_after('1960-01-01') p`)
    expect(all.length).toBeGreaterThan(4)
    const natural = await bothPaths(project.api, `peopleBornAfter(d: "1960-01-01") { totalCount nodes { id bornOn postCount } }`)
    expect(natural.peopleBornAfter).toEqual({ totalCount: all.length, nodes: all })

    const query = `peopleBornAfter(d: "1960-01-01", first: 2, offset: 1, where: { postCount: { gte: 1 } }, orderBy: [{ postCount: DESC }, { bornOn: ASC }]) {
      totalCount aggregates { count max { bornOn } } pageInfo { hasNextPage hasPreviousPage } nodes { id } }`
    const page = await bothPaths(project.api, query)
    const matching = await project.rows(`SELECT id, born_on::text AS "bornOn" FROM app.people_born_after('1960-01-01') p
      WHERE app.person_post_count(p) >= 1 ORDER BY app.person_post_count(p) DESC, born_on ASC, id`)
    expect(page.peopleBornAfter).toEqual({
      totalCount: matching.length,
      aggregates: { count: matching.length, max: { bornOn: matching.map((r) => r.bornOn).sort().at(-1) } },
      pageInfo: { hasNextPage: matching.length > 3, hasPreviousPage: true },
      nodes: matching.slice(1, 3).map((r) => ({ id: r.id })),
    })
  })

  it('pages SETOF rows with offset cursors until the end', async () => {
    const all = await project.rows(`SELECT id FROM app.people_born_after('1950-01-01')`)
    const seen: number[] = []
    let after: string | null = null
    for (let page = 0; page < 20; page++) {
      const data: any = await project.api.data(`query ($after: String) { peopleBornAfter(d: "1950-01-01", first: 3, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } } }`, { after })
      seen.push(...data.peopleBornAfter.nodes.map((n: { id: number }) => n.id))
      if (!data.peopleBornAfter.pageInfo.hasNextPage) break
      after = data.peopleBornAfter.pageInfo.endCursor
    }
    expect(seen).toEqual(all.map((r) => r.id))
  })

  it('answers SETOF scalars, RETURNS TABLE, OUT parameters and composite types as the SQL calls do', async () => {
    const data = await bothPaths(
      project.api,
      `postIdsBy(authorId: 2) moodCounts { mood people since } orderTotals(orderId: 6) { lines quantity } noLines: orderTotals(orderId: 999) { lines quantity }
       itemPriceRange { low high items } everyItem: itemPriceRange(inStockOnly: false) { low high items }`,
    )
    const ids = await project.rows(`SELECT x::text AS id FROM app.post_ids_by(2) x`)
    const moods = await project.rows(`SELECT mood::text AS mood, people, ${utc('since')} AS since FROM app.mood_counts()`)
    const [totals] = await project.rows(`SELECT lines, quantity::text AS quantity FROM app.order_totals(6)`)
    const [noLines] = await project.rows(`SELECT lines, quantity::text AS quantity FROM app.order_totals(999)`)
    const [range] = await project.rows(`SELECT low::text AS low, high::text AS high, items FROM app.item_price_range()`)
    const [everyItem] = await project.rows(`SELECT low::text AS low, high::text AS high, items FROM app.item_price_range(false)`)
    expect(data).toEqual({ postIdsBy: ids.map((r) => r.id), moodCounts: moods, orderTotals: totals, noLines, itemPriceRange: range, everyItem })
    expect(noLines).toEqual({ lines: 0, quantity: null })
    expect(moods.map((m) => m.mood)).toContain(null)
  })
})

describe('computed fields', () => {
  it('serves scalar, array, row and connection computed fields as the SQL calls answer them', async () => {
    const data = await bothPaths(
      project.api,
      `people(first: 5) { nodes { id postCount initials dashed: initials(sep: "-") recentPosts(first: 2) { totalCount nodes { id titleWords publishedDay } }
         since: recentPosts(since: "2024-02-02T12:00:00Z") { totalCount } } }
       employees { nodes { id topManager { id name } } }`,
    )
    const people = await project.rows(`SELECT id, app.person_post_count(p) AS "postCount", app.person_initials(p) AS initials, app.person_initials(p, '-') AS dashed,
      (SELECT count(*)::int FROM app.person_recent_posts(p)) AS total, (SELECT count(*)::int FROM app.person_recent_posts(p, '2024-02-02 12:00+00')) AS since
      FROM app.person p ORDER BY id LIMIT 5`)
    const expected = []
    for (const person of people) {
      const posts = await project.rows(`SELECT id::text, app.post_title_words(x) AS "titleWords", to_char(app.post_published_day(x), 'YYYY-MM-DD') AS "publishedDay"
        FROM app.person_recent_posts((SELECT p FROM app.person p WHERE id = $1)) x LIMIT 2`, [person.id])
      expected.push({ id: person.id, postCount: person.postCount, initials: person.initials, dashed: person.dashed, recentPosts: { totalCount: person.total, nodes: posts }, since: { totalCount: person.since } })
    }
    expect(data.people.nodes).toEqual(expected)
    const managers = await project.rows(`SELECT e.id, (SELECT CASE WHEN m.id IS NULL THEN NULL ELSE json_build_object('id', m.id, 'name', m.name) END FROM app.employee_top_manager(e) m) AS "topManager"
      FROM app.employee e ORDER BY e.id`)
    expect(data.employees.nodes).toEqual(managers)
    expect(managers.filter((m) => m.topManager === null).map((m) => m.id)).toEqual([1])
  })

  it('a connection asked for no rows still takes its arguments (found by the fuzz test: an unused parameter had no type)', async () => {
    const data = await bothPaths(project.api, 'people(first: 2) { nodes { id recentPosts(since: "2024-01-01T00:00:00Z") { __typename } } } peopleBornAfter(d: "1990-01-01") { __typename }')
    expect(data).toEqual({ people: { nodes: [{ id: 1, recentPosts: { __typename: 'PostConnection' } }, { id: 2, recentPosts: { __typename: 'PostConnection' } }] }, peopleBornAfter: { __typename: 'PersonConnection' } })
  })

  it('filters and orders by @filterable / @sortable computed fields, in relation filters too', async () => {
    const data = await bothPaths(
      project.api,
      `people(where: { postCount: { gte: 2 } }, orderBy: [{ postCount: DESC }, { fullName: ASC }]) { totalCount nodes { id postCount } }
       posts(first: 5, orderBy: [{ publishedDay: DESC_NULLS_LAST }]) { nodes { id publishedDay } }
       messages(where: { sender: { is: { postCount: { equals: 1 } } } }) { totalCount }`,
    )
    const people = await project.rows(`SELECT id, app.person_post_count(p) AS "postCount" FROM app.person p WHERE app.person_post_count(p) >= 2 ORDER BY 2 DESC, full_name, id`)
    const posts = await project.rows(`SELECT id::text, to_char(app.post_published_day(p), 'YYYY-MM-DD') AS "publishedDay" FROM app.post p ORDER BY app.post_published_day(p) DESC NULLS LAST, id LIMIT 5`)
    const [messages] = await project.rows(`SELECT count(*)::int AS n FROM app.message m JOIN app.person s ON s.id = m.sender_id WHERE app.person_post_count(s) = 1`)
    expect(data).toEqual({ people: { totalCount: people.length, nodes: people }, posts: { nodes: posts }, messages: { totalCount: messages.n } })
  })

  it('pages by keyset cursors ordered by a computed field', async () => {
    const all = await project.rows(`SELECT id FROM app.person p ORDER BY app.person_post_count(p) DESC, id`)
    const seen: number[] = []
    let after: string | null = null
    for (let page = 0; page < 20; page++) {
      const data: any = await project.api.data(`query ($after: String) { people(first: 5, after: $after, orderBy: [{ postCount: DESC }]) { pageInfo { hasNextPage endCursor } nodes { id } } }`, { after })
      seen.push(...data.people.nodes.map((n: { id: number }) => n.id))
      if (!data.people.pageInfo.hasNextPage) break
      after = data.people.pageInfo.endCursor
    }
    expect(seen).toEqual(all.map((r) => r.id))
  })

  it("refuses a computed field in a write's where, which Prisma cannot evaluate", async () => {
    const result = await project.api.query('mutation { updateManyPerson(where: { postCount: { gt: 100 } }, data: { nickname: "x" }) { count } }')
    expect(result.errors?.[0]).toMatchObject({ message: "Person.postCount is a computed field: a write's where cannot use it; read the rows' keys first", extensions: { code: 'BAD_USER_INPUT' } })
  })
})

describe('statement counts', () => {
  it('a root function returning rows with nested relations and computed fields is one statement, on either path', async () => {
    const query = `{ peopleBornAfter(d: "1950-01-01", first: 10) { totalCount nodes { id posts { nodes { id tagsViaPostTag { nodes { label } } } } postCount recentPosts { nodes { titleWords } } } } }`
    const compiled = await project.api.data(query)
    expect(project.api.statements).toHaveLength(1)
    await project.api.data(query.replace(/^\{/, `{ ${FIELD_BY_FIELD} `))
    expect(project.api.statements).toHaveLength(1)
    expect(compiled.peopleBornAfter.nodes.length).toBe(10)
  })

  it('computed fields add no statement: 100 rows with computed fields are one statement', async () => {
    await project.sql.query(`INSERT INTO app.person (id, email, full_name) SELECT 1000 + i, format('extra%s@example.com', i), format('Extra Person %s', i) FROM generate_series(1, 100) i`)
    const query = `{ people(first: 100, where: { id: { gte: 1000 } }) { nodes { id postCount initials recentPosts { totalCount } } } }`
    const data = await project.api.data(query)
    expect(project.api.statements).toHaveLength(1)
    expect(data.people.nodes).toHaveLength(100)
    const rows = await project.rows(`SELECT id, app.person_post_count(p) AS "postCount", app.person_initials(p) AS initials FROM app.person p WHERE id >= 1000 ORDER BY id LIMIT 100`)
    expect(data.people.nodes).toEqual(rows.map((r) => ({ ...r, recentPosts: { totalCount: 0 } })))
    await project.sql.query(`DELETE FROM app.person WHERE id >= 1000`)
  })

  it('a mutation function is one statement, its returned rows and their relations included', async () => {
    await project.api.data('mutation { raiseSalaries(percent: "0") { id manager { id topManager { id } } } }')
    expect(project.api.statements).toHaveLength(1)
  })
})

describe('mutations', () => {
  it('run the VOLATILE function once and return its result as asked', async () => {
    await project.sql.query(`UPDATE app.post SET published = false WHERE id = 3`)
    const data = await project.api.data('mutation { publishPost(postId: 3) { id published title personByAuthor { id } } }')
    expect(project.api.statements).toHaveLength(1)
    const [post] = await project.rows(`SELECT id::text, published, title, author FROM app.post WHERE id = 3`)
    expect(data.publishPost).toEqual({ id: post.id, published: true, title: post.title, personByAuthor: { id: post.author } })
    expect(post.published).toBe(true)
  })

  it('a void function answers true once done; SETOF rows come back as a list', async () => {
    const before = await project.rows(`SELECT id, salary::text FROM app.employee WHERE salary IS NOT NULL ORDER BY id`)
    const data = await project.api.data('mutation { setItemPrice(skuOfItem: "SKU-002", newPrice: "30.00") raiseSalaries(percent: "10") { id salary } }')
    const [item] = await project.rows(`SELECT price::text FROM app.item WHERE sku = 'SKU-002'`)
    const after = await project.rows(`SELECT id, salary::text AS salary FROM app.employee WHERE salary IS NOT NULL ORDER BY id`)
    expect(item.price).toBe('30.00')
    expect(data.setItemPrice).toBe(true)
    expect([...data.raiseSalaries].sort((a: any, b: any) => a.id - b.id)).toEqual(after)
    expect(after).not.toEqual(before)
  })

  it('types database errors as other writes do, and shows a RAISE EXCEPTION message', async () => {
    const duplicate = await project.api.query('mutation { insertTagLabelled(tagId: 50, tagLabel: "graphql") { id } }')
    expect(duplicate.data).toEqual({ insertTagLabelled: null })
    expect(duplicate.errors?.[0]).toMatchObject({ message: 'a Tag with the same label already exists (tag_label_key)', extensions: { code: 'UNIQUE_VIOLATION', type: 'Tag', fields: ['label'] } })
    const raised = await project.api.query('mutation { renamePerson(personId: 1, newName: "  ") { id } }')
    expect(raised.errors?.[0]).toMatchObject({ message: 'a name may not be blank', extensions: { code: 'RAISED_EXCEPTION' } })
    const [ada] = await project.rows(`SELECT full_name FROM app.person WHERE id = 1`)
    expect(ada.full_name).toBe('Ada Lovelace')
    const renamed = await project.api.data('mutation { renamePerson(personId: 2, newName: "Alan M. Turing") { id fullName initials } }')
    expect(renamed.renamePerson).toEqual({ id: 2, fullName: 'Alan M. Turing', initials: 'A.M.T.' })
  })

  it('are not served in read-only mode', async () => {
    const readOnly = await startTestGateway(project.db.url, { schemas: SCHEMAS, readOnly: true })
    try {
      expect(readOnly.gateway.schema.getMutationType()).toBeUndefined()
      expect(Object.keys(readOnly.gateway.schema.getQueryType()!.getFields())).toContain('postCount')
    } finally {
      await readOnly.close()
    }
  })
})

describe('EXECUTE privileges', () => {
  const SECRET = 'a-test-secret-that-is-long-enough-for-hs256'
  const role = `portico_fn_${Math.random().toString(36).slice(2, 8)}`
  let api: TestGateway

  beforeAll(async () => {
    await project.sql.query(`
      CREATE ROLE ${role} NOLOGIN; GRANT ${role} TO CURRENT_USER;
      GRANT USAGE ON SCHEMA app TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA app TO ${role}; GRANT UPDATE ON app.item TO ${role};
      REVOKE EXECUTE ON FUNCTION app.secret_number() FROM PUBLIC;
      REVOKE EXECUTE ON FUNCTION app.set_item_price(text, numeric) FROM PUBLIC;
      REVOKE EXECUTE ON FUNCTION app.person_post_count(app.person) FROM PUBLIC`)
    api = await startTestGateway(project.db.url, { schemas: SCHEMAS, auth: { jwtSecret: SECRET, roles: [role] } })
  })

  afterAll(async () => {
    await api?.close()
    await project.sql.query(`GRANT EXECUTE ON FUNCTION app.secret_number(), app.set_item_price(text, numeric), app.person_post_count(app.person) TO PUBLIC`)
    // Roles are cluster-wide: they outlive the database unless dropped.
    await project.sql.query(`REVOKE ALL ON ALL TABLES IN SCHEMA app FROM ${role}; REVOKE USAGE ON SCHEMA app FROM ${role}`)
    if ((await testServer()).kind !== 'pglite') {
      const admin = new pg.Client(LOCAL_ADMIN_URL)
      await admin.connect()
      await admin.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {}).finally(() => admin.end())
    }
  })

  async function post(query: string) {
    const token = await new SignJWT({ role }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))
    const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    })
    return (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }
  }

  it('a call the role may not execute is FORBIDDEN; the others answer', async () => {
    const allowed = await post('{ shortName addDays(d: "2024-01-01", n: 1) }')
    expect(allowed).toEqual({ data: { shortName: 'renamed', addDays: '2024-01-02' } })
    const denied = await post('{ secretNumber }')
    expect(denied.errors?.[0]).toMatchObject({ message: 'Permission denied: permission denied for function secret_number', extensions: { code: 'FORBIDDEN' } })
    const computed = await post('{ people(first: 1) { nodes { postCount } } }')
    expect(computed.errors?.[0]).toMatchObject({ message: 'Permission denied: permission denied for function person_post_count', extensions: { code: 'FORBIDDEN' } })
    const mutation = await post('mutation { setItemPrice(skuOfItem: "SKU-003", newPrice: "9.99") }')
    expect(mutation.data).toEqual({ setItemPrice: null })
    expect(mutation.errors?.[0]).toMatchObject({ message: 'Permission denied: permission denied for function set_item_price', extensions: { code: 'FORBIDDEN' } })
    const [item] = await project.rows(`SELECT price::text FROM app.item WHERE sku = 'SKU-003'`)
    expect(item.price).toBe('0.01')
  })
})
