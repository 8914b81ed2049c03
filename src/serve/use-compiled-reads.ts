/**
 * useCompiledReads: an operation the planner can compile whole (every root field a list, a
 * lookup or `node`) is answered by one SQL statement whose text is the response's `data`, sent
 * as is: no GraphQL execution, no JSON parsing or printing in Node (with extension fields, GraphQL
 * executes over that data so their resolvers run). Any other operation, or one
 * whose statement fails, is executed normally (which reports its errors), with the same SQL
 * per root field.
 */
import { getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { isDatabaseFailureError } from '../db/connection-errors.js'
import type { Logger } from '../log.js'
import type { ReadPlanner } from '../planner/read-planner.js'
import { CompiledRoot } from '../planner/compile-operation.js'
import { isLiveOperation } from '../schema/live-directive.js'
import type { LaneLink } from './compiled-lane.js'

class CompiledResult {
  private parsed: unknown
  constructor(private text: string | undefined) {}
  /** Parsed only if something asks (Yoga does not: it calls `stringify`; the response cache does). */
  get data(): unknown {
    if (this.parsed === undefined && this.text !== undefined) this.parsed = JSON.parse(this.text)
    return this.parsed
  }
  /** Replaced by the response cache, which strips the fields it added (../serve/use-response-cache.ts). */
  set data(value: unknown) {
    this.parsed = value
    this.text = undefined
  }
  stringify = (): string => (this.text !== undefined ? `{"data":${this.text}}` : JSON.stringify({ data: this.parsed }))
  /** As stored by the Redis response cache. */
  toJSON(): { data: unknown } {
    return { data: this.data }
  }
}

/**
 * `lane`: the compiled lane in front of Yoga (./compiled-lane.ts) learns here which documents
 * compile, and a statement it already ran and saw fail is not run again: executed field by field,
 * the operation reports the error (a database failure is reported as is).
 */
export function useCompiledReads(planner: ReadPlanner, logger: Logger, lane?: LaneLink): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request
      const failed = lane?.failure(request)
      if (failed) {
        if (isDatabaseFailureError(failed.error)) setExecuteFn(async () => ({ data: null, errors: [failed.error] }) as never)
        return
      }
      // A `@live` query is the live plugin's (./use-live-queries.ts), and must not enter the lane's table.
      const operation = getOperationAST(args.document, args.operationName)
      if (operation && isLiveOperation(operation, args.variableValues ?? undefined)) return
      const compiled = planner.compileOperation(args.schema, args.document, args.operationName, args.variableValues)
      if (!compiled) return
      if (!planner.compileOperation(args.schema, args.document, args.operationName, args.variableValues)) return
      setExecuteFn(async (executeArgs) => {
        // The document as executed: a plugin before this one (the response cache) may add fields.
        const compiled = planner.compileOperation(executeArgs.schema, executeArgs.document, executeArgs.operationName, executeArgs.variableValues)
        if (!compiled) return executeFn(executeArgs)
        try {
          const text = await planner.runOperation(compiled)
          // Extension fields: GraphQL executes over the statement's data, so only their resolvers
          // run in Node (and the lane, which only writes the statement's text, never takes it).
          if (compiled.execute) return executeFn({ ...executeArgs, rootValue: new CompiledRoot(JSON.parse(text) as Record<string, unknown>) })
          lane?.compiled(request, args.document, args.operationName)
          return new CompiledResult(text) as never
        } catch (error) {
          // The database is down or has no free connection: executing field by field would wait
          // for it again (connectionTimeoutMs twice over) only to fail the same way.
          if (isDatabaseFailureError(error)) return { data: null, errors: [error] } as never
          // Executed field by field, the operation reports this error as GraphQL errors.
          logger.debug({ err: error }, 'the compiled statement failed: executing the operation field by field')
          return executeFn(executeArgs)
        }
      })
    },
  }
}
