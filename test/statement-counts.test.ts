/**
 * How many SQL statements an operation costs, on Portico's own test database (issue 3): a number
 * that depends on the operation's shape, never on how many rows it returns. Pothos's habit: record
 * every statement Prisma sends and assert the exact count.
 *
 * Every operation below runs at two sizes (a small and a large page, or 10 and 100 lookups), and
 * again after the database has grown; the count must be the same each time and equal to the
 * expected one:
 *   - one data statement per root field for lists, nesting, aliases, fragments, filters and
 *     connections, totalCount included;
 *   - N lookups by key of one type in one document: one statement (`WHERE key IN (...)`);
 *   - `node(nodeId:)` lookups of mixed types: one statement per distinct type.
 * Each answer is compared with the database (read with `pg`), and no statement may mention a
 * column the operation did not ask for. Statements are counted by PostgreSQL (pg_stat_statements,
 * on a private cluster: ./support/database-statements.ts), and Portico's own count must agree.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { dataStatements, describeStatements, executedByGraphQL, run as runOn, type CatalogueOperation } from './support/statement-catalogue.js'
import { countStatementsAt, type DatabaseStatements } from './support/database-statements.js'
import { createClusterDatabase, privateClusterUnavailable, startPrivateCluster, type Cluster } from './support/private-cluster.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './support/test-database.js'

let db: TestDatabase | undefined
let cluster: Cluster | undefined
let counter: DatabaseStatements | undefined
let api: TestGateway
let sql: pg.Client

beforeAll(async () => {
  // Counted by PostgreSQL on a private cluster; where none can start (no PostgreSQL binaries, and
  // not CI, where that is an error), by Portico's hooks on the shared test server.
  let url: string
  if (privateClusterUnavailable()) {
    db = await createTestDatabase('statements', readFixtureSql('portico-test.sql'))
    url = db.url
  } else {
    cluster = await startPrivateCluster()
    url = await createClusterDatabase(cluster, 'statements', readFixtureSql('portico-test.sql').join('\n'))
    counter = await countStatementsAt(cluster.adminUrl, 'statements')
  }
  api = await startTestGateway(url, { schemas: ['app', 'audit', 'public'] }, { countAt: counter })
  sql = new pg.Client({ connectionString: url })
  await sql.connect()
  ctx = await loadContext()
  model = await loadModel()
})

afterAll(async () => {
  await sql?.end()
  await api?.close()
  await counter?.close()
  await db?.drop()
  await cluster?.stop()
})

// ---- Counting ------------------------------------------------------------------------------

/** Runs a document on this file's gateway: its data and data statements. */
const run = (document: string) => runOn(api, document)

// ---- The database, as PostgreSQL says it is ------------------------------------------------

interface Model {
  people: { id: number; fullName: string; countryCode: string | null }[]
  posts: { id: string; title: string; author: number; published: boolean }[]
  tags: { id: number; label: string }[]
  postTags: { postId: string; tagId: number }[]
  orders: { id: number; status: string; personId: number | null }[]
  messages: { id: number; senderId: number; recipientId: number }[]
  employees: { id: number; name: string; managerId: number | null }[]
  orderLines: { orderId: number; lineNo: number; quantity: number }[]
  n2faCodes: { personId: number; code: string; n1stChoice: string | null }[]
}

let model: Model

/** Every table the operations read, each in key order (the order the API lists them in). */
async function loadModel(): Promise<Model> {
  const rows = async (text: string) => (await sql.query(text)).rows
  return {
    people: await rows('SELECT id, full_name AS "fullName", country_code AS "countryCode" FROM app.person ORDER BY id'),
    posts: await rows('SELECT p.id::text AS id, p.title, p.author, p.published FROM app.post AS p ORDER BY p.id'),
    tags: await rows('SELECT id, label FROM app.tag ORDER BY id'),
    postTags: await rows('SELECT post_id::text AS "postId", tag_id AS "tagId" FROM app.post_tag ORDER BY post_id, tag_id'),
    orders: await rows('SELECT id, status::text AS status, person_id AS "personId" FROM app."order" ORDER BY id'),
    messages: await rows('SELECT id, sender_id AS "senderId", recipient_id AS "recipientId" FROM app.message ORDER BY id'),
    employees: await rows('SELECT id, name, manager_id AS "managerId" FROM app.employee ORDER BY id'),
    orderLines: await rows('SELECT order_id AS "orderId", line_no AS "lineNo", quantity FROM app.order_line ORDER BY order_id, line_no'),
    n2faCodes: await rows('SELECT person_id AS "personId", code, "1st_choice" AS "n1stChoice" FROM app."2fa_codes" ORDER BY person_id, code'),
  }
}

