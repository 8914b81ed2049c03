/**
 * What compiling an operation costs, and what filling its template costs instead
 * (src/planner/operation-template.ts): one two-variable operation on the project's test database,
 * sent 20,000 times with new values each time.
 *
 *     node --import tsx test/benchmark/compile-cost.ts
 *
 * Needs the local PostgreSQL (or the tests' embedded one): it creates a database and drops it.
 */
import { parse } from 'graphql'
import { pino } from 'pino'
import { loadConfig } from '../../src/config/config.js'
import { createGateway } from '../../src/gateway.js'
import type { ReadPlanner } from '../../src/planner/read-planner.js'
import { createTestDatabase, readFixtureSql } from '../support/test-database.js'

const ROUNDS = 20_000
const db = await createTestDatabase('compile_cost', readFixtureSql('portico-test.sql'))
const gateway = await createGateway({
  databaseUrl: db.url,
  config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { schemas: ['app', 'audit', 'public'] } }),
  logger: pino({ level: 'silent' }),
  onProgress: () => {},
})
try {
  const document = parse('query Q($id: Int!, $label: String!) { tag(id: $id) { id label } tags(first: 10, where: { label: { equals: $label } }, orderBy: [{ id: ASC }]) { totalCount nodes { id label } } }')
  // compileExactly is the planner's own compile, without the template (private: reached on purpose here).
  type Compile = ReadPlanner['compileOperation']
  const planner = gateway.planner as unknown as { compileOperation: Compile; compileExactly: Compile }
  const time = (compile: (variables: Record<string, unknown>) => unknown) => {
    const started = process.hrtime.bigint()
    for (let i = 0; i < ROUNDS; i += 1) compile({ id: i % 6, label: `label ${i}` })
    return Number(process.hrtime.bigint() - started) / 1e3 / ROUNDS
  }
  // Twice each, the first round warming the JIT.
  for (const round of [1, 2]) {
    const filled = time((variables) => planner.compileOperation(gateway.schema, document, 'Q', variables))
    const compiled = time((variables) => planner.compileExactly(gateway.schema, document, 'Q', variables))
    console.log(`round ${round}: template filled ${filled.toFixed(1)} µs, compiled ${compiled.toFixed(1)} µs per operation (${ROUNDS.toLocaleString('en-US')} new values each)`)
  }
} finally {
  await gateway.close()
  await db.drop()
}
