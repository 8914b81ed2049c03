/**
 * What the statement-count catalogues (test/statement-counts.test.ts, and Pagila's in the fixture
 * suite) share: the shape of an operation, counting only data statements, running a document,
 * and the same operation executed field by field.
 */
import type { TestGateway } from './gateway.js'

export interface CatalogueOperation<Model> {
  name: string
  /** The two sizes it runs at: page sizes, or numbers of lookups. */
  sizes: [number, number]
  document(n: number): string
  /** Data statements it must cost, at every size. */
  statements: number
  /** The answer, from the database. */
  expected(m: Model, n: number): unknown
  /** Columns it does not ask for: no statement may mention them. */
  unasked?: RegExp
}

/**
 * Transaction and session statements (BEGIN/COMMIT/ROLLBACK, SET, a `SELECT 1` health check) are
 * not data statements: they are filtered out if a future planner sends them. None are sent today.
 */
const NOISE = /^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SET\s|RESET\s|DEALLOCATE|SELECT 1\s*;?\s*$)/i
export const dataStatements = (statements: string[]) => statements.filter((s) => !NOISE.test(s))

export const describeStatements = (statements: string[]) => statements.map((s, i) => `  [${i + 1}] ${s}`).join('\n')

/**
 * Runs `document` and returns its data and data statements; any GraphQL error fails the test.
 * Statements are those the database counted when the gateway has a database counter (and then
 * Portico's own count must agree with it), else those Portico reported.
 * A root field that fails can leave its siblings' statements in flight (graphql-js answers without
 * waiting for them): wait until the pool is idle, so they are not counted for the next operation.
 */
export async function run(api: TestGateway, document: string): Promise<{ data: any; statements: string[] }> {
  const result = await api.query(document)
  if (result.errors?.length) {
    await settle(api)
    throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`)
  }
  if (!api.databaseStatements) return { data: result.data, statements: dataStatements(api.statements) }
  const counted = await api.databaseStatements()
  if (counted.length !== api.statements.length) {
    throw new Error(`the database ran ${counted.length} statements, Portico reported ${api.statements.length}:\n${describeStatements(counted)}`)
  }
  return { data: result.data, statements: dataStatements(counted) }
}

async function settle(api: TestGateway): Promise<void> {
  const pool = api.gateway.pool
  for (let quiet = 0, i = 0; quiet < 3 && i < 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    quiet = pool.idleCount === pool.totalCount && pool.waitingCount === 0 ? quiet + 1 : 0
  }
}

/**
 * The same operation with introspection beside it: graphql-js then executes it field by field,
 * and lookups go through the per-request loaders, one statement per type.
 */
export function executedByGraphQL<Model>(op: CatalogueOperation<Model>, statements: number): CatalogueOperation<Model> {
  return {
    ...op,
    name: `executed by GraphQL (introspection in the operation): ${op.name.replace(/: one statement.*$/, '')}, ${statements} statements (loaders)`,
    document: (n) => op.document(n).replace('{', '{ __schema { queryType { name } } '),
    statements,
    expected: (m, n) => ({ __schema: { queryType: { name: 'Query' } }, ...(op.expected(m, n) as object) }),
  }
}
