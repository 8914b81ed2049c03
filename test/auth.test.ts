/**
 * Authorization through PostgreSQL: a JWT's role and claims become the request transaction's role
 * and `request.jwt.claims`, so row-level security decides what each caller sees and writes.
 * Alice and Bob each see only their own notes through every path Portico reads by (the compiled
 * statement, field-by-field execution with its DataLoaders, `node`, `_entities`, aggregates,
 * nested relations) and write only their own; a role without a GRANT gets a clear permission
 * error; bad tokens get 401s; and nothing is left on the pooled connection for the next request.
 */
import { SignJWT } from 'jose'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOCAL_ADMIN_URL, createTestDatabase, testServer, type TestDatabase } from './support/test-database.js'
import { startTestGateway, type GraphQLResult, type TestGateway } from './support/gateway.js'
import { dropRlsRolesSql, rlsRoles, rlsSchemaSql } from './support/rls-schema.js'

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256'
const prefix = `portico_auth_${Math.random().toString(36).slice(2, 8)}`
const roles = rlsRoles(prefix)
let db: TestDatabase
let api: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('auth', rlsSchemaSql(prefix))
  // A pool of one: every request reuses the same connection, so a setting left behind would show.
  // maxBulkRows 2: below the three notes, at Alice's two (row-level security counts first).
  api = await startTestGateway(db.url, { schemas: ['notes'], poolSize: 1, limits: { maxBulkRows: 2 }, auth: { jwtSecret: SECRET, roles: [roles.user, roles.nogrant], anonymousRole: roles.anon } })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await db?.drop()
  // Roles are cluster-wide: they outlive the database unless dropped.
  if ((await testServer()).kind !== 'pglite') {
    const admin = new pg.Client(LOCAL_ADMIN_URL)
    await admin.connect()
    await admin.query(dropRlsRolesSql(prefix)).finally(() => admin.end())
  }
})

async function token(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: string } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET))
}

const as = (sub: string, role = roles.user) => token({ sub, role })

async function post(query: string, authorization?: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GraphQLResult; headers: Headers }> {
  const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  })
  return { status: response.status, body: (await response.json()) as GraphQLResult, headers: response.headers }
}

async function dataAs(sub: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const { status, body } = await post(query, `Bearer ${await as(sub)}`, variables)
  expect(body.errors).toBeUndefined()
  expect(status).toBe(200)
  return body.data
}

/** What a pooled connection carries after a request: PostgreSQL's defaults, not the caller's. */
async function leftOnConnection(): Promise<unknown> {
  const { rows } = await api.gateway.pool.query("SELECT current_user AS who, coalesce(current_setting('request.jwt.claims', true), '') AS claims, coalesce(current_setting('request.jwt.claim.sub', true), '') AS sub")
  return rows[0]
}

