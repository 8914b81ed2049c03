/**
 * GraphQL types of functions' arguments and results (../model/functions.ts): a scalar or enum as a
 * column of the same type has it, arrays as nullable lists of nullable items, records (RETURNS
 * TABLE, OUT parameters, composite types) as output types of their own, read by response key from
 * the JSON the planner builds.
 */
import type { FunctionArg, FunctionInfo, FunctionResult, FunctionValue } from '../model/functions.js'
import { derivedTypeName } from '../model/inflect.js'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import { byResponseKey } from './resolve-by-key.js'
import { graphqlScalarName } from './scalars.js'
import { connectionType, pageArgs } from './connection-types.js'
import { aggregatesType } from './aggregate-types.js'
import { listArgs } from './list-args.js'

/** The GraphQL scalar or enum of a value (the element's, for an array). */
export function scalarRef(ctx: SchemaContext, type: FunctionValue): unknown {
  const scalar = type.kind === 'array' ? type.element : type
  const name = scalar.enum ?? graphqlScalarName(scalar.prismaType, scalar.native)
  return ctx.enumRefs.get(name) ?? name
}

/** A field argument: required and non-null only for a STRICT function's argument without default. */
export function functionArg(t: Builder, ctx: SchemaContext, arg: FunctionArg) {
  const ref = scalarRef(ctx, arg.type)
  if (arg.type.kind === 'array') return t.arg({ type: [ref], required: { list: arg.required, items: false } })
  return t.arg({ type: ref, required: arg.required })
}

/** Record types are made once, by name: two functions returning one composite type share its type. */
const made = new WeakMap<Builder, Set<string>>()

/** The object type of a record result, made on first use; its name. */
export function recordType(ctx: SchemaContext, result: Extract<FunctionResult, { kind: 'record' }>): string {
  let names = made.get(ctx.builder)
  if (!names) made.set(ctx.builder, (names = new Set()))
  if (names.has(result.type)) return result.type
  names.add(result.type)
  ctx.builder.objectType(result.type, {
    description: `A row of ${result.source}.`,
    fields: (t: Builder) =>
      Object.fromEntries(
        result.fields.map((field) => {
          const ref = scalarRef(ctx, field.type)
          const list = field.type.kind === 'array'
          return [field.name, t.field({ type: list ? [ref] : ref, nullable: list ? { list: true, items: true } : true, resolve: byResponseKey })]
        }),
      ),
  })
  return result.type
}

/** A function field's type, nullability and arguments (root or computed), from the function's result and arguments. */
export
function resultField(t: Builder, ctx: SchemaContext, fn: FunctionInfo): { type: unknown; nullable: unknown; args: Record<string, unknown> } {
  const args: Record<string, unknown> = Object.fromEntries(fn.args.map((arg) => [arg.name, functionArg(t, ctx, arg)]))
  const result = fn.returns
  switch (result.kind) {
    case 'void':
      return { type: 'Boolean', nullable: true, args }
    case 'scalar':
    case 'array': {
      const ref = scalarRef(ctx, result)
      if (result.kind === 'array') return { type: [ref], nullable: { list: true, items: true }, args }
      return { type: fn.set ? [ref] : ref, nullable: fn.set ? { list: false, items: true } : true, args }
    }
    case 'record': {
      const type = recordType(ctx, result)
      return { type: fn.set ? [type] : type, nullable: fn.set ? { list: false, items: false } : true, args }
    }
    case 'row': {
      if (!fn.set) return { type: result.model, nullable: true, args }
      if (fn.role === 'mutation') return { type: [result.model], nullable: { list: false, items: false }, args }
      const model = ctx.datamodel.models.get(result.model)!
      const connection = connectionType(ctx.builder, derivedTypeName.connection(model.name), derivedTypeName.edge(model.name), model.name, aggregatesType(ctx, model))
      return { type: connection, nullable: false, args: { ...args, ...pageArgs(t), ...listArgs(t, ctx, model, { offset: true }) } }
    }
  }
}
