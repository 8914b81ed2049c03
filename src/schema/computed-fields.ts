/**
 * Computed fields (../model/functions.ts): a STABLE or IMMUTABLE function `t_<name>(t, ...)` is the
 * field `<name>` of t's type, its other arguments the field's, its result typed as a root
 * function's (./function-types.ts): a SETOF a table is a connection. Its value is computed in the
 * statement that reads the row (`"app"."person_initials"(t1::"app"."person", $1::text)`), so a page
 * of 100 rows with a computed field is still one statement. Those tagged `@filterable` /
 * `@sortable` are in `where` / `orderBy` too (./filters.ts, ./order.ts).
 */
import type { ModelInfo } from '../model/datamodel.js'
import { fieldSource } from '../planner/field-source.js'
import type { Builder } from './builder.js'
import { resultField } from './function-types.js'
import { byResponseKey } from './resolve-by-key.js'
import type { SchemaContext } from './schema-context.js'

export function computedFields(t: Builder, ctx: SchemaContext, model: ModelInfo, taken: Set<string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const fn of ctx.datamodel.computed.get(model.name)?.values() ?? []) {
    // ../model/check-names.ts stops start-up before this could happen; a guard, not a rule.
    if (taken.has(fn.field)) throw new Error(`${model.name}.${fn.field}: computed field ${fn.schema}.${fn.name} meets another field of that name`)
    fields[fn.field] = t.field({
      ...resultField(t, ctx, fn),
      description: fn.description,
      deprecationReason: fn.deprecation,
      resolve: byResponseKey,
      extensions: fieldSource({ kind: 'computed', fn }),
    })
  }
  return fields
}