describe('each user sees only their own rows', () => {
  it('in a root list, with totalCount and aggregates (one compiled statement)', async () => {
    const query = '{ notes(orderBy: [{ id: ASC }]) { totalCount nodes { id body } aggregates { count sum { score } } } }'
    api.statements.length = 0
    // Integer sums are BigInt, served as text.
    expect(await dataAs('alice', query)).toEqual({
      notes: { totalCount: 2, nodes: [{ id: 1, body: 'alice one' }, { id: 2, body: 'alice two' }], aggregates: { count: 2, sum: { score: '7' } } },
    })
    expect(api.statements).toHaveLength(1)
    expect(await dataAs('bob', query)).toEqual({ notes: { totalCount: 1, nodes: [{ id: 3, body: 'bob one' }], aggregates: { count: 1, sum: { score: '10' } } } })
  })

  it('through the compiled lane too: a query Yoga compiled once is answered there, as each caller, and a bad token is still refused', async () => {
    const query = '{ notes(orderBy: [{ id: ASC }]) { nodes { id body } } }'
    await dataAs('alice', query)
    const answered = api.gateway.yoga.lane.answered
    expect(await dataAs('bob', query)).toEqual({ notes: { nodes: [{ id: 3, body: 'bob one' }] } })
    expect(await dataAs('alice', query)).toEqual({ notes: { nodes: [{ id: 1, body: 'alice one' }, { id: 2, body: 'alice two' }] } })
    expect(api.gateway.yoga.lane.answered).toBe(answered + 2)
    expect(await leftOnConnection()).toEqual({ who: expect.not.stringMatching(new RegExp(roles.user)), claims: '', sub: '' })
    const refused = await post(query, `Bearer ${await token({ sub: 'alice', role: roles.user }, { secret: 'another-secret-that-is-long-enough-for-hs256' })}`)
    expect(refused.status).toBe(401)
    expect(api.gateway.yoga.lane.answered).toBe(answered + 2)
  })

  it('in groupBy', async () => {
    const query = '{ notesGroupBy(by: [owner]) { key { owner } aggregates { count } } }'
    expect(await dataAs('bob', query)).toEqual({ notesGroupBy: [{ key: { owner: 'bob' }, aggregates: { count: 1 } }] })
  })

  it('by key and by node id: the other user\'s row is null', async () => {
    const nodeIds = await dataAs('bob', '{ notes { nodes { nodeId } } }')
    const bobsNodeId = nodeIds.notes.nodes[0].nodeId as string
    const query = `{ mine: note(id: 1) { body } theirs: note(id: 3) { body } node(nodeId: "${bobsNodeId}") { ... on Note { body } } }`
    expect(await dataAs('alice', query)).toEqual({ mine: { body: 'alice one' }, theirs: null, node: null })
    expect(await dataAs('bob', query)).toEqual({ mine: null, theirs: { body: 'bob one' }, node: { body: 'bob one' } })
  })

  it('field by field too (introspection in the operation): lists and DataLoader lookups', async () => {
    const query = '{ __typename notes { nodes { body } } a: note(id: 1) { body } b: note(id: 3) { body } }'
    expect(await dataAs('alice', query)).toEqual({ __typename: 'Query', notes: { nodes: [{ body: 'alice one' }, { body: 'alice two' }] }, a: { body: 'alice one' }, b: null })
  })

  it('in nested relations from a table everyone may read', async () => {
    const query = '{ accounts(orderBy: [{ id: ASC }]) { nodes { id notes { nodes { body comments { nodes { body } } } } } } }'
    expect(await dataAs('alice', query)).toEqual({
      accounts: {
        nodes: [
          { id: 'alice', notes: { nodes: [{ body: 'alice one', comments: { nodes: [{ body: 'on alice one' }] } }, { body: 'alice two', comments: { nodes: [] } }] } },
          { id: 'bob', notes: { nodes: [] } },
        ],
      },
    })
  })

  it('through federation _entities', async () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Note { body } } }'
    const representations = [{ __typename: 'Note', id: 3 }, { __typename: 'Note', id: 1 }]
    expect(await dataAs('alice', query, { r: representations })).toEqual({ _entities: [null, { body: 'alice one' }] })
    expect(await dataAs('bob', query, { r: representations })).toEqual({ _entities: [{ body: 'bob one' }, null] })
  })
})