/** A nested connection without `first` holds the default page size (20). */
const page = <T>(rows: T[], first = 20) => rows.slice(0, first)
const lastPage = <T>(rows: T[], last: number) => rows.slice(Math.max(0, rows.length - last))
const one = <T>(rows: T[], found: (row: T) => boolean): T => {
  const row = rows.find(found)
  if (!row) throw new Error('the model has no such row')
  return row
}
const personById = (m: Model, id: number) => one(m.people, (p) => p.id === id)
const postsBy = (m: Model, personId: number) => m.posts.filter((p) => p.author === personId)
const tagsOf = (m: Model, postId: string) => m.tags.filter((t) => m.postTags.some((pt) => pt.postId === postId && pt.tagId === t.id))
const postsTagged = (m: Model, tagId: number) => m.posts.filter((p) => m.postTags.some((pt) => pt.postId === p.id && pt.tagId === tagId))

// ---- What the operations need from the API before they run (not counted) ------------------

interface Context {
  /** The cursor of each of the first 20 posts, as the API hands them out. */
  postCursor: Map<string, string>
  /** nodeIds of existing rows, by type and key (`1`, `"1,2"` for composite keys). */
  nodeIds: Map<string, string>
  /** nodeIds of rows that no longer exist, one per type. */
  ghostNodeIds: Map<string, string>
}

let ctx: Context

async function loadContext(): Promise<Context> {
  const data = await api.data(`{
    posts(first: 20) { edges { cursor node { id nodeId } } }
    people(first: 100) { nodes { id nodeId } }
    tags(first: 100) { nodes { id nodeId } }
    orderLines(first: 100) { nodes { orderId lineNo nodeId } }
    n2faCodes(first: 100) { nodes { personId code nodeId } }
  }`)
  const nodeIds = new Map<string, string>()
  for (const { node } of data.posts.edges) nodeIds.set(`Post:${node.id}`, node.nodeId)
  for (const p of data.people.nodes) nodeIds.set(`Person:${p.id}`, p.nodeId)
  for (const t of data.tags.nodes) nodeIds.set(`Tag:${t.id}`, t.nodeId)
  for (const l of data.orderLines.nodes) nodeIds.set(`OrderLine:${l.orderId},${l.lineNo}`, l.nodeId)
  for (const c of data.n2faCodes.nodes) nodeIds.set(`N2faCode:${c.personId},${c.code}`, c.nodeId)

  // nodeIds of missing rows, without knowing how nodeIds are encoded: create the rows, ask for
  // their nodeIds, delete them.
  await sql.query(`
    INSERT INTO app.person (id, email, full_name) VALUES (9001, 'ghost@example.com', 'Ghost');
    INSERT INTO app.post (id, title, author) VALUES (9001, 'Ghost post', 1);
    INSERT INTO app.tag (id, label) VALUES (901, 'ghost');
    INSERT INTO app.order_line (order_id, line_no, item_sku, quantity) VALUES (6, 9, 'SKU-001', 1);
    INSERT INTO app."2fa_codes" (person_id, code, expires_at) VALUES (1, '000000', '2024-01-01 00:00:00')`)
  const ghosts = await api.data(`{
    person(id: 9001) { nodeId } post(id: 9001) { nodeId } tag(id: 901) { nodeId }
    orderLine(orderId: 6, lineNo: 9) { nodeId } n2faCode(personId: 1, code: "000000") { nodeId }
  }`)
  await sql.query(`
    DELETE FROM app.post WHERE id = 9001; DELETE FROM app.person WHERE id = 9001; DELETE FROM app.tag WHERE id = 901;
    DELETE FROM app.order_line WHERE (order_id, line_no) = (6, 9); DELETE FROM app."2fa_codes" WHERE (person_id, code) = (1, '000000')`)
  const ghostNodeIds = new Map<string, string>([
    ['Person', ghosts.person.nodeId],
    ['Post', ghosts.post.nodeId],
    ['Tag', ghosts.tag.nodeId],
    ['OrderLine', ghosts.orderLine.nodeId],
    ['N2faCode', ghosts.n2faCode.nodeId],
  ])
  return { postCursor: new Map(data.posts.edges.map((e: { cursor: string; node: { id: string } }) => [e.node.id, e.cursor])), nodeIds, ghostNodeIds }
}

