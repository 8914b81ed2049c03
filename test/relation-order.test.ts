/**
 * Ordering by relations, Prisma's shape, on the project's test database: by a to-one relation's
 * column (`{ person: { nickname: ASC } }`, NULL when there is no related row), through a chain of
 * them, and by a to-many relation's aggregates (`{ orderLines: { sum: { quantity: DESC } } }`).
 * Each order equals the SQL order (with the key ending it), in one statement, and keyset pages
 * forwards and backwards give exactly the rows of the SQL order.
 */
import { describe, expect, it } from 'vitest'
import { useProjectDatabase } from './support/project-database.js'

const project = useProjectDatabase('relation_order')
const rows = (text: string, params: unknown[] = []) => project.rows(text, params)

/** Each case: the list, its orderBy, the key selection, and the SQL giving the same keys in the same order. */
const CASES: [name: string, list: string, orderBy: string, selection: string, sql: string][] = [
  [
    'to-one column, NULL targets and NULL values last (ascending default)',
    'orders',
    '[{ person: { nickname: ASC } }]',
    'id',
    `SELECT o.id FROM app."order" o LEFT JOIN app.person p ON p.id = o.person_id ORDER BY p.nickname ASC NULLS LAST, o.id`,
  ],
  [
    'to-one column, NULLS FIRST',
    'orders',
    '[{ person: { nickname: ASC_NULLS_FIRST } }]',
    'id',
    `SELECT o.id FROM app."order" o LEFT JOIN app.person p ON p.id = o.person_id ORDER BY p.nickname ASC NULLS FIRST, o.id`,
  ],
  [
    'to-one column, descending NULLS LAST, then a column',
    'orders',
    '[{ person: { email: DESC_NULLS_LAST } }, { from: DESC }]',
    'id',
    `SELECT o.id FROM app."order" o LEFT JOIN app.person p ON p.id = o.person_id ORDER BY p.email DESC NULLS LAST, o."from" DESC, o.id`,
  ],
  [
    'a chain of to-one relations: line -> order -> person',
    'orderLines',
    '[{ order: { person: { fullName: DESC } } }]',
    'orderId lineNo',
    `SELECT l.order_id AS "orderId", l.line_no AS "lineNo" FROM app.order_line l JOIN app."order" o ON o.id = l.order_id LEFT JOIN app.person p ON p.id = o.person_id
     ORDER BY p.full_name DESC NULLS FIRST, l.order_id, l.line_no`,
  ],
  [
    'a self relation: employees by their manager\'s salary',
    'employees',
    '[{ manager: { salary: DESC_NULLS_LAST } }]',
    'id',
    `SELECT e.id FROM app.employee e LEFT JOIN app.employee m ON m.id = e.manager_id ORDER BY m.salary DESC NULLS LAST, e.id`,
  ],
  [
    'to-many count',
    'people',
    '[{ posts: { count: DESC } }]',
    'id',
    `SELECT p.id FROM app.person p ORDER BY (SELECT count(*) FROM app.post x WHERE x.author = p.id) DESC, p.id`,
  ],
  [
    'to-many count, ascending, with rows that have none',
    'people',
    '[{ orders: { count: ASC } }]',
    'id',
    `SELECT p.id FROM app.person p ORDER BY (SELECT count(*) FROM app."order" x WHERE x.person_id = p.id), p.id`,
  ],
  [
    'to-many sum',
    'orders',
    '[{ orderLines: { sum: { quantity: DESC } } }]',
    'id',
    `SELECT o.id FROM app."order" o ORDER BY (SELECT sum(l.quantity) FROM app.order_line l WHERE l.order_id = o.id) DESC, o.id`,
  ],
  [
    'to-many avg of a numeric, NULL for employees without reports',
    'employees',
    '[{ employeesByManager: { avg: { salary: DESC_NULLS_LAST } } }]',
    'id',
    `SELECT e.id FROM app.employee e ORDER BY (SELECT avg(r.salary) FROM app.employee r WHERE r.manager_id = e.id) DESC NULLS LAST, e.id`,
  ],
  [
    'to-many min of text',
    'orders',
    '[{ orderLines: { min: { itemSku: ASC } } }]',
    'id',
    `SELECT o.id FROM app."order" o ORDER BY (SELECT min(l.item_sku) FROM app.order_line l WHERE l.order_id = o.id), o.id`,
  ],
  [
    'to-many max of a timestamptz, NULL first descending',
    'people',
    '[{ posts: { max: { publishedAt: DESC } } }]',
    'id',
    `SELECT p.id FROM app.person p ORDER BY (SELECT max(x.published_at) FROM app.post x WHERE x.author = p.id) DESC NULLS FIRST, p.id`,
  ],
  [
    'to-one then to-many: lines by how many lines their order has',
    'orderLines',
    '[{ order: { orderLines: { count: DESC } } }, { quantity: ASC }]',
    'orderId lineNo',
    `SELECT l.order_id AS "orderId", l.line_no AS "lineNo" FROM app.order_line l
     ORDER BY (SELECT count(*) FROM app.order_line m WHERE m.order_id = l.order_id) DESC, l.quantity, l.order_id, l.line_no`,
  ],
  [
    'two relation orders in one list',
    'posts',
    '[{ personByAuthor: { countryCode: ASC } }, { postTags: { count: DESC } }]',
    'id',
    `SELECT p.id::text AS id FROM app.post p JOIN app.person a ON a.id = p.author
     ORDER BY a.country_code ASC NULLS LAST, (SELECT count(*) FROM app.post_tag t WHERE t.post_id = p.id) DESC, p.id`,
  ],
]

