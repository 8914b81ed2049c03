/**
 * Root query fields of each model: a lookup by key named after the type (`film(filmId: 1)`) and a
 * list named in the plural (`films`), a Relay connection with `totalCount`.
 */
import { resolveOffsetConnection } from '@pothos/plugin-relay'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import type { ModelInfo } from '../model/datamodel.js'
import { listFieldName, lookupFieldName } from '../model/inflect.js'
import { graphqlScalarName } from './scalars.js'
import { listArgs } from './list-args.js'
import { nodeField } from './node-field.js'

export function createRootFields(ctx: SchemaContext): void {
  ctx.builder.queryType({
    fields: (t: Builder) => {
      const fields: Record<string, unknown> = {}
      if ([...ctx.datamodel.models.values()].some((m) => m.keyName)) fields.node = nodeField(t)
      for (const model of ctx.datamodel.models.values()) {
        if (model.keyName) fields[lookupFieldName(model.name)] = lookupField(t, ctx, model)
        fields[listFieldName(model.name)] = model.keyName ? keysetList(t, ctx, model) : offsetList(t, ctx, model)
      }
      return fields
    },
  })
}

function lookupField(t: Builder, ctx: SchemaContext, model: ModelInfo) {
  const args: Record<string, unknown> = {}
  for (const name of model.key) {
    const field = model.scalars.find((f) => f.name === name)!
    const type = graphqlScalarName(field.type, model.nativeTypes.get(name))
    args[name] = t.arg({ type: ctx.enumRefs.get(type) ?? type, required: true })
  }
  return t.prismaField({
    type: model.name,
    nullable: true,
    description: `The ${model.name} with this key, or null.`,
    args,
    resolve: (query: Record<string, unknown>, _root: unknown, key: Record<string, unknown>) => ctx.planner.findByKey(model, key, query),
  })
}

function keysetList(t: Builder, ctx: SchemaContext, model: ModelInfo) {
  return t.prismaConnection({
    type: model.name,
    cursor: model.keyName,
    defaultSize: ctx.pageSizes.defaultPageSize,
    maxSize: ctx.pageSizes.maxPageSize,
    description: `${model.name} rows: keyset (cursor) pages over the key, filtered and ordered as asked.`,
    args: listArgs(t, ctx, model, { offset: true }),
    totalCount: (_parent: unknown, args: Record<string, never>) => ctx.planner.count(model, args),
    resolve: (query: Record<string, unknown>, _root: unknown, args: Record<string, never>) => ctx.planner.findMany(model, args, query),
  }, { name: `${model.name}Connection` }, { name: `${model.name}Edge` })
}

/** A model with no key cannot be paged by seeking; its cursors encode an offset. */
function offsetList(t: Builder, ctx: SchemaContext, model: ModelInfo) {
  return t.connection(
    {
      type: model.name,
      description: `${model.name} rows (no key: cursors are offsets; declare a key for keyset pages).`,
      args: listArgs(t, ctx, model, { offset: false }),
      resolve: async (_root: unknown, args: Record<string, never>) => {
        const connection = await resolveOffsetConnection(
          { args, defaultSize: ctx.pageSizes.defaultPageSize, maxSize: ctx.pageSizes.maxPageSize },
          (page) => ctx.planner.findPage(model, args, page),
        )
        return { ...connection, totalCount: () => ctx.planner.count(model, args) }
      },
    },
    {
      name: `${model.name}Connection`,
      fields: (c: Builder) => ({
        totalCount: c.int({ resolve: (connection: { totalCount: () => Promise<number> }) => connection.totalCount() }),
      }),
    },
    { name: `${model.name}Edge` },
  )
}
