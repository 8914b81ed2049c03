/**
 * Root fields from PostgreSQL functions (../model/functions.ts): a STABLE or IMMUTABLE function is
 * a Query field, a VOLATILE one a Mutation field (none in read-only mode), with the function's
 * arguments (camelCase; unnamed ones `arg0`, `arg1`, ...; optional where the function has a
 * default; required and non-null for a STRICT function).
 *
 * Results: a scalar or array as a column of that type; a table's row as that type (nullable); SETOF
 * a table as a connection like the root list's (offset cursors, `where`, `orderBy`, `totalCount`,
 * `aggregates`), except for a mutation, which returns the list of rows (its call must run once);
 * SETOF anything else as a list; RETURNS TABLE, OUT parameters and composite types as an output
 * type of their own; `void` as a nullable Boolean, true once the call is done.
 *
 * A query field compiles like a root list: one statement, nested relations and computed fields
 * included, in the whole operation's statement (../planner/compile-operation.ts) or through its
 * resolver. A mutation field is one statement too, run like the other writes: in the request's
 * transaction (a savepoint of it) as the caller's role when authorization is on, its database
 * errors typed as theirs are (./mutation-errors.ts); a function's own `RAISE EXCEPTION` message is
 * the caller's (`RAISED_EXCEPTION`). Like the other mutations, the field itself is the result: no
 * payload object around it.
 */
import type { GraphQLResolveInfo } from 'graphql'
import type { FunctionInfo } from '../model/functions.js'
import { rootSource } from '../planner/field-source.js'
import type { Builder } from './builder.js'
import { resultField } from './function-types.js'
import { constraintLookup, toDatabaseMutationError } from './mutation-errors.js'
import type { SchemaContext } from './schema-context.js'

type Args = Record<string, unknown>

/** `hasMutationType`: the Mutation type exists already (table writes), else it is made here if needed. */
export function createFunctionFields(ctx: SchemaContext, options: { mutations: boolean; hasMutationType: boolean }): void {
  const queries = ctx.datamodel.functions.filter((fn) => fn.role === 'query')
  const mutations = options.mutations ? ctx.datamodel.functions.filter((fn) => fn.role === 'mutation') : []
  if (queries.length) ctx.builder.queryFields((t: Builder) => Object.fromEntries(queries.map((fn) => [fn.field, queryField(t, ctx, fn)])))
  if (!mutations.length) return
  const prisma = ctx.prisma as { $queryRawUnsafe(sql: string, ...values: unknown[]): Promise<Record<string, unknown>[]> }
  const lookup = constraintLookup(ctx.datamodel, (sql, name) => prisma.$queryRawUnsafe(sql, name))
  const fields = (t: Builder) => Object.fromEntries(mutations.map((fn) => [fn.field, mutationField(t, ctx, fn, lookup)]))
  if (options.hasMutationType) ctx.builder.mutationFields(fields)
  else ctx.builder.mutationType({ fields })
}

function queryField(t: Builder, ctx: SchemaContext, fn: FunctionInfo) {
  return t.field({
    ...resultField(t, ctx, fn),
    description: fn.description ?? `The result of ${fn.schema}.${fn.name}.`,
    deprecationReason: fn.deprecation,
    resolve: (_root: unknown, args: Args, _context: unknown, info: GraphQLResolveInfo) => ctx.planner.callFunction(fn, args, info),
    extensions: rootSource({ kind: 'function', fn }),
  })
}

function mutationField(t: Builder, ctx: SchemaContext, fn: FunctionInfo, lookup: ReturnType<typeof constraintLookup>) {
  return t.field({
    ...resultField(t, ctx, fn),
    // As every mutation field: one field's error leaves the others' results.
    nullable: fn.set && fn.returns.kind !== 'void' ? { list: true, items: fn.returns.kind !== 'row' && fn.returns.kind !== 'record' } : true,
    description: fn.description ?? `Calls ${fn.schema}.${fn.name} (a VOLATILE function) and returns its result.`,
    deprecationReason: fn.deprecation,
    resolve: async (_root: unknown, args: Args, _context: unknown, info: GraphQLResolveInfo) => {
      try {
        return await ctx.planner.callFunction(fn, args, info, { write: true })
      } catch (error) {
        throw await toDatabaseMutationError(error, ctx.datamodel, lookup)
      }
    },
  })
}
