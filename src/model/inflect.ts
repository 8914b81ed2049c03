/**
 * Portico's naming rules (its "inflectors"), in one place. Database names become GraphQL-style
 * names; every rule is deterministic so the same database always gives the same API.
 *
 * - Types (models, views, enums): singular PascalCase: `film_actor` -> `FilmActor`.
 * - Fields: camelCase: `last_update` -> `lastUpdate`, `"zip code"` -> `zipCode`.
 * - Names that start with a digit get a leading `N` (types) or `n` (fields): `2fa_codes` -> `N2faCode`,
 *   `1st_choice` -> `n1stChoice`. GraphQL and Prisma names must start with a letter.
 * - Type names that GraphQL or Portico already use (Query, Node, String, ...) get `Record` appended.
 * - A table whose name exists in several exposed schemas is prefixed with its schema:
 *   `app.item` and `audit.item` -> `AppItem` and `AuditItem`.
 */
import { camelCase, pascalCase } from 'change-case'
import pluralize from 'pluralize'

/** Names that a table must not take as its type name. */
const RESERVED_TYPE_NAMES = new Set([
  'Query', 'Mutation', 'Subscription', 'Node', 'PageInfo', 'String', 'Int', 'Float', 'Boolean', 'ID',
  'BigInt', 'Decimal', 'DateTime', 'LocalDateTime', 'Date', 'Time', 'OffsetTime', 'JSON', 'Bytes', 'Interval', 'SortOrder', 'NullsOrder',
  'QueryMode', 'Prisma', 'PrismaClient',
])

/** Prisma field names that clash with its client API. */
const RESERVED_FIELD_NAMES = new Set(['AND', 'OR', 'NOT', '_count', '_sum', '_avg', '_min', '_max'])

function words(name: string): string {
  // change-case splits on case changes and separators; keep digits attached to their word.
  return name.replace(/[^A-Za-z0-9]+/g, ' ').trim()
}

function leadingLetter(name: string, prefix: string): string {
  return /^[0-9]/.test(name) ? `${prefix}${name}` : name
}

export function pascal(name: string): string {
  return leadingLetter(pascalCase(words(name), { mergeAmbiguousCharacters: true }) || 'Unnamed', 'N')
}

export function camel(name: string): string {
  const result = leadingLetter(camelCase(words(name), { mergeAmbiguousCharacters: true }) || 'unnamed', 'n')
  return RESERVED_FIELD_NAMES.has(result) ? `${result}Field` : result
}

/** The last word of a snake_case, camelCase or PascalCase name, and what comes before it. */
const LAST_WORD = /^(.*?)([A-Z]?[a-z]+|[A-Z]+)$/

/** Singularise the last word only: `film_actors` -> `film_actor`, `news` stays `news`. */
export function singular(name: string): string {
  const match = LAST_WORD.exec(name)
  if (!match) return name
  return match[1] + preserveCase(match[2]!, pluralize.singular(match[2]!.toLowerCase()))
}

export function plural(name: string): string {
  const match = LAST_WORD.exec(name)
  if (!match) return `${name}s`
  return match[1] + preserveCase(match[2]!, pluralize.plural(match[2]!.toLowerCase()))
}

function preserveCase(original: string, replacement: string): string {
  if (original === original.toUpperCase()) return replacement.toUpperCase()
  if (original[0] === original[0]!.toUpperCase()) return replacement[0]!.toUpperCase() + replacement.slice(1)
  return replacement
}

export function typeName(table: string, schema: string, qualify: boolean): string {
  const base = pascal(singular(table))
  const name = qualify ? pascal(schema) + base : base
  return RESERVED_TYPE_NAMES.has(name) ? `${name}Record` : name
}

export function enumName(name: string, schema: string, qualify: boolean): string {
  return typeName(name, schema, qualify)
}

export function fieldName(column: string): string {
  return camel(column)
}

/** `author_id` -> `author`, `original_language_id` -> `originalLanguage`; null when no suffix to strip. */
export function stripKeySuffix(column: string): string | null {
  const match = /^(.+?)(_id|_fk|Id|ID|_key)$/.exec(column)
  return match ? match[1]! : null
}

/** Root list field: `films`; when plural equals singular (`news`), `newsList`. */
export function listFieldName(type: string): string {
  const one = camel(type)
  const many = plural(one)
  return many === one ? `${one}List` : many
}