describe('each user writes only their own rows', () => {
  it('a create takes its owner from the claims and is visible to its owner only', async () => {
    const created = await dataAs('bob', 'mutation { createNote(data: { body: "bob two", score: 1 }) { id owner body } }')
    expect(created.createNote).toEqual({ id: expect.any(Number), owner: 'bob', body: 'bob two' })
    const id = created.createNote.id as number
    expect(await dataAs('alice', `{ note(id: ${id}) { body } }`)).toEqual({ note: null })
    expect(await dataAs('bob', `{ note(id: ${id}) { body } }`)).toEqual({ note: { body: 'bob two' } })
    await dataAs('bob', `mutation { deleteNote(where: { id: ${id} }) { id } }`)
  })

  it('another user\'s row cannot be updated or deleted: to them it does not exist', async () => {
    const update = await post('mutation { updateNote(where: { id: 3 }, data: { body: "hacked" }) { body } }', `Bearer ${await as('alice')}`)
    expect(update.body.errors).toEqual([expect.objectContaining({ message: 'no Note row has this key', extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })])
    const remove = await post('mutation { deleteNote(where: { id: 3 }) { body } }', `Bearer ${await as('alice')}`)
    expect(remove.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
    expect(await dataAs('bob', '{ note(id: 3) { body } }')).toEqual({ note: { body: 'bob one' } })
  })

  it('a constraint error inside the request transaction is the usual typed error, and the request goes on', async () => {
    const result = await post('mutation { dup: createNote(data: { id: 1, body: "again" }) { id } after: createNote(data: { body: "after dup" }) { body } }', `Bearer ${await as('alice')}`)
    expect(result.body.errors).toEqual([expect.objectContaining({ path: ['dup'], extensions: expect.objectContaining({ code: 'UNIQUE_VIOLATION' }) })])
    expect(result.body.data).toEqual({ dup: null, after: { body: 'after dup' } })
    await dataAs('alice', 'mutation { deleteManyNote(where: { body: { equals: "after dup" } }) { count } }')
  })

  it('a row written for another user is refused by the policy, and the operation\'s other writes stand', async () => {
    const result = await post(
      'mutation { ok: createNote(data: { body: "alice three" }) { body } forged: createNote(data: { owner: "bob", body: "forged" }) { body } }',
      `Bearer ${await as('alice')}`,
    )
    expect(result.body.data).toEqual({ ok: { body: 'alice three' }, forged: null })
    expect(result.body.errors).toEqual([
      expect.objectContaining({ message: 'permission denied: new row violates row-level security policy for table "note"', path: ['forged'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    ])
    expect(await dataAs('bob', '{ notes { nodes { body } } }')).toEqual({ notes: { nodes: [{ body: 'bob one' }] } })
    expect(await dataAs('alice', '{ notes(where: { body: { equals: "alice three" } }) { totalCount } }')).toEqual({ notes: { totalCount: 1 } })
    await dataAs('alice', 'mutation { deleteManyNote(where: { body: { equals: "alice three" } }) { count } }')
  })
})

describe('bulk writes run as the caller', () => {
  const scores = async () => (await api.gateway.pool.query('SELECT id, owner, score FROM notes.note ORDER BY id')).rows

  it('all: true touches and counts only the rows the policy shows; maxBulkRows counts those too', async () => {
    const before = await scores()
    expect(before).toEqual([{ id: 1, owner: 'alice', score: 3 }, { id: 2, owner: 'alice', score: 4 }, { id: 3, owner: 'bob', score: 10 }])
    const unfiltered = await post('mutation { deleteManyNote(where: {}) { count } }', `Bearer ${await as('alice')}`)
    expect(unfiltered.body.errors?.map((e) => e.extensions?.code)).toEqual(['UNFILTERED_BULK_WRITE'])
    // Three notes, over the cap of two, but Alice sees two: within it.
    expect(await dataAs('alice', 'mutation { updateManyNote(all: true, data: { score: 0 }) { count } }')).toEqual({ updateManyNote: { count: 2 } })
    expect(await scores()).toEqual([{ id: 1, owner: 'alice', score: 0 }, { id: 2, owner: 'alice', score: 0 }, { id: 3, owner: 'bob', score: 10 }])
    // A third note of Alice's: now her all: true is over the cap, and rolls back (the request goes on).
    await dataAs('alice', 'mutation { createNote(data: { id: 90, body: "alice bulk" }) { id } }')
    const over = await post('mutation { updateManyNote(all: true, data: { score: 1 }) { count } } ', `Bearer ${await as('alice')}`)
    expect(over.body.errors?.map((e) => e.extensions)).toEqual([{ code: 'BULK_LIMIT_EXCEEDED', type: 'Note', count: 3, maxBulkRows: 2 }])
    expect((await scores()).map((r) => r.score)).toEqual([0, 0, 10, 0])
    expect(await dataAs('alice', 'mutation { deleteManyNote(where: { id: { equals: 90 } }) { count } }')).toEqual({ deleteManyNote: { count: 1 } })
    await api.gateway.pool.query('UPDATE notes.note SET score = CASE id WHEN 1 THEN 3 WHEN 2 THEN 4 ELSE score END')
    expect(await scores()).toEqual(before)
  })
})

describe('GRANTs', () => {
  it('a role without a GRANT on a table gets a clear permission error, no SQL', async () => {
    const { status, body } = await post('{ notes { nodes { body } } }', `Bearer ${await as('carol', roles.nogrant)}`)
    expect(status).toBe(200)
    expect(body.data).toBeNull()
    expect(body.errors).toEqual([expect.objectContaining({ message: 'Permission denied: permission denied for table note', extensions: { code: 'FORBIDDEN' } })])
    expect(JSON.stringify(body)).not.toMatch(/SELECT|json_build_object/)
  })

  it('anonymous requests run as the anonymous role: accounts yes, notes no', async () => {
    expect((await post('{ accounts { totalCount } }')).body).toEqual({ data: { accounts: { totalCount: 2 } } })
    expect((await post('{ notes { totalCount } }')).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
  })
})

describe('tokens', () => {
  it.each([
    ['a wrong signature', async () => `Bearer ${await token({ sub: 'alice', role: roles.user }, { secret: 'another-secret-that-is-long-enough-for-hs256' })}`, 401, 'UNAUTHENTICATED', "The token's signature is not valid."],
    ['an expired token', async () => `Bearer ${await token({ sub: 'alice', role: roles.user }, { expiresIn: '-10m' })}`, 401, 'UNAUTHENTICATED', 'The token has expired.'],
    ['a malformed token', async () => 'Bearer not.a.jwt', 401, 'UNAUTHENTICATED', 'The token is malformed.'],
    ['another scheme', async () => 'Basic YWxpY2U6c2VjcmV0', 401, 'UNAUTHENTICATED', 'The Authorization header must be "Bearer <token>".'],
    ['a role outside the allow-list', async () => `Bearer ${await token({ sub: 'alice', role: 'postgres' })}`, 403, 'FORBIDDEN', "The token's role is not one this API allows."],
    ['no role claim and no default role', async () => `Bearer ${await token({ sub: 'alice' })}`, 403, 'FORBIDDEN', 'The token has no "role" claim and no default role is configured.'],
  ])('%s is refused before anything runs', async (_case, authorization, status, code, message) => {
    api.statements.length = 0
    const response = await post('{ notes { totalCount } }', await authorization())
    expect(response.status).toBe(status)
    expect(response.body).toEqual({ errors: [{ message, extensions: { code } }] })
    if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="portico", error="invalid_token"/)
    expect(api.statements).toEqual([])
  })
})

describe('nothing leaks into the next request on the same connection', () => {
  it('after reads, writes and failures the connection is back to the pool user with no claims', async () => {
    const clean = { who: 'postgres', claims: '', sub: '' }
    await dataAs('alice', '{ notes { totalCount } }')
    expect(await leftOnConnection()).toEqual(clean)
    await post('mutation { createNote(data: { owner: "bob", body: "forged" }) { body } }', `Bearer ${await as('alice')}`)
    expect(await leftOnConnection()).toEqual(clean)
    await post('{ notes { totalCount } }', `Bearer ${await as('carol', roles.nogrant)}`)
    expect(await leftOnConnection()).toEqual(clean)
  })

  it('concurrent users on one pooled connection each get their own rows', async () => {
    const query = '{ notes { nodes { owner } } }'
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => dataAs(i % 2 ? 'bob' : 'alice', query)))
    results.forEach((data, i) => {
      const owners = new Set((data.notes.nodes as { owner: string }[]).map((n) => n.owner))
      expect([...owners]).toEqual([i % 2 ? 'bob' : 'alice'])
    })
  })
})

describe('at start', () => {
  it('a configured role that does not exist stops the gateway with a message saying so', async () => {
    await expect(startTestGateway(db.url, { schemas: ['notes'], auth: { jwtSecret: SECRET, roles: [roles.user, `${prefix}_ghost`] } })).rejects.toThrow(
      `invalid auth configuration: role(s) ${prefix}_ghost do not exist in the database (CREATE ROLE … NOLOGIN)`,
    )
  })
})

describe('idempotency keys are per caller', () => {
  it('the same key from two users writes two rows, each replayed only to its writer', async () => {
    const create = (sub: string) => dataAs(sub, 'mutation { createNote(data: { body: "idem" }, idempotencyKey: "k-1") { id owner } }')
    const alice = (await create('alice')).createNote
    const bob = (await create('bob')).createNote
    expect(alice.owner).toBe('alice')
    expect(bob.owner).toBe('bob')
    expect((await create('alice')).createNote).toEqual(alice)
    await dataAs('alice', 'mutation { deleteManyNote(where: { body: { equals: "idem" } }) { count } }')
    await dataAs('bob', 'mutation { deleteManyNote(where: { body: { equals: "idem" } }) { count } }')
  })

  it('a create retried with a refreshed token (another iat, exp and jti) replays: the key belongs to the caller, not to the token', async () => {
    const now = Math.floor(Date.now() / 1000)
    // Two tokens of alice's, a minute apart, as a client holds after a refresh.
    const tokenAt = (issuedAt: number, jti: string) =>
      new SignJWT({ sub: 'alice', role: roles.user, jti })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 300)
        .sign(new TextEncoder().encode(SECRET))
    const create = async (issuedAt: number, jti: string) =>
      (await post('mutation { createNote(data: { body: "refreshed" }, idempotencyKey: "k-refresh") { id owner } }', `Bearer ${await tokenAt(issuedAt, jti)}`)).body
    const first = await create(now - 60, 'first')
    expect(first.errors).toBeUndefined()
    expect(await create(now, 'refreshed')).toEqual(first)
    expect((await dataAs('alice', '{ notes(where: { body: { equals: "refreshed" } }) { totalCount } }')).notes.totalCount).toBe(1)
    await dataAs('alice', 'mutation { deleteManyNote(where: { body: { equals: "refreshed" } }) { count } }')
  })
})

it('a relation to a table under row-level security is nullable: the row may be hidden from the caller', () => {
  const fields = (type: string) => (api.gateway.schema.getType(type) as import('graphql').GraphQLObjectType).getFields()
  expect(String(fields('Comment').note!.type)).toBe('Note')
  expect(String(fields('Note').accountByOwner!.type)).toBe('Account!')
})
