/**
 * The committed prisma/schema.prisma and schema.graphql are those of the reference database
 * (api.iotawatt, with the key declared in portico.config.json): regenerate and compare.
 * Also: introspection is idempotent (a second run over its own output changes nothing).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { DEMO_SCHEMA_SQL } from '../src/db/demo-database.js'
import { printGraphQLSchema } from '../src/schema/build-schema.js'
import { introspectDatabase } from '../src/introspect/introspect-database.js'
import { createTestDatabase, repoRoot, type TestDatabase } from './support/test-database.js'
import { startTestGateway, type TestGateway } from './support/gateway.js'

let db: TestDatabase
let api: TestGateway
const { primaryKeys } = loadConfig({ env: {}, cwd: repoRoot })

beforeAll(async () => {
  db = await createTestDatabase('drift', DEMO_SCHEMA_SQL)
  api = await startTestGateway(db.url, { schemas: ['api'], primaryKeys })
})
afterAll(async () => {
  await api?.close()
  await db?.drop()
})

it('prisma/schema.prisma is what introspecting the reference database writes', () => {
  expect(api.gateway.prismaSchema).toBe(readFileSync(join(repoRoot, 'prisma', 'schema.prisma'), 'utf8'))
})

it('schema.graphql is the printed schema of the reference database', () => {
  expect(printGraphQLSchema(api.gateway.schema)).toBe(readFileSync(join(repoRoot, 'schema.graphql'), 'utf8'))
})

it('introspecting again over the result changes nothing', async () => {
  const again = await introspectDatabase(api.gateway.pool, { schemas: ['api'], primaryKeys, previous: api.gateway.prismaSchema })
  expect(again.prismaSchema).toBe(api.gateway.prismaSchema)
})
