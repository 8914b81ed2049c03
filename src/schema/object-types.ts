/**
 * One GraphQL object type per model: its columns, its relations both ways (to-one as an object,
 * to-many as a connection with the same arguments as a root list) and many-to-many shortcuts.
 * Keyed types implement `Node` with a global `nodeId`. Each field records where its value comes
 * from (../planner/field-source.ts); the planner's SQL builds the values, resolvers read them.
 */
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import type { DMMFField, ModelInfo } from '../model/datamodel.js'
import { fieldSource } from '../planner/field-source.js'
import { graphqlScalarName } from './scalars.js'
import { manyToManyFields } from './many-to-many.js'
import { byResponseKey } from './resolve-by-key.js'
import { relationConnectionField } from './relation-connection.js'
import { NODE } from './relay-types.js'
import { federationMarks } from './federation.js'
import { computedFields } from './computed-fields.js'

export function createObjectTypes(ctx: SchemaContext): void {
  for (const model of ctx.datamodel.models.values()) {
    const options = { description: model.description, ...federationMarks(ctx, model.name), fields: (t: Builder) => objectFields(t, ctx, model) }
    // Keyed rows are Prisma objects and Nodes (`nodeId` comes with the interface). Pothos's Prisma
    // objects need a unique key to refetch by, so keyless rows are plain objects.
    if (model.keyName) ctx.builder.prismaObject(model.name, { ...options, interfaces: [NODE] })
    else ctx.builder.objectType(model.name, options)
  }
}

function objectFields(t: Builder, ctx: SchemaContext, model: ModelInfo): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const field of model.scalars) fields[field.name] = scalarField(t, ctx, model, field)
  for (const relation of model.relations) {
    const target = ctx.datamodel.models.get(relation.type)
    if (!target) continue
    fields[relation.name] = relation.isList ? toManyField(t, ctx, model, relation, target) : toOneField(t, model, relation, target)
  }
  // Functions of the row (./computed-fields.ts), before the many-to-many shortcuts, which avoid taken names.
  Object.assign(fields, computedFields(t, ctx, model, new Set(Object.keys(fields))))
  for (const [name, field] of manyToManyFields(t, ctx, model, new Set(Object.keys(fields)))) fields[name] = field
  return fields
}

function scalarField(t: Builder, ctx: SchemaContext, model: ModelInfo, field: DMMFField) {
  const name = graphqlScalarName(field.type, model.nativeTypes.get(field.name))
  const type = ctx.enumRefs.get(name) ?? name
  return t.field({
    ...federationMarks(ctx, `${model.name}.${field.name}`),
    type: field.isList ? [type] : type,
    // A PostgreSQL array may hold NULLs whatever the column's constraints: items are nullable. The
    // array itself is NULL-able unless the column is NOT NULL (Prisma calls every list required).
    nullable: field.isList ? { list: !model.columns.get(field.name)?.notNull, items: true } : !field.isRequired,
    description: field.documentation,
    deprecationReason: model.deprecated.get(field.name),
    // A JSON value may be read in part: `metadata(path: ["sizes"])` (../planner/compile-read.ts).
    ...(name === 'JSON' && !field.isList ? { args: { path: t.arg.stringList({ required: false, description: JSON_PATH_ARG }) } } : {}),
    resolve: byResponseKey,
    extensions: fieldSource({ kind: 'column', field }),
  })
}

const JSON_PATH_ARG = 'Only the part of the value at this path (object keys and array indexes, e.g. ["sizes", "0"]); null where there is none.'

function toOneField(t: Builder, model: ModelInfo, relation: DMMFField, target: ModelInfo) {
  return t.field({
    deprecationReason: model.deprecated.get(relation.name),
    type: relation.type,
    // Under row-level security the row a foreign key points to may be hidden from the caller: the
    // field is then null, so the schema must not promise otherwise.
    nullable: !relation.isRequired || target.rowSecurity,
    description: relation.documentation,
    resolve: byResponseKey,
    extensions: fieldSource({ kind: 'toOne', relation: relation.name }),
  })
}

/** A to-many relation is a connection like a root list, keyless rows included (offset cursors). */
function toManyField(t: Builder, ctx: SchemaContext, model: ModelInfo, relation: DMMFField, target: ModelInfo) {
  return relationConnectionField(t, ctx, model, relation.name, target, { kind: 'connection', relation: relation.name }, relation.documentation)
}
