/**
 * A Portico gateway on a test database, queried in process through `yoga.fetch()`, with every
 * SQL statement Prisma sends recorded (Pothos's habit: count queries, don't guess them).
 */
import { loadConfig, type ConfigInput } from '../../src/config/config.js'
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js'
import { createLogger } from '../../src/log.js'
import type { DatabaseStatements } from './database-statements.js'

export interface GraphQLResult {
  data?: any
  errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[]
}

export interface TestGateway {
  gateway: Gateway
  /** SQL statements since the last `query` started, as Portico reports them (onQuery). */
  statements: string[]
  /**
   * The same, as the database counted them (pg_stat_statements: BEGIN, settings and COMMIT
   * included), when the gateway was started with `countAt`; undefined otherwise.
   */
  databaseStatements?: () => Promise<string[]>
  query(source: string, variables?: Record<string, unknown>): Promise<GraphQLResult>
  /** Like query, but fails the test on any GraphQL error and returns `data`. */
  data(source: string, variables?: Record<string, unknown>): Promise<any>
  close(): Promise<void>
}

export async function startTestGateway(databaseUrl: string, config: Partial<ConfigInput> = {}, options: Pick<GatewayOptions, 'extensions'> & { countAt?: DatabaseStatements } = {}): Promise<TestGateway> {
  const statements: string[] = []
  const gateway = await createGateway({
    databaseUrl,
    config: loadConfig({ env: {}, file: undefined, cwd: '/nonexistent', flags: { logLevel: 'silent', ...config } }),
    logger: createLogger('silent'),
    onProgress: () => {},
    onQuery: (sql) => statements.push(sql),
    extensions: options.extensions,
  })
  const query = async (source: string, variables?: Record<string, unknown>) => {
    statements.length = 0
    await options.countAt?.reset()
    const response = await gateway.yoga.fetch('http://portico.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: source, variables }),
    })
    return (await response.json()) as GraphQLResult
  }
  return {
    gateway,
    statements,
    ...(options.countAt ? { databaseStatements: options.countAt.read } : {}),
    query,
    async data(source, variables) {
      const result = await query(source, variables)
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`)
      return result.data
    },
    close: () => gateway.close(),
  }
}
