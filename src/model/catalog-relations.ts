/**
 * Relations Prisma cannot hold, added from the catalog: a Prisma relation needs a unique key on
 * both sides, so a foreign key from a table without a primary key (a keyless log referring to its
 * device) is dropped by Prisma's introspection, and views have no constraints at all. Portico
 * serves both, read by the planner like Prisma's relations (to-one field, back-relation
 * connection, relation filters, ordering):
 * - every foreign key of the catalog that Prisma's datamodel does not already have;
 * - every `@foreignKey (a,b) references schema.table (x,y)` smart tag on a table or view
 *   (PostGraphile's syntax; the target's key when `(x,y)` is left out; `|@fieldName f|@foreignFieldName g`
 *   names the two sides).
 * Names follow the same rules as Prisma's relations (./inflect.ts). No nested write goes through
 * them (`readOnlyRelations`).
 */
import type { CatalogForeignKey, CatalogRelation } from '../introspect/catalog.js'
import { columnList, parseSmartComment, tagText, tagTexts, type Tags } from '../introspect/smart-tags.js'
import { ModelError } from '../errors.js'
import { backRelationName, forwardRelationName, relationKeyWord } from './inflect.js'
import { isOmitted } from './omit.js'
import type { DMMFField, ModelInfo } from './datamodel.js'

interface ForeignKey extends CatalogForeignKey {
  /** Declared with a smart tag: not enforced, so the row it points to may be missing. */
  declared: boolean
}

export function addCatalogRelations(models: Map<string, ModelInfo>, relations: Map<string, CatalogRelation>): void {
  const byTable = new Map([...models.values()].map((m) => [`${m.table.schema}.${m.table.name}`, m]))
  const added: { source: ModelInfo; target: ModelInfo; key: ForeignKey; from: string[]; to: string[] }[] = []
  for (const [name, relation] of relations) {
    const source = models.get(name)!
    const qualified = `${relation.schema}.${relation.name}`
    const keys: ForeignKey[] = [
      ...relation.foreignKeys.map((k) => ({ ...k, declared: false })),
      ...tagTexts(relation.tags, 'foreignKey').map((text) => ({ ...parseForeignKey(text, relation), declared: true })),
    ]
    for (const key of keys) {
      if (isOmitted(key.tags, `${qualified}.${key.name}`)) continue
      const targetName = `${key.target.schema}.${key.target.name}`
      const target = byTable.get(targetName)
      if (!target) {
        if (key.declared) throw new ModelError(`${qualified}: ${key.name} refers to ${targetName}, which is not a served table or view of the exposed schemas`)
        continue // a table of another schema, or one that is omitted
      }
      const from = fieldsOf(source, key.columns)
      const targetColumns = key.targetColumns.length ? key.targetColumns : target.key.map((k) => target.columns.get(k)!.name)
      const to = fieldsOf(target, targetColumns)
      if (key.declared && (!from || !to || from.length !== to.length)) {
        throw new ModelError(`${qualified}: ${key.name} does not match the columns of ${qualified} and ${targetName} (or the target has no key to refer to)`)
      }
      if (!from || !to || from.length === 0) continue // over a column the API does not serve
      const known = source.relations.some((r) => r.type === target.name && source.joins.get(r.name)?.from.join() === from.join())
      if (!known) added.push({ source, target, key, from, to })
    }
  }
  // Names after every relation is known: the other side is told apart when two types are related
  // through several keys (counting Prisma's relations too).
  for (const { source, target, key, from, to } of added) {
    const between = added.filter((a) => a.source === source && a.target === target).length + source.relations.filter((r) => r.type === target.name && r.relationFromFields?.length).length
    const relationName = `portico:${source.name}:${key.name}`
    const taken = new Set([...source.scalars.map((f) => f.name), ...source.relations.map((r) => r.name)])
    const forward = claim(source, forwardRelationName(key.columns, target.name, taken, tagText(key.tags, 'fieldName')), taken, key)
    const required = !key.declared && from.every((f) => source.columns.get(f)?.notNull)
    addRelation(source, relationField(forward, target.name, relationName, { isList: false, isRequired: required, relationFromFields: from }), { from, to })
    const unique = [source.key, ...source.uniques].some((k) => k.length > 0 && k.length === from.length && k.every((f) => from.includes(f)))
    const targetTaken = new Set([...target.scalars.map((f) => f.name), ...target.relations.map((r) => r.name)])
    const back = claim(
      target,
      backRelationName(source.name, !unique, relationKeyWord(key.columns), between > 1 || source === target, targetTaken, tagText(key.tags, 'foreignFieldName')),
      targetTaken,
      key,
    )
    addRelation(target, relationField(back, source.name, relationName, { isList: !unique, isRequired: false, relationFromFields: [] }), { from: to, to: from })
    const deprecated = tagText(key.tags, 'deprecated')
    if (deprecated) {
      source.deprecated.set(forward, deprecated)
      target.deprecated.set(back, deprecated)
    }
  }
}

/** `(a, b) references schema.table (x, y)|@fieldName f|@foreignFieldName g` */
function parseForeignKey(text: string, relation: CatalogRelation): CatalogForeignKey {
  const [spec, ...extra] = text.split('|')
  const match = /^\(([^)]+)\)\s+references\s+([^\s(]+)\s*(?:\(([^)]*)\))?\s*$/i.exec(spec!.trim())
  if (!match) throw new ModelError(`${relation.schema}.${relation.name}: @foreignKey ${text}: write @foreignKey (a, b) references schema.table (x, y)`)
  const unquote = (name: string) => name.trim().replace(/^"(.*)"$/, '$1')
  const target = match[2]!.split('.').map(unquote)
  const tags: Tags = parseSmartComment(extra.map((e) => e.trim()).join('\n')).tags
  return {
    name: `@foreignKey (${match[1]}) references ${match[2]}`,
    columns: columnList(match[1]!).map(unquote),
    target: target.length === 2 ? { schema: target[0]!, name: target[1]! } : { schema: relation.schema, name: target[0]! },
    targetColumns: columnList(match[3] ?? '').map(unquote),
    tags,
  }
}

/** The fields of these columns, or undefined when one is not served. */
function fieldsOf(model: ModelInfo, columns: string[]): string[] | undefined {
  const fields = columns.map((c) => model.fieldByColumn.get(c))
  return fields.every((f) => f !== undefined && !model.omittedFields.get(f)?.has('read')) ? (fields as string[]) : undefined
}

function claim(model: ModelInfo, name: string, taken: Set<string>, key: ForeignKey): string {
  if (taken.has(name)) {
    throw new ModelError(
      `${model.name}: the relation of ${key.name} would be named "${name}", which the type already has: name it with @fieldName / @foreignFieldName on the foreign key`,
    )
  }
  return name
}

function relationField(name: string, type: string, relationName: string, shape: Pick<DMMFField, 'isList' | 'isRequired' | 'relationFromFields'>): DMMFField {
  return { name, type, kind: 'object', relationName, hasDefaultValue: false, isUnique: false, isId: false, isUpdatedAt: false, ...shape } as DMMFField
}

function addRelation(model: ModelInfo, field: DMMFField, join: { from: string[]; to: string[] }): void {
  model.relations.push(field)
  model.joins.set(field.name, join)
  model.readOnlyRelations.add(field.name)
}
