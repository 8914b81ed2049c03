/**
 * Before the schema is built: every GraphQL name the API will have, with what makes it, so two
 * sources of one name (a table `film_connection` beside `film`, whose connection type is
 * `FilmConnection`; a table `films_group_by`...) stop start-up with both named, instead of a crash
 * deep in schema building or one type silently replacing another.
 */
import { claimName, type Names } from './claim-name.js'
import type { Datamodel, ModelInfo } from './datamodel.js'
import { derivedTypeName, rootFieldName, scalarFilterTypeName } from './inflect.js'

/** Names the schema itself uses, whatever the database. */
const FIXED_TYPES = [
  'Query', 'Mutation', 'Subscription', 'Node', 'PageInfo', 'AffectedRows', 'SortOrder', 'QueryMode', 'TimeBucketUnit',
  'AggregateComparison', '_Entity', '_Service', '_Any', 'FieldSet', 'link__Import',
]

export function checkGeneratedNames(datamodel: Datamodel, scalars: string[], options: { mutations: boolean }): void {
  const types: Names = new Map()
  const fix = "rename a table with a smart comment (@name) or the config's smartTags"
  const claim = (names: Names, name: string, what: string) => claimName(name, names, what, fix)
  for (const name of FIXED_TYPES) claim(types, name, `Portico's own type ${name}`)
  for (const name of [...scalars, ...datamodel.enums.keys()]) {
    claim(types, scalarFilterTypeName(name, false), `the filter input of ${name} columns`)
    claim(types, scalarFilterTypeName(name, true), `the filter input of ${name} list columns`)
  }
  for (const name of datamodel.enums.keys()) claim(types, name, `enum type ${name}`)
  for (const model of datamodel.models.values()) claim(types, model.name, `table ${qualified(model)}`)
  const relations = [...datamodel.models.values()].flatMap((m) => m.relations)
  const targets = { one: new Set(relations.filter((r) => !r.isList).map((r) => r.type)), many: new Set(relations.filter((r) => r.isList).map((r) => r.type)) }
  for (const model of datamodel.models.values()) {
    for (const [kind, name] of derivedNames(model, options.mutations, targets)) claim(types, name, `the ${kind} of table ${qualified(model)}`)
  }

  const queries = new Map<string, string>([['node', 'the node field']])
  const mutations = new Map<string, string>()
  for (const model of datamodel.models.values()) {
    const table = qualified(model)
    if (model.keyName) claim(queries, rootFieldName.lookup(model.name), `the lookup of table ${table}`)
    claim(queries, rootFieldName.list(model.name), `the list of table ${table}`)
    claim(queries, rootFieldName.groupBy(model.name), `the group-by of table ${table}`)
    for (const lookup of model.lookups) claim(queries, lookup.name, `the lookup by ${lookup.fields.join(', ')} of table ${table}`)
    if (!options.mutations || model.isView) continue
    const kinds = model.key.length ? (['create', 'createMany', 'update', 'updateMany', 'delete', 'deleteMany', 'upsert'] as const) : (['create', 'createMany'] as const)
    for (const kind of kinds) claim(mutations, rootFieldName[kind](model.name), `the ${kind} mutation of table ${table}`)
  }
  checkFunctionNames(datamodel, { types, queries, mutations }, options)
}

/** What functions add (./functions.ts): root fields, computed fields beside a type's own, record types. */
function checkFunctionNames(datamodel: Datamodel, scopes: { types: Names; queries: Names; mutations: Names }, options: { mutations: boolean }): void {
  const fix = "rename the function's field with a smart comment (COMMENT ON FUNCTION ... IS '@name other'), or @omit it"
  const fieldsOf = new Map<string, Names>()
  for (const fn of datamodel.functions) {
    const what = `function ${fn.schema}.${fn.name}`
    if (fn.returns.kind === 'record') claimName(fn.returns.type, scopes.types, `the row type of ${fn.returns.source}`, fix)
    if (fn.role === 'query') claimName(fn.field, scopes.queries, what, fix)
    if (fn.role === 'mutation' && options.mutations) claimName(fn.field, scopes.mutations, what, fix)
    if (fn.role !== 'computed') continue
    const model = datamodel.models.get(fn.model!)!
    let fields = fieldsOf.get(model.name)
    if (!fields) {
      fields = new Map([...model.scalars, ...model.relations].map((f) => [f.name, `${model.name}.${f.name} (a column or relation of table ${qualified(model)})`]))
      fieldsOf.set(model.name, fields)
    }
    claimName(fn.field, fields, `the computed field ${model.name}.${fn.field} of ${what}`, fix)
  }
}

const qualified = (model: ModelInfo) => `${model.table.schema}.${model.table.name}`

function derivedNames(model: ModelInfo, mutations: boolean, targets: { one: Set<string>; many: Set<string> }): [string, string][] {
  const t = model.name
  const d = derivedTypeName
  const names: [string, string][] = [
    ['connection type', d.connection(t)],
    ['edge type', d.edge(t)],
    ['filter input', d.filter(t)],
    ['order input', d.orderBy(t)],
    ['aggregates type', d.aggregates(t)],
    ...(['sum', 'avg', 'min', 'max'] as const).map((fn): [string, string] => [`${fn} aggregates type`, d.aggregateFunction(t, fn)]),
    ['per-column counts type', d.countAggregates(t)],
    ['order-by-related-aggregate input', d.relationAggregateOrderBy(t)],
    ['order-by-sum/avg input', d.aggregateColumnsOrderBy(t, 'SumAvg')],
    ['order-by-min/max input', d.aggregateColumnsOrderBy(t, 'MinMax')],
    ['group count condition input', d.groupCountInput(t, 'Having')],
    ['group count order input', d.groupCountInput(t, 'Order')],
    ['group-by column enum', d.groupField(t)],
    ['group key type', d.groupKey(t)],
    ['group type', d.group(t)],
    ['time-bucket column enum', d.temporalField(t)],
    ['time-bucket input', d.timeBucket(t)],
    ['aggregate condition input', d.aggregateHaving(t)],
    ['aggregate order input', d.aggregateOrder(t)],
    ['group condition input', d.groupHaving(t)],
    ['group order input', d.groupOrderBy(t)],
  ]
  // Relation filters exist only for types some relation points at.
  if (targets.one.has(t)) names.push(['relation filter input', d.relationFilter(t, false)])
  if (targets.many.has(t)) names.push(['list relation filter input', d.relationFilter(t, true)])
  for (const relation of model.relations.filter((r) => r.isList)) {
    names.push([`connection type of ${t}.${relation.name}`, d.relationConnection(t, relation.name)])
    names.push([`edge type of ${t}.${relation.name}`, d.relationEdge(t, relation.name)])
  }
  if (mutations && !model.isView) {
    names.push(['create input', d.createInput(t)], ['create-many input', d.createManyInput(t)], ['update input', d.updateInput(t)])
    names.push(['update-many input', d.updateManyInput(t)], ['unique key input', d.whereUniqueInput(t)], ['link input', d.linkInput(t, false)], ['link-unlink input', d.linkInput(t, true)])
  }
  return names
}
