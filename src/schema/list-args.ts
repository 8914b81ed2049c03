/** The arguments every list takes besides first/after/last/before: where, orderBy, (offset). */
import type { Builder } from './builder.js'
import type { SchemaContext } from './schema-context.js'
import type { ModelInfo } from '../model/datamodel.js'

export function listArgs(t: Builder, ctx: SchemaContext, model: ModelInfo, options: { offset: boolean }) {
  const orderBy = ctx.orderTypes.get(model.name)
  return {
    where: t.arg({ type: ctx.filters.where.get(model.name), required: false, description: 'Only rows matching these conditions.' }),
    ...(orderBy
      ? { orderBy: t.arg({ type: [orderBy], required: false, description: 'Sort order; the key is always appended, so pages are stable.' }) }
      : {}),
    ...(options.offset
      ? { offset: t.arg.int({ required: false, description: 'Skip this many rows first (an OFFSET scan: prefer after/before cursors).' }) }
      : {}),
  }
}