const nodeIdOf = (key: string) => {
  const id = ctx.nodeIds.get(key)
  if (!id) throw new Error(`no nodeId known for ${key}`)
  return id
}
const cursorOfPost = (id: string) => {
  const cursor = ctx.postCursor.get(id)
  if (!cursor) throw new Error(`no cursor known for post ${id}`)
  return cursor
}

// ---- Documents made of many lookups ----------------------------------------------------------

/** `n` aliased fields k0..k(n-1), one per index. */
const aliases = (n: number, field: (i: number) => string) => Array.from({ length: n }, (_, i) => `k${i}: ${field(i)}`).join('\n  ')
const expectAliases = <T>(n: number, value: (i: number) => T) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value(i)]))

/** Post ids in a scrambled order, with repeats; every fifth one does not exist. */
const postIdAt = (i: number) => (i % 5 === 4 ? 100_000 + i : ((i * 7) % 40) + 1)
/** Order lines (order, line): some exist, some do not (line 4 never does in the base data). */
const orderLineAt = (i: number) => ({ orderId: ((i * 5) % 12) + 1, lineNo: (i % 4) + 1 })

/**
 * `node` lookups cycling through five types (Person, Post, Tag, OrderLine with a composite key,
 * N2faCode with a composite key), in a mixed order; every seventh is a row that does not exist.
 */
const NODE_TYPES = ['Person', 'Post', 'Tag', 'OrderLine', 'N2faCode'] as const
type NodeType = (typeof NODE_TYPES)[number]
function nodeTargetAt(m: Model, i: number): { type: NodeType; key: string | null } {
  const type = NODE_TYPES[i % NODE_TYPES.length]!
  if (i % 7 === 6) return { type, key: null }
  const k = Math.floor(i / NODE_TYPES.length) * 3 + i
  switch (type) {
    case 'Person': return { type, key: String(m.people[k % 12]!.id) }
    case 'Post': return { type, key: m.posts[k % 20]!.id }
    case 'Tag': return { type, key: String(m.tags[k % 6]!.id) }
    case 'OrderLine': {
      const l = m.orderLines[k % 14]!
      return { type, key: `${l.orderId},${l.lineNo}` }
    }
    case 'N2faCode': {
      const c = m.n2faCodes[k % 4]!
      return { type, key: `${c.personId},${c.code}` }
    }
  }
}
const NODE_SELECTION = '{ nodeId ... on Person { fullName } ... on Post { title } ... on Tag { label } ... on OrderLine { quantity } ... on N2faCode { n1stChoice } }'
function expectedNode(m: Model, type: NodeType, key: string) {
  const nodeId = nodeIdOf(`${type}:${key}`)
  switch (type) {
    case 'Person': return { nodeId, fullName: personById(m, Number(key)).fullName }
    case 'Post': return { nodeId, title: one(m.posts, (p) => p.id === key).title }
    case 'Tag': return { nodeId, label: one(m.tags, (t) => t.id === Number(key)).label }
    case 'OrderLine': return { nodeId, quantity: one(m.orderLines, (l) => `${l.orderId},${l.lineNo}` === key).quantity }
    case 'N2faCode': return { nodeId, n1stChoice: one(m.n2faCodes, (c) => `${c.personId},${c.code}` === key).n1stChoice }
  }
}

// ---- The catalogue -------------------------------------------------------------------------

type Operation = CatalogueOperation<Model>

