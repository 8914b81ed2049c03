/**
 * The limit server as a benchmark target: limit-server.ts, one prepared statement per operation.
 * Its answers have Portico's shape, so they are read the same way. It has no `_entities`: for
 * `entities` it is sent its byIds request (the same ids, the same answer).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { withoutEntities, type CanonicalAnswers } from '../operations.ts'
import { repoRoot, porticoShapeCanonical } from './portico.ts'
import type { HttpRequest, TargetDefinition } from './target.ts'

const here = path.dirname(fileURLToPath(import.meta.url))

export const limit: TargetDefinition = {
  name: 'limit',
  label: 'limit server',
  role: 'bench_limit',
  launch({ databaseUrl, port, poolSize }) {
    return {
      file: process.execPath,
      args: ['--import', 'tsx', path.join(here, 'limit-server.ts'), '--database-url', databaseUrl, '--port', String(port), '--pool-size', String(poolSize)],
      cwd: repoRoot,
    }
  },
  readyPath: '/readyz',
  request(operation, params): HttpRequest {
    return { path: '/query', body: JSON.stringify({ operation: withoutEntities(operation), variables: params }) }
  },
  canonical(operation, body) {
    return porticoShapeCanonical('limit server', withoutEntities(operation), body) as CanonicalAnswers[typeof operation]
  },
}
