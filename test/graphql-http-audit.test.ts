/**
 * GraphQL-over-HTTP conformance: graphql-http's own server audits, run in process through
 * yoga.fetch. Every MUST has to pass; SHOULD and MAY results are printed, not enforced.
 */
import { serverAudits } from 'graphql-http'
import { pino } from 'pino'
import { expect, it } from 'vitest'
// See serve.test.ts for why 'graphql/index.js'.
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql/index.js'
import { createPorticoYoga } from '../src/serve/yoga.js'

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { hello: { type: GraphQLString, resolve: () => 'world' } } }),
})

const yoga = createPorticoYoga({
  schema,
  logger: pino({ level: 'silent' }),
  readiness: { check: async () => true },
  context: () => ({}),
})

it('passes every MUST audit of the GraphQL-over-HTTP spec', async () => {
  const audits = serverAudits({ url: 'http://portico.test/graphql', fetchFn: yoga.fetch })
  const results = await Promise.all(audits.map((audit) => audit.fn()))
  const failed = results.filter((result) => result.status !== 'ok')
  for (const result of failed) console.info(`${result.status}: ${result.name}: ${result.reason}`)
  const musts = results.filter((result) => result.name.startsWith('MUST'))
  const mustFailures = failed.filter((result) => result.name.startsWith('MUST')).map((result) => `${result.name}: ${result.reason}`)
  expect(mustFailures, `MUST audits failing:\n${mustFailures.join('\n')}`).toEqual([])
  // Guards against a graphql-http upgrade that renames or drops the audits and so passes vacuously.
  expect(musts.length).toBeGreaterThanOrEqual(13)
  console.info(`graphql-http audits: ${results.length - failed.length} of ${results.length} ok (${musts.length} MUST)`)
})
