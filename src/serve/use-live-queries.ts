/**
 * useLiveQueries: a query operation marked `@live` is not executed once but handed to the live
 * query multiplexer (../live/live-queries.ts), whose stream the transport serves (SSE, WebSocket).
 * It comes after the limits, cost and persisted operations (a live query passes them like any
 * query) and before the request transaction, which has nothing to wrap: the poller runs each
 * statement as the subscriber's role and claims itself.
 */
import { getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { LiveQueries } from '../live/live-queries.js'
import { isLiveOperation } from '../schema/live-directive.js'
import { identityOf } from './use-auth.js'

export function useLiveQueries(live: LiveQueries): Plugin {
  return {
    onExecute({ args, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName)
      if (!operation || !isLiveOperation(operation, args.variableValues ?? undefined)) return
      const identity = identityOf((args.contextValue as { request?: Request }).request)
      setExecuteFn(() =>
        live.subscribe({ schema: args.schema, document: args.document, operationName: args.operationName, variables: args.variableValues, identity }) as never,
      )
    },
  }
}
