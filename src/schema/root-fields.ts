/**
 * Root query fields of each model: a lookup by key named after the type (`film(filmId: 1)`), one
 * per other unique key (`customerByEmail(email:)`), and a
 * list named in the plural (`films`), a Relay connection with `totalCount`. A list is one SQL
 * statement however deep its selection; lookups are batched per request (../planner).
 */
import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql'
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import type { ModelInfo } from '../model/datamodel.js'
import type { ConnectionArgs } from '../planner/connection.js'
import { rootSource } from '../planner/field-source.js'
import { derivedTypeName, rootFieldName } from '../model/inflect.js'
import { graphqlScalarName } from './scalars.js'
import { listArgs } from './list-args.js'
import { nodeField } from './node-field.js'
import { connectionType, pageArgs } from './connection-types.js'
import { aggregatesType } from './aggregate-types.js'
import { groupByField } from './group-by.js'

export function createRootFields(ctx: SchemaContext): void {
  ctx.builder.queryType({
    fields: (t: Builder) => {
      const fields: Record<string, unknown> = {}
      if ([...ctx.datamodel.models.values()].some((m) => m.keyName)) fields.node = nodeField(t, ctx)
      for (const model of ctx.datamodel.models.values()) {
        if (model.keyName) fields[rootFieldName.lookup(model.name)] = lookupField(t, ctx, model, model.key, `The ${model.name} with this key, or null.`)
        for (const lookup of model.lookups) {
          fields[lookup.name] = lookupField(t, ctx, model, lookup.fields, `The ${model.name} with this ${lookup.fields.join(' and ')} (a unique key), or null.`)
        }
        fields[rootFieldName.list(model.name)] = listField(t, ctx, model)
        const groups = groupByField(t, ctx, model)
        if (groups) fields[rootFieldName.groupBy(model.name)] = groups
      }
      return fields
    },
  })
}

/** A root field finding one row by a whole unique key (the primary key, or another). */
function lookupField(t: Builder, ctx: SchemaContext, model: ModelInfo, key: string[], description: string) {
  const args: Record<string, unknown> = {}
  for (const name of key) {
    const field = model.scalars.find((f) => f.name === name)!
    const type = graphqlScalarName(field.type, model.nativeTypes.get(name))
    args[name] = t.arg({ type: ctx.enumRefs.get(type) ?? type, required: true })
  }
  return t.field({
    type: model.name,
    nullable: true,
    description,
    deprecationReason: model.deprecation,
    args,
    resolve: (_root: unknown, values: Record<string, unknown>, context: object, info: GraphQLResolveInfo) =>
      ctx.planner.byKey(model, key.map((k) => values[k]), info.returnType as GraphQLObjectType, info, context, key),
    extensions: rootSource({ kind: 'lookup', model, fields: key }),
  })
}

function listField(t: Builder, ctx: SchemaContext, model: ModelInfo) {
  const description = model.keyName
    ? `${model.name} rows: keyset (cursor) pages over the key, filtered and ordered as asked.`
    : `${model.name} rows (no key: cursors are offsets; declare a key for keyset pages).`
  return t.field({
    type: connectionType(ctx.builder, derivedTypeName.connection(model.name), derivedTypeName.edge(model.name), model.name, aggregatesType(ctx, model)),
    description,
    deprecationReason: model.deprecation,
    args: { ...pageArgs(t), ...listArgs(t, ctx, model, { offset: !!model.keyName }) },
    resolve: (_root: unknown, args: ConnectionArgs, _context: unknown, info: GraphQLResolveInfo) => ctx.planner.connection(model, args, info),
    extensions: rootSource({ kind: 'rootList', model }),
  })
}
