/**
 * Extensions under authorization (issue 12): an extension's SQL and loaders run in the request's
 * database session, as the caller, so row-level security and GRANTs apply to them as to the
 * generated fields; a write refused by a policy is FORBIDDEN; a loader still batches.
 */
import { SignJWT } from 'jose'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { PorticoApi } from '../src/index.js'
import { startTestGateway, type GraphQLResult, type TestGateway } from './support/gateway.js'
import { dropRlsRolesSql, rlsRoles, rlsSchemaSql } from './support/rls-schema.js'
import { createTestDatabase, LOCAL_ADMIN_URL, testServer, type TestDatabase } from './support/test-database.js'

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256'
const prefix = `portico_extauth_${Math.random().toString(36).slice(2, 8)}`
const roles = rlsRoles(prefix)
let db: TestDatabase
let api: TestGateway

function notes(builder: any, portico: PorticoApi): void {
  builder.prismaObjectField('Note', 'commentBodies', (t: any) =>
    t.stringList({
      select: { id: true },
      resolve: (note: { id: number }) =>
        portico
          .loader<number, string[]>('comments', async (ids) => {
            const rows = await portico.sql<{ note_id: number; body: string }>`SELECT note_id, body FROM notes.comment WHERE note_id = ANY(${[...ids]}::int[]) ORDER BY id`
            return ids.map((id) => rows.filter((r) => r.note_id === id).map((r) => r.body))
          })
          .load(note.id),
    }),
  )
  builder.queryField('whoAmI', (t: any) =>
    t.string({
      resolve: async () => {
        const [row] = await portico.sql<{ who: string; sub: string }>`SELECT current_user AS who, current_setting('request.jwt.claims', true)::json ->> 'sub' AS sub`
        return `${row!.who} ${row!.sub} ${portico.session()?.role}`
      },
    }),
  )
  builder.queryField('allCommentBodies', (t: any) => t.stringList({ resolve: async () => (await portico.sql<{ body: string }>`SELECT body FROM notes.comment ORDER BY id`).map((r) => r.body) }))
  builder.mutationField('addComment', (t: any) =>
    t.int({
      nullable: true,
      args: { id: t.arg.int({ required: true }), noteId: t.arg.int({ required: true }), body: t.arg.string({ required: true }) },
      resolve: async (_root: unknown, args: { id: number; noteId: number; body: string }) => {
        const [row] = await portico.sql<{ id: number }>`INSERT INTO notes.comment (id, note_id, body) VALUES (${args.id}, ${args.noteId}, ${args.body}) RETURNING id`
        return row!.id
      },
    }),
  )
}

beforeAll(async () => {
  db = await createTestDatabase('ext_auth', rlsSchemaSql(prefix))
  api = await startTestGateway(db.url, { schemas: ['notes'], poolSize: 1, auth: { jwtSecret: SECRET, roles: [roles.user], anonymousRole: roles.anon } }, { extensions: [notes] })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await db?.drop()
  if ((await testServer()).kind !== 'pglite') {
    const admin = new pg.Client(LOCAL_ADMIN_URL)
    await admin.connect()
    await admin.query(dropRlsRolesSql(prefix)).finally(() => admin.end())
  }
})

async function as(sub: string, query: string): Promise<GraphQLResult> {
  const token = await new SignJWT({ sub, role: roles.user }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET))
  api.statements.length = 0
  const response = await api.gateway.yoga.fetch('http://portico.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  })
  return (await response.json()) as GraphQLResult
}

it("an extension's SQL and loaders see only the caller's rows, as the caller's role", async () => {
  const query = '{ notes(orderBy: [{ id: ASC }]) { nodes { id commentBodies } } whoAmI allCommentBodies }'
  expect(await as('alice', query)).toEqual({
    data: { notes: { nodes: [{ id: 1, commentBodies: ['on alice one'] }, { id: 2, commentBodies: [] }] }, whoAmI: `${roles.user} alice ${roles.user}`, allCommentBodies: ['on alice one'] },
  })
  // The compiled statement, one loader batch for both notes, the two root fields' statements.
  expect(api.statements).toHaveLength(4)
  expect(await as('bob', query)).toEqual({
    data: { notes: { nodes: [{ id: 3, commentBodies: ['on bob one'] }] }, whoAmI: `${roles.user} bob ${roles.user}`, allCommentBodies: ['on bob one'] },
  })
})

it("a write through portico.sql is the caller's: a row-level security refusal is FORBIDDEN, an allowed one commits", async () => {
  const refused = await as('alice', 'mutation { addComment(id: 10, noteId: 3, body: "on bob\'s note") }')
  expect(refused.data).toEqual({ addComment: null })
  expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
  expect(refused.errors?.[0]?.message).toBe('Permission denied: new row violates row-level security policy for table "comment"')
  const allowed = await as('alice', 'mutation { addComment(id: 11, noteId: 2, body: "on alice two") }')
  expect(allowed).toEqual({ data: { addComment: 11 } })
  expect((await as('alice', '{ allCommentBodies }')).data).toEqual({ allCommentBodies: ['on alice one', 'on alice two'] })
  expect((await as('bob', '{ allCommentBodies }')).data).toEqual({ allCommentBodies: ['on bob one'] })
})
