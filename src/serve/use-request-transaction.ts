/**
 * useRequestTransaction: with authorization on, each operation runs inside its request's database
 * session (../db/request-session.ts), under the caller's role and claims: a mutation in one
 * transaction on one connection, committed when the operation is done (rolled back if it threw); a
 * query's reads each with the settings in one round trip. It must come after
 * useCompiledReads in the plugin list, so that it wraps the compiled statement and the field-by-field
 * fallback alike.
 */
import { getOperationAST, OperationTypeNode } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type pg from 'pg'
import { RequestSession } from '../db/request-session.js'
import { currentReadTarget } from '../db/read-replicas.js'
import { ClientError } from '../errors.js'
import { identityOf } from './use-auth.js'

export function useRequestTransaction(pool: pg.Pool): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const identity = identityOf((args.contextValue as { request?: Request }).request)
      // No identity: refused before execution, or an execution Yoga started without a request.
      if (!identity) throw new ClientError('This request has no verified identity.', 'UNAUTHENTICATED')
      // On the read replica chosen for a query (./use-read-routing.ts), else the primary.
      // A query's reads go one round trip each, with the caller's settings (RequestSession).
      const readOnly = getOperationAST(args.document, args.operationName)?.operation === OperationTypeNode.QUERY
      setExecuteFn((executeArgs) => RequestSession.run(currentReadTarget()?.pool ?? pool, identity, async () => executeFn(executeArgs), { readOnly }))
    },
  }
}
