/**
 * The Pothos datamodel is read from the schema.prisma text (src/model/pothos-datamodel.ts), so a
 * schema is built before `prisma generate` has run. It must equal what `prisma-pothos-types`
 * writes from Prisma's DMMF, on a database with what changes it: two relations between the same
 * tables (named), a self-relation, composite and one-column keys and uniques, an enum, a list, a
 * column of a type Prisma cannot read (Portico reads it as text), a view with a declared key, and comments, one of them on
 * several lines. (The fixture suite checks Pagila, Chinook and iotawatt the same way.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadGeneratedClient } from '../src/model/generate-client.js'
import { pothosDatamodelOf } from '../src/model/pothos-datamodel.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'
import { createTestDatabase, type TestDatabase } from './support/test-database.js'

const DDL = `
  CREATE SCHEMA dm;
  CREATE TYPE dm.mood AS ENUM ('calm', 'busy');
  CREATE TABLE dm.person (
    id integer PRIMARY KEY,
    email text NOT NULL UNIQUE,
    mentor_id integer REFERENCES dm.person (id),
    mood dm.mood NOT NULL DEFAULT 'calm',
    tags text[] NOT NULL DEFAULT '{}',
    spot point
  );
  COMMENT ON TABLE dm.person IS E'People.\nTwo lines of comment.';
  COMMENT ON COLUMN dm.person.email IS 'Where to write';
  CREATE TABLE dm.message (
    sender_id integer NOT NULL REFERENCES dm.person (id),
    recipient_id integer NOT NULL REFERENCES dm.person (id),
    sent_at timestamptz NOT NULL DEFAULT now(),
    body text,
    PRIMARY KEY (sender_id, sent_at),
    UNIQUE (recipient_id, sent_at)
  );
  CREATE VIEW dm.busy_people AS SELECT id, email FROM dm.person WHERE mood = 'busy';`

let db: TestDatabase
let api: TestGateway

beforeAll(async () => {
  db = await createTestDatabase('datamodel', DDL)
  api = await startTestGateway(db.url, { schemas: ['dm'], primaryKeys: { 'dm.busy_people': ['id'] } })
}, 120_000)

afterAll(async () => {
  await api?.close()
  await db?.drop()
})

describe('the Pothos datamodel from schema.prisma', () => {
  it('equals the one prisma generate writes, member for member and in the same order', async () => {
    const generated = await loadGeneratedClient(api.gateway.prismaSchema)
    const read = pothosDatamodelOf(api.gateway.prismaSchema)
    expect(JSON.parse(JSON.stringify(read))).toEqual(generated.datamodel)
    expect(JSON.stringify(read)).toBe(JSON.stringify(generated.datamodel))
    // What the cases above are there for.
    const person = read.datamodel.models.Person!
    expect(person.documentation).toBe('People.\nTwo lines of comment.')
    // Prisma's Unsupported("point"), which Portico serves as text.
    expect(person.fields.find((f) => f.name === 'spot')?.type).toBe('String')
    expect(new Set(read.datamodel.models.Message!.fields.filter((f) => f.kind === 'object').map((f) => f.relationName)).size).toBe(2)
    expect(read.datamodel.models.Message!.primaryKey).toEqual({ name: null, fields: ['senderId', 'sentAt'] })
  })
})
