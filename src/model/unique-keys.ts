/**
 * Every unique key of a table or view, in field names: unique constraints and unique indexes (not
 * partial, not on expressions: ../introspect/catalog.ts reads only those) and the `@unique a,b`
 * smart tags a view or keyless table declares. Each key but the primary key gives a root lookup
 * named after its columns the PostGraphile way (`customerByEmail`), or by its `@fieldName` tag;
 * `@omit` on the constraint or index takes it away.
 */
import type { CatalogRelation } from '../introspect/catalog.js'
import { columnList, tagText, tagTexts, type Tags } from '../introspect/smart-tags.js'
import { ModelError } from '../errors.js'
import { uniqueLookupFieldName } from './inflect.js'
import { isOmitted } from './omit.js'
import type { ModelInfo } from './datamodel.js'

export interface UniqueKey {
  fields: string[]
  /** The root lookup's name; none for the model's own key (it has `film(filmId:)`). */
  lookup?: string
}

export function uniqueKeysOf(model: Pick<ModelInfo, 'name' | 'key' | 'fieldByColumn' | 'omittedFields'>, relation: CatalogRelation): UniqueKey[] {
  const qualified = `${relation.schema}.${relation.name}`
  const declared = tagTexts(relation.tags, 'unique').map((text) => ({ name: `@unique ${text}`, primary: false, columns: columnList(text), tags: {} as Tags, declared: true }))
  const keys: UniqueKey[] = []
  const seen = new Set([model.key.join()])
  for (const key of [...relation.uniqueKeys.map((k) => ({ ...k, declared: false })), ...declared]) {
    if (key.primary || isOmitted(key.tags, `${qualified}.${key.name}`)) continue
    const fields = key.columns.map((c) => model.fieldByColumn.get(c))
    if (key.declared && fields.some((f) => f === undefined)) {
      const missing = key.columns.filter((c) => !model.fieldByColumn.has(c))
      throw new ModelError(`${qualified}: ${key.name} names column(s) ${missing.join(', ')}, which it does not have (or which are omitted)`)
    }
    // A key over a column the API does not serve cannot be looked up through it.
    if (fields.some((f) => f === undefined || model.omittedFields.get(f)?.has('read'))) continue
    const names = fields as string[]
    const isKey = names.join() === model.key.join()
    if (!isKey && seen.has(names.join())) continue
    seen.add(names.join())
    keys.push({ fields: names, ...(isKey ? {} : { lookup: tagText(key.tags, 'fieldName') ?? uniqueLookupFieldName(model.name, names) }) })
  }
  return keys
}
