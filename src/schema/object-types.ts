/**
 * One GraphQL object type per model: its columns, its relations both ways (to-one as an object,
 * to-many as a connection with the same arguments as a root list) and many-to-many shortcuts.
 * Keyed types implement `Node` with a global `nodeId`.
 */
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import type { DMMFField, ModelInfo } from '../model/datamodel.js'
import { graphqlScalarName } from './scalars.js'
import { listArgs } from './list-args.js'
import { manyToManyFields } from './many-to-many.js'

export function createObjectTypes(ctx: SchemaContext): void {
  for (const model of ctx.datamodel.models.values()) {
    const options = { description: model.description, fields: (t: Builder) => objectFields(t, ctx, model) }
    if (model.keyName) {
      // Select mode: a query reads the key plus the columns it asks for, not every column.
      const select = Object.fromEntries(model.key.map((field) => [field, true]))
      ctx.builder.prismaNode(model.name, { ...options, select, id: { field: model.keyName }, nullable: true })
    } else {
      // Pothos's Prisma objects need a unique key to refetch by; keyless rows are plain objects,
      // read whole by the planner (they have no relations to merge).
      ctx.builder.objectType(model.name, options)
    }
  }
}

function objectFields(t: Builder, ctx: SchemaContext, model: ModelInfo): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const field of model.scalars) fields[field.name] = scalarField(t, ctx, model, field)
  for (const relation of model.relations) {
    const target = ctx.datamodel.models.get(relation.type)
    if (!target) continue
    fields[relation.name] = relation.isList ? toManyField(t, ctx, relation, target) : t.relation(relation.name, { nullable: !relation.isRequired })
  }
  for (const [name, field] of manyToManyFields(t, ctx, model, new Set(Object.keys(fields)))) fields[name] = field
  return fields
}

function scalarField(t: Builder, ctx: SchemaContext, model: ModelInfo, field: DMMFField) {
  const name = graphqlScalarName(field.type, model.nativeTypes.get(field.name))
  const type = ctx.enumRefs.get(name) ?? name
  const scale = model.decimalScales.get(field.name)
  if (scale !== undefined && !field.isList) {
    // Prisma's Decimal drops trailing zeros (10.50 -> "10.5"); numeric(p, s) prints s digits.
    return t.field({
      type,
      nullable: !field.isRequired,
      description: field.documentation,
      select: { [field.name]: true },
      resolve: (row: Record<string, { toFixed(digits: number): string } | null>) => row[field.name]?.toFixed(scale) ?? null,
    })
  }
  return t.expose(field.name, {
    type: field.isList ? [type] : type,
    nullable: field.isList ? false : !field.isRequired,
    description: field.documentation,
  })
}

function toManyField(t: Builder, ctx: SchemaContext, relation: DMMFField, target: ModelInfo) {
  if (!target.keyName) return t.relation(relation.name, { description: relation.documentation })
  return t.relatedConnection(relation.name, {
    cursor: target.keyName,
    totalCount: true,
    defaultSize: ctx.pageSizes.defaultPageSize,
    maxSize: ctx.pageSizes.maxPageSize,
    args: listArgs(t, ctx, target, { offset: false }),
    query: (args: Record<string, never>) => ctx.planner.listQuery(target, args),
    description: relation.documentation,
  })
}
