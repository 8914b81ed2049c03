/** A to-many field (a relation or a many-to-many shortcut) as a connection, like a root list. */
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import type { ModelInfo } from '../model/datamodel.js'
import type { FieldSource } from '../planner/field-source.js'
import { fieldSource } from '../planner/field-source.js'
import { derivedTypeName } from '../model/inflect.js'
import { byResponseKey } from './resolve-by-key.js'
import { listArgs } from './list-args.js'
import { connectionType, pageArgs } from './connection-types.js'
import { aggregatesType } from './aggregate-types.js'

/** A to-many field as a connection of `target` rows, read in the parent's statement. */
export function relationConnectionField(
  t: Builder,
  ctx: SchemaContext,
  model: ModelInfo,
  fieldName: string,
  target: ModelInfo,
  source: FieldSource,
  description: string | undefined,
) {
  return t.field({
    type: connectionType(ctx.builder, derivedTypeName.relationConnection(model.name, fieldName), derivedTypeName.relationEdge(model.name, fieldName), target.name, aggregatesType(ctx, target)),
    description,
    deprecationReason: model.deprecated.get(fieldName),
    args: { ...pageArgs(t), ...listArgs(t, ctx, target, { offset: false }) },
    resolve: byResponseKey,
    extensions: fieldSource(source),
  })
}
