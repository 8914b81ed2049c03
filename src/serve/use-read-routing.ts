/**
 * useReadRouting: with read replicas configured, a query operation runs on the replica that
 * ../db/read-replicas.ts chooses (or the primary), all of it: the compiled statement, the
 * field-by-field fallback, the request's session under auth. A mutation runs wholly on the primary
 * and its answer carries the primary's WAL position after its commit, `extensions.portico.lsn`;
 * a query sent with that position in the `x-portico-min-lsn` header reads from a replica that
 * has replayed it, or from the primary.
 *
 * It must come last in the plugin list, so that its wrapper is the outermost: the request's
 * transaction (useRequestTransaction) has committed when the position is read.
 */
import { getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { parseLsn, type ReadReplicas } from '../db/read-replicas.js'
import { ClientError } from '../errors.js'

export const MIN_LSN_HEADER = 'x-portico-min-lsn'

export function useReadRouting(replicas: ReadReplicas, onRouted?: (target: 'primary' | 'replica') => void): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName)?.operation
      const request = (args.contextValue as { request?: Request }).request
      if (operation === 'query') {
        const target = replicas.choose(minLsnOf(request))
        onRouted?.(target.replica ? 'replica' : 'primary')
        setExecuteFn((executeArgs) => replicas.run(target, () => executeFn(executeArgs)))
      } else if (operation === 'mutation') {
        setExecuteFn(async (executeArgs) => {
          const result = (await executeFn(executeArgs)) as { extensions?: Record<string, unknown> }
          // After COMMIT: the position is at or past the commit record.
          const lsn = await replicas.primaryPosition().catch(() => undefined)
          if (!lsn || Symbol.asyncIterator in result) return result as never
          const portico = { ...(result.extensions?.portico as object | undefined), lsn }
          return { ...result, extensions: { ...result.extensions, portico } } as never
        })
      }
    },
  }
}

function minLsnOf(request: Request | undefined): bigint | undefined {
  const header = request?.headers.get(MIN_LSN_HEADER)
  if (!header) return undefined
  try {
    return parseLsn(header)
  } catch {
    throw new ClientError(`${MIN_LSN_HEADER} must be a WAL position such as 0/16B3748: a mutation's extensions.portico.lsn`, 'BAD_USER_INPUT')
  }
}