/** Root lookup by key: `film`. */
export function lookupFieldName(type: string): string {
  return camel(type)
}

/**
 * The to-one side of a foreign key: its column without the key suffix (`language_id` ->
 * `language`); a column without one, several columns, or a name already taken give
 * `<target>By<Columns>` (`personByAuthor`). A smart tag's `@fieldName` wins.
 */
export function forwardRelationName(dbColumns: string[], targetType: string, taken: { has(name: string): boolean }, tagged?: string): string {
  if (tagged) return tagged
  const stripped = dbColumns.length === 1 ? stripKeySuffix(dbColumns[0]!) : null
  const name = dbColumns.length === 1 ? (stripped ? camel(stripped) : '') : camel(targetType)
  return !name || taken.has(name) ? `${camel(targetType)}By${pascal(dbColumns.join('_'))}` : name
}

/** What tells several relations between two types apart: the key's columns, suffix stripped. */
export function relationKeyWord(dbColumns: string[]): string {
  return (dbColumns.length === 1 ? stripKeySuffix(dbColumns[0]!) : null) ?? dbColumns.join('_')
}

/**
 * The other side of a foreign key: the referencing type, in the plural when many rows may refer
 * (`films`); told apart by the key (`filmsByOriginalLanguage`) when two types are related through
 * several keys, a type refers to itself, or the name is taken. `@foreignFieldName` wins.
 */
export function backRelationName(sourceType: string, many: boolean, keyWord: string, ambiguous: boolean, taken: { has(name: string): boolean }, tagged?: string): string {
  if (tagged) return tagged
  const name = many ? plural(camel(sourceType)) : camel(sourceType)
  return ambiguous || taken.has(name) ? `${name}By${pascal(keyWord)}` : name
}

/** Root lookup by a unique key that is not the primary key: `customerByEmail`, `rentalByRentalDateAndInventoryIdAndCustomerId`. */
export function uniqueLookupFieldName(type: string, fields: string[]): string {
  return `${camel(type)}By${fields.map((f) => pascal(f)).join('And')}`
}

/** Make `name` unique among `taken` by appending 2, 3, ... */
export function uniqueName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) return name
  for (let i = 2; ; i++) if (!taken.has(`${name}${i}`)) return `${name}${i}`
}

/** `orderBy` list items of a type: `FilmOrderBy`. */
export function orderByTypeName(type: string): string {
  return `${type}OrderBy`
}

/** Ordering rows by an aggregate of their related `type` rows: `InvoiceRelationAggregateOrderBy`. */
export function relationAggregateOrderTypeName(type: string): string {
  return `${type}RelationAggregateOrderBy`
}

/** The columns of `type` an ordering by related aggregates may name: `InvoiceSumAvgOrderBy`, `InvoiceMinMaxOrderBy`. */
export function aggregateColumnsOrderTypeName(type: string, functions: 'SumAvg' | 'MinMax'): string {
  return `${type}${functions}OrderBy`
}

/** Per-column counts of `type` rows in its aggregates: `InvoiceCountAggregates` (nonNullCount, distinctCount). */
export function countAggregatesTypeName(type: string): string {
  return `${type}CountAggregates`
}

/** Group-by conditions and orderings on per-column counts: `InvoiceCountHaving`, `InvoiceCountOrder`. */
export function groupCountInputTypeName(type: string, use: 'Having' | 'Order'): string {
  return `${type}Count${use}`
}

/** `filmActors` -> `FilmActors`: a field name as the middle of a type name. */
const typePart = (field: string) => `${field[0]!.toUpperCase()}${field.slice(1)}`

/**
 * Every GraphQL type name the schema derives from a table's type name (`Film`), in one place, so
 * ../model/check-names.ts can tell before building when two would meet (a table `film_connection`
 * beside `film`).
 */
