/**
 * Per-column counts in `aggregates`: `nonNullCount` (count(column)) and `distinctCount`
 * (count(DISTINCT column)) for every column with equality, at the root, on a relation and in
 * group-by (with `having` and `orderBy` on them), each equal to PostgreSQL's own count, in one
 * statement; both execution paths.
 */
import { describe, expect, it } from 'vitest'
import { bothPaths, useProjectDatabase } from './support/project-database.js'

const project = useProjectDatabase('column_counts')
const rows = (text: string, params: unknown[] = []) => project.rows(text, params)

const both = (query: string) => bothPaths(project.api, query)

/** Every all_types column with equality (json has none), GraphQL name -> column. */
const COUNTABLE: Record<string, string> = {
  id: 'id', cSmallint: 'c_smallint', cInteger: 'c_integer', cBigint: 'c_bigint', cNumeric: 'c_numeric', cDecimal: 'c_decimal',
  cReal: 'c_real', cDouble: 'c_double', cBoolean: 'c_boolean', cText: 'c_text', cVarchar: 'c_varchar', cChar: 'c_char',
  cCitext: 'c_citext', cUuid: 'c_uuid', cDate: 'c_date', cTime: 'c_time', cTimetz: 'c_timetz', cTimestamp: 'c_timestamp',
  cTimestamptz: 'c_timestamptz', cInterval: 'c_interval', cBytea: 'c_bytea', cJsonb: 'c_jsonb', cIntArray: 'c_int_array',
  cTextArray: 'c_text_array', cMood: 'c_mood', cMoodArray: 'c_mood_array',
}

describe('the schema', () => {
  it('counts every column with equality: json (no equality) and tsvector-like text are left out', () => {
    const fields = Object.keys((project.api.gateway.schema.getType('AllTypeCountAggregates') as any).getFields())
    expect(fields.sort()).toEqual(Object.keys(COUNTABLE).sort())
    const aggregates = (project.api.gateway.schema.getType('AllTypeAggregates') as any).getFields()
    expect(String(aggregates.nonNullCount.type)).toBe('AllTypeCountAggregates!')
    expect(String(aggregates.distinctCount.type)).toBe('AllTypeCountAggregates!')
  })
})

describe('at the root', () => {
  it('nonNullCount and distinctCount of every type equal count(col) and count(DISTINCT col); both paths', async () => {
    // Two more rows so that distinct and non-null counts differ from count(*).
    await project.sql.query(`INSERT INTO public.all_types (id, c_integer, c_text, c_citext, c_mood, c_int_array, c_jsonb, c_timetz)
      VALUES (30, 123456, 'hello, world', 'mixed case', 'happy', '{1,2,3}', '{"a": [1, 2, {"c": null}], "b": 2}', '11:45:30+00'),
             (31, 7, NULL, 'MIXED CASE', NULL, '{}', '[]', '13:45:30+02')`)
    try {
      const names = Object.keys(COUNTABLE)
      const data = await both(`allTypes { aggregates { count nonNullCount { ${names.join(' ')} } distinctCount { ${names.join(' ')} } } }`)
      const [r] = await rows(
        `SELECT count(*)::int AS count, ${names.map((n, i) => `count(${COUNTABLE[n]})::int AS n${i}, count(DISTINCT ${COUNTABLE[n]})::int AS d${i}`).join(', ')} FROM public.all_types`,
      )
      expect(data.allTypes.aggregates).toEqual({
        count: r.count,
        nonNullCount: Object.fromEntries(names.map((n, i) => [n, r[`n${i}`]])),
        distinctCount: Object.fromEntries(names.map((n, i) => [n, r[`d${i}`]])),
      })
      // What the counts mean: NULLs are neither counted nor a distinct value; citext values equal
      // regardless of case ('MiXeD CaSe', 'mixed case', 'MIXED CASE'); the same instant as a timetz
      // with another offset is another value (11:45:30+00 and 13:45:30+02), the same one is not.
      expect(data.allTypes.aggregates).toMatchObject({ count: 5, nonNullCount: { cText: 3, cMood: 3 }, distinctCount: { cText: 2, cCitext: 2, cTimetz: 3, cInteger: 3 } })
    } finally {
      await project.sql.query('DELETE FROM public.all_types WHERE id >= 30')
    }
  })

  it('with a where, over the matching rows', async () => {
    const data = await project.api.data('{ posts(where: { published: { equals: true } }) { aggregates { nonNullCount { body tags publishedAt } distinctCount { author tags } } } }')
    const [r] = await rows(`SELECT count(body)::int AS a, count(tags)::int AS b, count(published_at)::int AS c, count(DISTINCT author)::int AS d, count(DISTINCT tags)::int AS e
      FROM app.post WHERE published`)
    expect(data.posts.aggregates).toEqual({ nonNullCount: { body: r.a, tags: r.b, publishedAt: r.c }, distinctCount: { author: r.d, tags: r.e } })
  })
})

