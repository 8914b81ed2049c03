/**
 * useRequestScope: each operation's execution runs with its context in AsyncLocalStorage
 * (../schema/request-context.ts), so extension helpers find their request's loaders. Last in the
 * plugin list: it wraps the compiled statement, the request transaction and the field-by-field
 * execution alike.
 */
import type { Plugin } from 'graphql-yoga'
import { runWithContext } from '../schema/request-context.js'

export function useRequestScope(): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      setExecuteFn((executeArgs) => runWithContext(args.contextValue as object, () => executeFn(executeArgs)))
    },
  }
}