export const derivedTypeName = {
  connection: (type: string) => `${type}Connection`,
  edge: (type: string) => `${type}Edge`,
  /** A to-many field's own connection: `ActorFilmsConnection`, and its edge `ActorFilmsConnectionEdge`. */
  relationConnection: (type: string, field: string) => `${type}${typePart(field)}Connection`,
  relationEdge: (type: string, field: string) => `${type}${typePart(field)}ConnectionEdge`,
  filter: (type: string) => `${type}Filter`,
  relationFilter: (type: string, many: boolean) => `${type}${many ? 'ListRelationFilter' : 'RelationFilter'}`,
  orderBy: orderByTypeName,
  relationAggregateOrderBy: relationAggregateOrderTypeName,
  aggregateColumnsOrderBy: aggregateColumnsOrderTypeName,
  countAggregates: countAggregatesTypeName,
  groupCountInput: groupCountInputTypeName,
  aggregates: (type: string) => `${type}Aggregates`,
  /** `FilmSumAggregates` */
  aggregateFunction: (type: string, fn: string) => `${type}${typePart(fn)}Aggregates`,
  groupField: (type: string) => `${type}GroupField`,
  groupKey: (type: string) => `${type}GroupKey`,
  group: (type: string) => `${type}Group`,
  temporalField: (type: string) => `${type}TemporalField`,
  timeBucket: (type: string) => `${type}TimeBucket`,
  aggregateHaving: (type: string) => `${type}AggregateHaving`,
  aggregateOrder: (type: string) => `${type}AggregateOrder`,
  groupHaving: (type: string) => `${type}GroupHaving`,
  groupOrderBy: (type: string) => `${type}GroupOrderBy`,
  createInput: (type: string) => `${type}CreateInput`,
  createManyInput: (type: string) => `${type}CreateManyInput`,
  updateInput: (type: string) => `${type}UpdateInput`,
  updateManyInput: (type: string) => `${type}UpdateManyInput`,
  whereUniqueInput: (type: string) => `${type}WhereUniqueInput`,
  /** A nested create from the other side of `relation`, which Portico fills in. */
  createWithoutInput: (type: string, relation: string) => `${type}CreateWithout${pascal(relation)}Input`,
  createNestedInput: (type: string, many: boolean, inverse: string) => `${type}CreateNested${many ? 'Many' : 'One'}Without${pascal(inverse)}Input`,
  updateNestedInput: (type: string, many: boolean, inverse: string) => `${type}UpdateNested${many ? 'Many' : 'One'}Without${pascal(inverse)}Input`,
  linkInput: (type: string, unlink: boolean) => `${type}${unlink ? 'LinkUnlink' : 'Link'}Input`,
}

/** Root fields of a table's type: lists, groups, lookups and the mutations. */
export const rootFieldName = {
  lookup: lookupFieldName,
  list: listFieldName,
  groupBy: (type: string) => `${listFieldName(type)}GroupBy`,
  uniqueLookup: uniqueLookupFieldName,
  create: (type: string) => `create${type}`,
  createMany: (type: string) => `createMany${type}`,
  update: (type: string) => `update${type}`,
  updateMany: (type: string) => `updateMany${type}`,
  delete: (type: string) => `delete${type}`,
  deleteMany: (type: string) => `deleteMany${type}`,
  upsert: (type: string) => `upsert${type}`,
}

/** A scalar's filter input (`IntFilter`, `StringListFilter`), shared by every column of that type. */
export function scalarFilterTypeName(type: string, list: boolean): string {
  return `${type}${list ? 'List' : ''}Filter`
}

/**
 * Names of what PostgreSQL functions become (../model/functions.ts): the field is the function's
 * name in camelCase (`last_day` -> `lastDay`; a computed field drops its table's prefix:
 * `film_rental_count(film)` -> `Film.rentalCount`), arguments in camelCase, unnamed ones by their
 * position (`arg0`, `arg1`, ...; a computed field's row is position 0), the rows of `RETURNS TABLE`
 * or OUT parameters a type of their own (`filmInStock` -> `FilmInStockRecord`), whose unnamed
 * columns are PostgreSQL's `column1`, `column2`, ... A `@name` smart tag names the field.
 */
export const functionName = {
  field: (sqlName: string) => camel(sqlName),
  computedField: (sqlName: string, tablePrefix: string) => camel(sqlName.slice(tablePrefix.length)),
  argument: (sqlName: string | null, position: number) => (sqlName ? camel(sqlName) : `arg${position}`),
  recordType: (field: string) => `${typePart(field)}Record`,
  recordField: (sqlName: string | null, position: number) => (sqlName ? camel(sqlName) : `column${position + 1}`),
  /** A composite type (CREATE TYPE ... AS) as a function's result: named like a table. */
  compositeType: (sqlName: string, schema: string) => typeName(sqlName, schema, false),
}
