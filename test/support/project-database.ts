/**
 * The setup most API tests share: the project's test database (test/fixtures/portico-test.sql,
 * or other scripts) in a throw-away database, a gateway on it, and a plain `pg` client to ask
 * PostgreSQL the same questions. Registers its own beforeAll/afterAll; the returned object is
 * filled in by beforeAll. The fixture suite's twin is test/fixtures-suite/fixture.ts.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect } from 'vitest'
import type { ConfigInput } from '../../src/config/config.js'
import { startTestGateway, type TestGateway } from './gateway.js'
import { createTestDatabase, readFixtureSql, type TestDatabase } from './test-database.js'

export interface ProjectDatabase {
  db: TestDatabase
  api: TestGateway
  sql: pg.Client
  rows(text: string, params?: unknown[]): Promise<any[]>
}

export function useProjectDatabase(
  prefix: string,
  options: { config?: Partial<ConfigInput>; scripts?: string[]; onConnect?: (sql: pg.Client) => Promise<unknown> } = {},
): ProjectDatabase {
  const project = {} as ProjectDatabase
  beforeAll(async () => {
    project.db = await createTestDatabase(prefix, options.scripts ?? readFixtureSql('portico-test.sql'))
    project.api = await startTestGateway(project.db.url, options.config ?? { schemas: ['app', 'audit', 'public'] })
    project.sql = new pg.Client({ connectionString: project.db.url })
    await project.sql.connect()
    await options.onConnect?.(project.sql)
    project.rows = async (text, params = []) => (await project.sql.query(text, params)).rows
  })
  afterAll(async () => {
    await project.sql?.end()
    await project.api?.close()
    await project.db?.drop()
  })
  return project
}

/** Introspection in the operation makes it run field by field (DataLoaders, resolvers, scalars). */
export const FIELD_BY_FIELD = '__schema { queryType { name } }'

/** The same selection on both paths: compiled into one statement, and executed field by field; they must agree. */
export async function bothPaths(api: TestGateway, query: string): Promise<any> {
  const compiled = await api.data(`{ ${query} }`)
  expect(api.statements).toHaveLength(1)
  const executed = await api.data(`{ ${query} ${FIELD_BY_FIELD} }`)
  delete executed.__schema
  expect(executed).toEqual(compiled)
  return compiled
}