describe('orders equal the SQL order, in one statement', () => {
  it.each(CASES)('%s', async (_name, list, orderBy, selection, query) => {
    const data = await project.api.data(`{ ${list}(first: 100, orderBy: ${orderBy}) { nodes { ${selection} } } }`)
    expect(project.api.statements).toHaveLength(1)
    const expected = await rows(query)
    expect(expected.length).toBeGreaterThan(3)
    expect(data[list].nodes).toEqual(expected)
  })
})

/** Pages of `size` through `list` in `orderBy`, forwards (first/after) or backwards (last/before), joined in list order. */
async function stitch(list: string, orderBy: string, selection: string, direction: 'forward' | 'backward', size: number): Promise<unknown[]> {
  const seen: unknown[] = []
  let cursor: string | null = null
  for (let page = 0; page < 100; page++) {
    const window = direction === 'forward' ? `first: ${size}${cursor ? ` after: "${cursor}"` : ''}` : `last: ${size}${cursor ? ` before: "${cursor}"` : ''}`
    const data = await project.api.data(`{ ${list}(${window}, orderBy: ${orderBy}) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { ${selection} } } }`)
    expect(project.api.statements).toHaveLength(1)
    const { nodes, pageInfo } = data[list]
    expect(nodes.length).toBeLessThanOrEqual(size)
    if (direction === 'forward') seen.push(...nodes)
    else seen.unshift(...nodes)
    if (!(direction === 'forward' ? pageInfo.hasNextPage : pageInfo.hasPreviousPage)) return seen
    cursor = direction === 'forward' ? pageInfo.endCursor : pageInfo.startCursor
  }
  throw new Error(`paging ${list} did not end`)
}

describe('keyset pages follow the relation order', () => {
  it.each(CASES)('%s: forwards and backwards by 2 and by 3', async (_name, list, orderBy, selection, query) => {
    const expected = await rows(query)
    for (const size of [2, 3]) {
      expect(await stitch(list, orderBy, selection, 'forward', size)).toEqual(expected)
      expect(await stitch(list, orderBy, selection, 'backward', size)).toEqual(expected)
    }
  })
})

describe('on a relation, and errors', () => {
  it('a nested connection ordered by its rows\' relations, in the parent\'s statement', async () => {
    const data = await project.api.data('{ people(first: 3) { nodes { id orders(orderBy: [{ orderLines: { sum: { quantity: DESC } } }]) { nodes { id } } } } }')
    expect(project.api.statements).toHaveLength(1)
    const expected = await rows(`SELECT p.id, coalesce((SELECT json_agg(o.id ORDER BY (SELECT sum(l.quantity) FROM app.order_line l WHERE l.order_id = o.id) DESC, o.id)
      FROM app."order" o WHERE o.person_id = p.id), '[]') AS ids FROM app.person p ORDER BY p.id LIMIT 3`)
    expect(data.people.nodes).toEqual(expected.map((r) => ({ id: r.id, orders: { nodes: r.ids.map((id: number) => ({ id })) } })))
  })

  it('group-by keys are ordered by the groups\' own columns, not by relations', async () => {
    const result = await project.api.query('{ ordersGroupBy(by: [status], orderBy: [{ key: { person: { fullName: ASC } } }]) { key { status } } }')
    expect(result.errors?.[0]?.message).toBe('orderBy key.person: groups are ordered by their own columns (by), not by relations')
  })

  it('the order input names relations and aggregates as Prisma does', () => {
    const fields = (type: string) => Object.fromEntries(Object.entries((project.api.gateway.schema.getType(type) as any).getFields()).map(([k, f]: [string, any]) => [k, String(f.type)]))
    expect(fields('OrderOrderBy')).toMatchObject({ person: 'PersonOrderBy', orderLines: 'OrderLineRelationAggregateOrderBy', id: 'SortOrder' })
    expect(fields('OrderLineRelationAggregateOrderBy')).toEqual({
      count: 'SortOrder',
      sum: 'OrderLineSumAvgOrderBy',
      avg: 'OrderLineSumAvgOrderBy',
      min: 'OrderLineMinMaxOrderBy',
      max: 'OrderLineMinMaxOrderBy',
    })
    expect(fields('OrderLineSumAvgOrderBy')).toEqual({ orderId: 'SortOrder', lineNo: 'SortOrder', quantity: 'SortOrder' })
    expect(Object.keys(fields('OrderLineMinMaxOrderBy')).sort()).toEqual(['itemSku', 'lineNo', 'orderId', 'quantity'])
  })
})