describe('on a relation', () => {
  it('per parent, in the parent\'s statement; both paths', async () => {
    const data = await both('people(first: 12) { nodes { id posts { aggregates { count nonNullCount { body publishedAt tags } distinctCount { published tags } } } } }')
    const expected = await rows(`SELECT p.id, count(x.id)::int AS count, count(x.body)::int AS body, count(x.published_at)::int AS "publishedAt", count(x.tags)::int AS tags,
        count(DISTINCT x.published)::int AS published, count(DISTINCT x.tags)::int AS dtags
      FROM app.person p LEFT JOIN app.post x ON x.author = p.id GROUP BY p.id ORDER BY p.id`)
    expect(data.people.nodes).toEqual(
      expected.map((r) => ({
        id: r.id,
        posts: { aggregates: { count: r.count, nonNullCount: { body: r.body, publishedAt: r.publishedAt, tags: r.tags }, distinctCount: { published: r.published, tags: r.dtags } } },
      })),
    )
  })
})

describe('in group-by', () => {
  it('in aggregates, having and orderBy; both paths', async () => {
    const data = await both(`postsGroupBy(by: [published], having: { distinctCount: { author: { gte: 2 } }, nonNullCount: { body: { gt: 0 } } },
        orderBy: [{ nonNullCount: { publishedAt: DESC } }]) {
      key { published } aggregates { count nonNullCount { publishedAt body } distinctCount { author tags } } }`)
    const expected = await rows(`SELECT published, count(*)::int AS count, count(published_at)::int AS p, count(body)::int AS b,
        count(DISTINCT author)::int AS a, count(DISTINCT tags)::int AS t
      FROM app.post GROUP BY published HAVING count(DISTINCT author) >= 2 AND count(body) > 0 ORDER BY count(published_at) DESC, published`)
    expect(expected.length).toBe(2)
    expect(data.postsGroupBy).toEqual(
      expected.map((r) => ({ key: { published: r.published }, aggregates: { count: r.count, nonNullCount: { publishedAt: r.p, body: r.b }, distinctCount: { author: r.a, tags: r.t } } })),
    )
  })

  it('a having on a distinct count that few groups pass, ordered by another', async () => {
    const data = await project.api.data(`{ orderLinesGroupBy(by: [itemSku], having: { distinctCount: { orderId: { gt: 1 } } }, orderBy: [{ distinctCount: { quantity: ASC } }]) {
      key { itemSku } aggregates { distinctCount { orderId quantity } } } }`)
    expect(project.api.statements).toHaveLength(1)
    const expected = await rows(`SELECT item_sku, count(DISTINCT order_id)::int AS o, count(DISTINCT quantity)::int AS q FROM app.order_line
      GROUP BY item_sku HAVING count(DISTINCT order_id) > 1 ORDER BY count(DISTINCT quantity), item_sku`)
    expect(expected.length).toBeGreaterThan(1)
    expect(data.orderLinesGroupBy).toEqual(expected.map((r) => ({ key: { itemSku: r.item_sku }, aggregates: { distinctCount: { orderId: r.o, quantity: r.q } } })))
  })
})