const OPERATIONS: Operation[] = [
  {
    name: 'a root list',
    sizes: [2, 20],
    document: (n) => `{ posts(first: ${n}) { nodes { id title } } }`,
    statements: 1,
    expected: (m, n) => ({ posts: { nodes: m.posts.slice(0, n).map(({ id, title }) => ({ id, title })) } }),
    unasked: /\b(body|metadata|published_at|published)\b/,
  },
  {
    name: 'a root list with totalCount, pageInfo and edges',
    sizes: [2, 10],
    document: (n) => `{ people(first: ${n}) { totalCount pageInfo { hasNextPage } edges { node { id fullName } } } }`,
    statements: 1,
    expected: (m, n) => ({
      people: { totalCount: m.people.length, pageInfo: { hasNextPage: m.people.length > n }, edges: m.people.slice(0, n).map(({ id, fullName }) => ({ node: { id, fullName } })) },
    }),
    unasked: /\b(email|nickname|country_code|born_on|created_at|moods?)\b/,
  },
  {
    name: 'totalCount and nested totalCounts only (to-many and many-to-many)',
    sizes: [2, 6],
    document: (n) => `{ tags(first: ${n}) { totalCount nodes { label posts { totalCount } postTags { totalCount } } } }`,
    statements: 1,
    expected: (m, n) => ({
      tags: {
        totalCount: m.tags.length,
        nodes: m.tags.slice(0, n).map((t) => ({ label: t.label, posts: { totalCount: postsTagged(m, t.id).length }, postTags: { totalCount: postsTagged(m, t.id).length } })),
      },
    }),
    unasked: /\b(title|body|metadata)\b/,
  },
  {
    name: 'two root lists: one statement for the whole operation',
    sizes: [2, 6],
    document: (n) => `{ posts(first: ${n}) { nodes { id } } tags(first: ${n}) { nodes { label } } }`,
    statements: 1,
    expected: (m, n) => ({ posts: { nodes: m.posts.slice(0, n).map(({ id }) => ({ id })) }, tags: { nodes: m.tags.slice(0, n).map(({ label }) => ({ label })) } }),
    unasked: /\b(title|body|metadata)\b/,
  },
  {
    name: 'nested to-one, to-many and many-to-many, with totalCounts',
    sizes: [2, 12],
    document: (n) => `{ people(first: ${n}) { nodes { id fullName
        posts { totalCount nodes { id title tagsViaPostTag { totalCount nodes { label } } } }
        orders { nodes { id status } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      people: {
        nodes: m.people.slice(0, n).map((p) => ({
          id: p.id,
          fullName: p.fullName,
          posts: {
            totalCount: postsBy(m, p.id).length,
            nodes: page(postsBy(m, p.id)).map((post) => ({
              id: post.id,
              title: post.title,
              tagsViaPostTag: { totalCount: tagsOf(m, post.id).length, nodes: page(tagsOf(m, post.id)).map(({ label }) => ({ label })) },
            })),
          },
          orders: { nodes: page(m.orders.filter((o) => o.personId === p.id)).map(({ id, status }) => ({ id, status })) },
        })),
      },
    }),
    unasked: /\b(body|metadata|email|nickname)\b|"select"|"from"/,
  },
  {
    name: 'deep nesting: tag -> posts -> author -> messages sent -> recipient',
    sizes: [2, 6],
    document: (n) => `{ tags(first: ${n}) { nodes { label posts(first: 3) { nodes { title personByAuthor {
        fullName messagesBySender(first: 2) { nodes { id recipient { fullName } } } } } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      tags: {
        nodes: m.tags.slice(0, n).map((t) => ({
          label: t.label,
          posts: {
            nodes: page(postsTagged(m, t.id), 3).map((post) => ({
              title: post.title,
              personByAuthor: {
                fullName: personById(m, post.author).fullName,
                messagesBySender: {
                  nodes: page(m.messages.filter((msg) => msg.senderId === post.author), 2).map((msg) => ({ id: msg.id, recipient: { fullName: personById(m, msg.recipientId).fullName } })),
                },
              },
            })),
          },
        })),
      },
    }),
    unasked: /\b(body|sent_at|read_at|email|metadata)\b/,
  },
  {
    name: 'a self relation, both ways, three levels',
    sizes: [3, 10],
    document: (n) => `{ employees(first: ${n}) { nodes { name manager { name manager { name } } employeesByManager { totalCount nodes { name } } } } }`,
    statements: 1,
    expected: (m, n) => {
      const byId = (id: number | null) => (id === null ? undefined : one(m.employees, (e) => e.id === id))
      return {
        employees: {
          nodes: m.employees.slice(0, n).map((e) => {
            const manager = byId(e.managerId)
            const grand = manager && byId(manager.managerId)
            const reports = m.employees.filter((r) => r.managerId === e.id)
            return {
              name: e.name,
              manager: manager ? { name: manager.name, manager: grand ? { name: grand.name } : null } : null,
              employeesByManager: { totalCount: reports.length, nodes: page(reports).map(({ name }) => ({ name })) },
            }
          }),
        },
      }
    },
    unasked: /\b(salary|title)\b/,
  },
  {
    name: 'aliases of one relation with different arguments',
    sizes: [3, 12],
    document: (n) => `{ people(first: ${n}) { nodes { id
        published: posts(first: 1, where: { published: { equals: true } }) { totalCount nodes { id } }
        drafts: posts(where: { published: { equals: false } }, orderBy: [{ id: DESC }]) { totalCount nodes { id } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      people: {
        nodes: m.people.slice(0, n).map((p) => {
          const published = postsBy(m, p.id).filter((post) => post.published)
          const drafts = postsBy(m, p.id).filter((post) => !post.published).reverse()
          return {
            id: p.id,
            published: { totalCount: published.length, nodes: page(published, 1).map(({ id }) => ({ id })) },
            drafts: { totalCount: drafts.length, nodes: page(drafts).map(({ id }) => ({ id })) },
          }
        }),
      },
    }),
    unasked: /\b(title|body|metadata|full_name)\b/,
  },
  {
    name: 'aliases of a root list: one statement for the whole operation',
    sizes: [2, 20],
    document: (n) => `{ oldest: posts(first: ${n}) { nodes { id } } newest: posts(last: ${n}) { nodes { id } } }`,
    statements: 1,
    expected: (m, n) => ({ oldest: { nodes: m.posts.slice(0, n).map(({ id }) => ({ id })) }, newest: { nodes: lastPage(m.posts, n).map(({ id }) => ({ id })) } }),
    unasked: /\b(title|body|metadata)\b/,
  },
  {
    name: 'fragments: named, inline, and on the Node interface',
    sizes: [2, 20],
    document: (n) => `query { posts(first: ${n}) { nodes { ...PostFields ... on Node { nodeId } personByAuthor { ...PersonName } } } }
      fragment PostFields on Post { id title tagsViaPostTag { nodes { ... on Tag { label } } } }
      fragment PersonName on Person { fullName ... on Node { nodeId } }`,
    statements: 1,
    expected: (m, n) => ({
      posts: {
        nodes: m.posts.slice(0, n).map((post) => ({
          id: post.id,
          title: post.title,
          tagsViaPostTag: { nodes: page(tagsOf(m, post.id)).map(({ label }) => ({ label })) },
          nodeId: nodeIdOf(`Post:${post.id}`),
          personByAuthor: { fullName: personById(m, post.author).fullName, nodeId: nodeIdOf(`Person:${post.author}`) },
        })),
      },
    }),
    unasked: /\b(body|metadata|email|nickname)\b/,
  },
  {
    // Keyset cursors: `after` a post means the posts with a greater key, under every parent.
    name: 'a nested connection paged forward (first/after)',
    sizes: [3, 12],
    document: (n) => `{ people(first: ${n}) { nodes { id posts(first: 2, after: "${cursorOfPost('5')}") { pageInfo { hasNextPage } nodes { id } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      people: {
        nodes: m.people.slice(0, n).map((p) => {
          const after = postsBy(m, p.id).filter((post) => Number(post.id) > 5)
          return { id: p.id, posts: { pageInfo: { hasNextPage: after.length > 2 }, nodes: page(after, 2).map(({ id }) => ({ id })) } }
        }),
      },
    }),
    unasked: /\b(title|body|metadata|full_name)\b/,
  },
  {
    // Post 1's cursor, on the list it came from: the page is the same whatever a cursor from
    // another parent's list would mean.
    name: 'a nested connection under a lookup, paged forward with a cursor from that list',
    sizes: [1, 20],
    document: (n) => `{ person(id: 2) { fullName posts(first: ${n}, after: "${cursorOfPost('1')}") { pageInfo { hasNextPage } nodes { id title } } } }`,
    statements: 1,
    expected: (m, n) => {
      const after = postsBy(m, 2).filter((post) => Number(post.id) > 1)
      return { person: { fullName: personById(m, 2).fullName, posts: { pageInfo: { hasNextPage: after.length > n }, nodes: page(after, n).map(({ id, title }) => ({ id, title })) } } }
    },
    unasked: /\b(body|metadata|email|nickname)\b/,
  },
  {
    name: 'a nested connection paged backward (last/before)',
    sizes: [3, 12],
    document: (n) => `{ people(first: ${n}) { nodes { id posts(last: 1, before: "${cursorOfPost('15')}") { pageInfo { hasPreviousPage } nodes { id } } } } }`,
    statements: 1,
    expected: (m, n) => ({
      people: {
        nodes: m.people.slice(0, n).map((p) => {
          const before = postsBy(m, p.id).filter((post) => Number(post.id) < 15)
          return { id: p.id, posts: { pageInfo: { hasPreviousPage: before.length > 1 }, nodes: lastPage(before, 1).map(({ id }) => ({ id })) } }
        }),
      },
    }),
    unasked: /\b(title|body|metadata|full_name)\b/,
  },
  {
    name: 'filters on relations: to-many `some` at the root, to-one `is` nested, with totalCount',
    sizes: [2, 12],
    document: (n) => `{ people(first: ${n}, where: { posts: { some: { published: { equals: false } } } }) { totalCount nodes { id
        posts(where: { personByAuthor: { is: { countryCode: { equals: "US" } } } }) { nodes { id } } } } }`,
    statements: 1,
    expected: (m, n) => {
      const matching = m.people.filter((p) => postsBy(m, p.id).some((post) => !post.published))
      return {
        people: {
          totalCount: matching.length,
          nodes: matching.slice(0, n).map((p) => ({ id: p.id, posts: { nodes: p.countryCode === 'US' ? page(postsBy(m, p.id)).map(({ id }) => ({ id })) : [] } })),
        },
      }
    },
    unasked: /\b(title|body|metadata|full_name|email)\b/,
  },
  {
    name: 'filters through a join table, at the root and on a many-to-many connection',
    sizes: [2, 20],
    document: (n) => `{ posts(first: ${n}, where: { postTags: { some: { tag: { is: { label: { in: ["graphql", "prisma"] } } } } } }) {
        totalCount nodes { id tagsViaPostTag(where: { label: { startsWith: "p" } }) { totalCount nodes { label } } } } }`,
    statements: 1,
    expected: (m, n) => {
      const matching = m.posts.filter((post) => tagsOf(m, post.id).some((t) => t.label === 'graphql' || t.label === 'prisma'))
      return {
        posts: {
          totalCount: matching.length,
          nodes: matching.slice(0, n).map((post) => {
            const tags = tagsOf(m, post.id).filter((t) => t.label.startsWith('p'))
            return { id: post.id, tagsViaPostTag: { totalCount: tags.length, nodes: page(tags).map(({ label }) => ({ label })) } }
          }),
        },
      }
    },
    unasked: /\b(title|body|metadata)\b/,
  },
  {
    name: 'N lookups by key of one type: one statement, in order, null where missing',
    sizes: [10, 100],
    document: (n) => `{ ${aliases(n, (i) => `post(id: ${postIdAt(i)}) { id title }`)} }`,
    statements: 1,
    expected: (m, n) =>
      expectAliases(n, (i) => {
        const post = m.posts.find((p) => p.id === String(postIdAt(i)))
        return post ? { id: post.id, title: post.title } : null
      }),
    unasked: /\b(body|metadata|published_at|author)\b/,
  },
  {
    name: 'N lookups by a composite key: one statement',
    sizes: [5, 50],
    document: (n) => `{ ${aliases(n, (i) => `orderLine(orderId: ${orderLineAt(i).orderId}, lineNo: ${orderLineAt(i).lineNo}) { orderId lineNo quantity }`)} }`,
    statements: 1,
    expected: (m, n) =>
      expectAliases(n, (i) => {
        const { orderId, lineNo } = orderLineAt(i)
        return m.orderLines.find((l) => l.orderId === orderId && l.lineNo === lineNo) ?? null
      }),
    unasked: /\bitem_sku\b/,
  },
  {
    name: 'N lookups by key with nested relations: one statement',
    sizes: [10, 100],
    document: (n) => `{ ${aliases(n, (i) => `post(id: ${postIdAt(i)}) { title personByAuthor { fullName } tagsViaPostTag { nodes { label } } }`)} }`,
    statements: 1,
    expected: (m, n) =>
      expectAliases(n, (i) => {
        const post = m.posts.find((p) => p.id === String(postIdAt(i)))
        if (!post) return null
        return { title: post.title, personByAuthor: { fullName: personById(m, post.author).fullName }, tagsViaPostTag: { nodes: page(tagsOf(m, post.id)).map(({ label }) => ({ label })) } }
      }),
    unasked: /\b(body|metadata|email|nickname)\b/,
  },
  {
    name: 'N lookups of each of two types: one statement for the whole operation',
    sizes: [5, 50],
    document: (n) => `{ ${aliases(n, (i) => `person(id: ${((i * 5) % 15) + 1}) { fullName }`)}
      ${Array.from({ length: n }, (_, i) => `t${i}: tag(id: ${(i % 8) + 1}) { label }`).join('\n')} }`,
    statements: 1,
    expected: (m, n) => ({
      ...expectAliases(n, (i) => {
        const person = m.people.find((p) => p.id === ((i * 5) % 15) + 1)
        return person ? { fullName: person.fullName } : null
      }),
      ...Object.fromEntries(Array.from({ length: n }, (_, i) => {
        const tag = m.tags.find((t) => t.id === (i % 8) + 1)
        return [`t${i}`, tag ? { label: tag.label } : null]
      })),
    }),
    unasked: /\b(email|nickname)\b/,
  },
  {
    name: 'node(nodeId:) lookups of five types, composite keys and missing rows included: one statement',
    sizes: [5, 50],
    document: (n) =>
      `{ ${aliases(n, (i) => {
        const { type, key } = nodeTargetAt(model, i)
        return `node(nodeId: "${key === null ? ctx.ghostNodeIds.get(type) : nodeIdOf(`${type}:${key}`)}") ${NODE_SELECTION}`
      })} }`,
    statements: 1,
    expected: (m, n) =>
      expectAliases(n, (i) => {
        const { type, key } = nodeTargetAt(m, i)
        return key === null ? null : expectedNode(m, type, key)
      }),
    unasked: /\b(email|body|metadata|expires_at|item_sku)\b/,
  },
]
OPERATIONS.push(
  executedByGraphQL(OPERATIONS.find((op) => op.name.startsWith('N lookups of each of two types'))!, 2),
  executedByGraphQL(OPERATIONS.find((op) => op.name.startsWith('node(nodeId:) lookups of five types'))!, NODE_TYPES.length),
)

// ---- The tests ---------------------------------------------------------------------------------

/** Statement counts seen per operation at the base data, for the grown-data runs to compare with. */
const seen = new Map<string, number[]>()

async function check(op: Operation, n: number): Promise<number> {
  const document = op.document(n)
  const { data, statements } = await run(document)
  const where = `${op.name} (size ${n}); statements:\n${describeStatements(statements)}`
  expect.soft(data, `data of ${op.name} (size ${n})`).toEqual(op.expected(model, n))
  if (op.unasked) for (const statement of statements) expect.soft(statement, `a column not asked for: ${where}`).not.toMatch(op.unasked)
  expect.soft(statements.length, `statement count of ${where}`).toBe(op.statements)
  return statements.length
}

describe('statements per operation, at two sizes', () => {
  it.each(OPERATIONS)('$name', async (op) => {
    const counts = [await check(op, op.sizes[0]), await check(op, op.sizes[1])]
    seen.set(op.name, counts)
    expect(counts, `${op.name}: the count must not depend on the size`).toEqual([op.statements, op.statements])
  })
})

describe('statements per operation, after the database has grown', () => {
  beforeAll(async () => {
    // Four to twenty times the rows: more people, posts, tags and their links, messages, orders,
    // order lines, employees, 2fa codes.
    await sql.query(`
      INSERT INTO app.person (id, email, full_name, country_code)
      SELECT i, format('grown%s@example.com', i), format('Grown Person %s', i), (ARRAY['GB','US','NL','DE'])[i % 4 + 1]
      FROM generate_series(13, 60) AS i;
      INSERT INTO app.post (id, title, author, published)
      SELECT i, format('Post number %s', i), i % 60 + 1, i % 3 <> 0 FROM generate_series(21, 400) AS i;
      INSERT INTO app.tag (id, label) SELECT i, format('grown tag %s', i) FROM generate_series(7, 12) AS i;
      INSERT INTO app.post_tag (post_id, tag_id)
      SELECT p, t FROM generate_series(21, 400) AS p, generate_series(1, 12) AS t WHERE (p + t) % 4 = 0;
      INSERT INTO app.message (id, sender_id, recipient_id, body, sent_at)
      SELECT i, i % 60 + 1, (i * 7) % 60 + 1, format('Hello #%s', i), timestamptz '2024-03-02 08:00:00+00' + i * interval '1 minute'
      FROM generate_series(16, 300) AS i;
      INSERT INTO app."order" (id, "select", "from", status, person_id)
      SELECT i, 'standard', date '2024-05-01' + i, (ARRAY['pending','paid','shipped','cancelled'])[i % 4 + 1]::app.order_status, i % 60 + 1
      FROM generate_series(7, 100) AS i;
      INSERT INTO app.order_line (order_id, line_no, item_sku, quantity)
      SELECT o, l, format('SKU-%s', lpad(((o + l) % 8 + 1)::text, 3, '0')), l FROM generate_series(7, 100) AS o, generate_series(1, 4) AS l;
      INSERT INTO app.employee (id, name, title, manager_id)
      SELECT i, format('Employee %s', i), 'Engineer', (i - 1) / 3 FROM generate_series(11, 60) AS i;
      INSERT INTO app."2fa_codes" (person_id, code, "1st_choice", expires_at)
      SELECT i, lpad(i::text, 6, '0'), 'sms', timestamp '2024-06-01 00:00:00' FROM generate_series(13, 60) AS i`)
    model = await loadModel()
    expect(model.posts).toHaveLength(400)
  })

  it.each(OPERATIONS)('$name', async (op) => {
    const count = await check(op, op.sizes[1])
    expect(count, `${op.name}: the count must not depend on the data`).toBe(op.statements)
    const before = seen.get(op.name)
    if (before) expect(count, `${op.name}: same count as on the smaller database`).toBe(before[1])
  })
})

describe('loaders live and die with their request', () => {
  const lookups = `{ a: post(id: 3) { title } b: post(id: 1) { title } c: post(id: 999999) { title } d: post(id: 2) { title } }`

  it('the same lookups, run twice, cost one statement each time and see a change made in between', async () => {
    const first = await run(lookups)
    expect(first.statements).toHaveLength(1)
    expect(first.data).toEqual({ a: { title: 'Post number 3' }, b: { title: 'Post number 1' }, c: null, d: { title: 'Post number 2' } })

    await sql.query(`UPDATE app.post SET title = 'Post number 1, edited' WHERE id = 1`)
    try {
      const second = await run(lookups)
      expect(second.statements).toHaveLength(1)
      expect(second.data).toEqual({ a: { title: 'Post number 3' }, b: { title: 'Post number 1, edited' }, c: null, d: { title: 'Post number 2' } })
    } finally {
      await sql.query(`UPDATE app.post SET title = 'Post number 1' WHERE id = 1`)
    }
  })

  it('node lookups, run twice, cost one statement each time', async () => {
    const document = `{ a: node(nodeId: "${nodeIdOf('Post:2')}") ${NODE_SELECTION} b: node(nodeId: "${nodeIdOf('Person:3')}") ${NODE_SELECTION} }`
    for (let i = 0; i < 2; i++) {
      const { data, statements } = await run(document)
      expect(statements, `run ${i + 1}`).toHaveLength(1)
      expect(data).toEqual({ a: { nodeId: nodeIdOf('Post:2'), title: 'Post number 2' }, b: { nodeId: nodeIdOf('Person:3'), fullName: 'Grace Hopper' } })
    }
  })

  it('two requests at the same time: one statement each, and each gets only its own rows', async () => {
    // Batching must not cross requests: two requests arriving together never share a statement
    // (nor each other's rows).
    const fetchData = async (document: string) => {
      const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: document }),
      })
      return (await response.json()) as { data?: unknown; errors?: unknown }
    }
    api.statements.length = 0
    await counter?.reset()
    const [a, b] = await Promise.all([fetchData('{ x: post(id: 4) { title } y: post(id: 5) { title } }'), fetchData('{ x: post(id: 6) { title } z: post(id: 7) { title } }')])
    expect(a).toEqual({ data: { x: { title: 'Post number 4' }, y: { title: 'Post number 5' } } })
    expect(b).toEqual({ data: { x: { title: 'Post number 6' }, z: { title: 'Post number 7' } } })
    expect(dataStatements(api.statements)).toHaveLength(2)
    if (counter) expect(dataStatements(await counter.read())).toHaveLength(2)
  })
})
