/**
 * What each PostgreSQL function of the exposed schemas becomes in the API:
 *
 * - a STABLE or IMMUTABLE function whose first argument is not a table's row: a root Query field;
 * - a VOLATILE one: a Mutation field;
 * - a STABLE or IMMUTABLE function whose first argument is the row of a served table or view `t`
 *   and whose name is `t_<name>`: the field `<name>` of t's type (a computed field), its other
 *   arguments the field's arguments.
 *
 * Left out, each with one log line (../gateway.ts): overloaded names (GraphQL has no overloading),
 * variadic and polymorphic functions, procedures, and functions taking or returning types the API
 * cannot carry (composite or pseudo-type arguments, rows of tables that are not served, `record`
 * without OUT parameters, nested composites). Left out silently: `@omit`, aggregates and window
 * functions (not callable on their own), trigger functions.
 *
 * Types map as a column of the same type does (./prisma-types.ts, ../schema/scalars.ts): a
 * function's integer is an `Int` as an integer column's is, a type Prisma has not is read as
 * text (an `interval` is an `Interval`).
 */
import type { CatalogColumn } from '../introspect/catalog.js'
import type { CatalogFunction, CatalogType } from '../introspect/functions.js'
import { tagText } from '../introspect/smart-tags.js'
import { functionName } from './inflect.js'
import { isOmitted } from './omit.js'
import { prismaColumnType } from './prisma-types.js'
import type { ModelInfo } from './datamodel.js'

/** A scalar as a function takes or gives it. */
export interface FunctionScalar {
  kind: 'scalar'
  /** Prisma's type for it (`Int`, `BigInt`, `Decimal`, `String`, an enum's name, ...) and its
   *  native type (`Timestamptz`, `Uuid`; for a type read as text, PostgreSQL's: `interval`), which
   *  give its GraphQL scalar as they give a column's (../schema/scalars.ts). */
  prismaType: string
  native?: string
  /** The GraphQL enum's name, for an enum. */
  enum?: string
  /** The base type as format_type() prints it (`timestamp with time zone`): how its value is served. */
  base: string
  /** Read as text with no useful order or equality (tsvector, geometric types...). */
  opaque: boolean
  /** The declared type (a domain stays a domain), for parameter casts. */
  cast: string
}

export interface FunctionArray {
  kind: 'array'
  element: FunctionScalar
  cast: string
}

export type FunctionValue = FunctionScalar | FunctionArray

export interface FunctionRecordField {
  name: string
  column: string | null
  type: FunctionValue
}

export type FunctionResult =
  | FunctionValue
  /** A served table's or view's row. */
  | { kind: 'row'; model: string }
  /** RETURNS TABLE, OUT parameters or a composite type: an output type of its own. */
  | { kind: 'record'; type: string; fields: FunctionRecordField[]; source: string }
  /** `void`: served as a nullable Boolean, true once the call is done. */
  | { kind: 'void' }

export interface FunctionArg {
  /** The GraphQL argument. */
  name: string
  /** The SQL argument's name, null when it has none (then it can only be passed by position). */
  sqlName: string | null
  type: FunctionValue
  /** It has a default: the argument may be left out (and then is not passed). */
  optional: boolean
  /** STRICT and no default: a NULL would only give NULL, so the argument is required and non-null. */
  required: boolean
}

export interface FunctionInfo {
  schema: string
  /** The SQL name. */
  name: string
  role: 'query' | 'mutation' | 'computed'
  /** The GraphQL field's name. */
  field: string
  /** For a computed field, the model (type) it is a field of. */
  model?: string
  /** The arguments the field takes (a computed field's row excluded), in the function's order. */
  args: FunctionArg[]
  returns: FunctionResult
  /** SETOF: many rows or values. */
  set: boolean
  description?: string
  deprecation?: string
  /** Computed scalars only: usable in `where` (`@filterable`) and `orderBy` (`@sortable`). */
  filterable: boolean
  sortable: boolean
}

export interface LeftOutFunction {
  function: string
  reason: string
}

export interface DatabaseFunctions {
  functions: FunctionInfo[]
  leftOut: LeftOutFunction[]
}

class LeftOut extends Error {}

/** Argument names a connection takes itself: a SETOF-table function cannot have them. */
const CONNECTION_ARGS = new Set(['first', 'last', 'after', 'before', 'offset', 'where', 'orderBy'])

const POLYMORPHIC = /^(any|anyelement|anyarray|anynonarray|anyenum|anyrange|anymultirange|anycompatible\w*)$/

/**
 * `models`: the served models; `enumNames`: `schema.pgName` -> the GraphQL enum's name.
 */
export function describeFunctions(catalogFunctions: CatalogFunction[], models: Iterable<ModelInfo>, enumNames: Map<string, string>): DatabaseFunctions {
  const byTable = new Map([...models].map((m) => [`${m.table.schema}.${m.table.name}`, m]))
  const functions: FunctionInfo[] = []
  const leftOut: LeftOutFunction[] = []
  const candidates = catalogFunctions.filter((fn) => {
    if (fn.kind === 'aggregate' || fn.kind === 'window') return false
    if (fn.returns.kind === 'pseudo' && (fn.returns.name === 'trigger' || fn.returns.name === 'event_trigger')) return false
    return !isOmitted(fn.tags, `${fn.schema}.${fn.name}`)
  })
  const named = new Map<string, number>()
  for (const fn of candidates) named.set(`${fn.schema}.${fn.name}`, (named.get(`${fn.schema}.${fn.name}`) ?? 0) + 1)
  for (const fn of candidates) {
    const qualified = `${fn.schema}.${fn.name}`
    try {
      if ((named.get(qualified) ?? 0) > 1) throw new LeftOut(`overloaded: several functions are named ${qualified} (a GraphQL field cannot be overloaded; @omit all but one, or rename them)`)
      functions.push(describe(fn, byTable, enumNames))
    } catch (error) {
      if (!(error instanceof LeftOut)) throw error
      leftOut.push({ function: `${qualified}(${fn.inputs.map((a) => typeText(a.type)).join(', ')})`, reason: error.message })
    }
  }
  return { functions, leftOut }
}

function describe(fn: CatalogFunction, byTable: Map<string, ModelInfo>, enumNames: Map<string, string>): FunctionInfo {
  if (fn.kind === 'procedure') throw new LeftOut('a procedure (called with CALL, not in a query)')
  if (fn.variadic) throw new LeftOut('variadic (VARIADIC arguments)')
  const polymorphic = [...fn.inputs, ...fn.outputs, { name: null, type: fn.returns }].find((a) => isPolymorphic(a.type))
  if (polymorphic) throw new LeftOut(`polymorphic (${typeText(polymorphic.type)})`)

  const first = fn.inputs[0]
  const rowOf = first?.type.kind === 'row' ? first.type.relation : undefined
  let role: FunctionInfo['role'] = fn.volatility === 'volatile' ? 'mutation' : 'query'
  let model: ModelInfo | undefined
  let field = tagText(fn.tags, 'name') ?? functionName.field(fn.name)
  if (rowOf) {
    model = byTable.get(`${rowOf.schema}.${rowOf.name}`)
    if (!model) throw new LeftOut(`its first argument is a row of ${rowOf.schema}.${rowOf.name}, which is not served`)
    if (fn.volatility === 'volatile') throw new LeftOut(`it takes a row of ${rowOf.schema}.${rowOf.name} but is VOLATILE (a computed field must be STABLE or IMMUTABLE)`)
    const prefix = `${rowOf.name}_`
    if (!fn.name.startsWith(prefix) || fn.name.length === prefix.length) throw new LeftOut(`it takes a row of ${rowOf.schema}.${rowOf.name} but its name does not start with ${prefix} (a computed field is named <table>_<field>)`)
    role = 'computed'
    field = tagText(fn.tags, 'name') ?? functionName.computedField(fn.name, prefix)
  }

  const inputs = rowOf ? fn.inputs.slice(1) : fn.inputs
  const offset = rowOf ? 1 : 0
  const firstDefault = fn.inputs.length - fn.defaults
  const args = inputs.map((arg, i): FunctionArg => {
    const position = i + offset
    const type = valueType(arg.type, enumNames)
    if (!type) throw new LeftOut(`argument ${arg.name ?? `$${position + 1}`} is of type ${typeText(arg.type)}, which Portico cannot take`)
    const optional = position >= firstDefault
    return { name: functionName.argument(arg.name, position), sqlName: arg.name, type, optional, required: fn.strict && !optional }
  })
  const seen = new Set<string>()
  for (const arg of args) {
    if (seen.has(arg.name)) throw new LeftOut(`two arguments would both be named ${arg.name}`)
    seen.add(arg.name)
  }

  const returns = resultType(fn, field, byTable, enumNames)
  if (fn.returnsSet && returns.kind === 'void') throw new LeftOut('SETOF void')
  if (fn.returnsSet && returns.kind === 'array') throw new LeftOut('SETOF an array type (a list of lists)')
  if (fn.returnsSet && returns.kind === 'row' && role !== 'mutation') {
    const clash = args.find((a) => CONNECTION_ARGS.has(a.name))
    if (clash) throw new LeftOut(`argument ${clash.name} would clash with the connection's own ${clash.name}`)
  }
  const scalar = role === 'computed' && !fn.returnsSet && (returns.kind === 'scalar' || returns.kind === 'array')
  const callableBare = args.every((a) => a.optional)
  const filterable = scalar && callableBare && !!fn.tags.filterable && !(returns.kind === 'scalar' && (returns.opaque || returns.base === 'tsvector'))
  const sortable = scalar && callableBare && !!fn.tags.sortable && returns.kind === 'scalar' && !returns.opaque && returns.prismaType !== 'Json' && returns.prismaType !== 'Bytes'
  return {
    schema: fn.schema,
    name: fn.name,
    role,
    field,
    model: model?.name,
    args,
    returns,
    set: fn.returnsSet,
    description: fn.description ?? undefined,
    deprecation: fn.tags.deprecated ? (tagText(fn.tags, 'deprecated') ?? 'No longer supported.') : undefined,
    filterable,
    sortable,
  }
}

function resultType(fn: CatalogFunction, field: string, byTable: Map<string, ModelInfo>, enumNames: Map<string, string>): FunctionResult {
  const type = fn.returns
  if (type.kind === 'void') return { kind: 'void' }
  if (type.kind === 'row') {
    const model = byTable.get(`${type.relation.schema}.${type.relation.name}`)
    if (!model) throw new LeftOut(`it returns rows of ${type.relation.schema}.${type.relation.name}, which is not served`)
    return { kind: 'row', model: model.name }
  }
  if (type.kind === 'pseudo' && type.name === 'record' && fn.outputs.length) {
    return recordOf(functionName.recordType(field), `the result of ${fn.schema}.${fn.name}`, fn.outputs, enumNames)
  }
  if (type.kind === 'composite') {
    return recordOf(functionName.compositeType(type.name, type.schema), `composite type ${type.schema}.${type.name}`, type.attributes, enumNames)
  }
  const value = valueType(type, enumNames)
  if (!value) throw new LeftOut(`it returns ${typeText(type)}, which Portico cannot serve`)
  return value
}

function recordOf(name: string, source: string, columns: { name: string | null; type: CatalogType }[], enumNames: Map<string, string>): FunctionResult {
  const fields = columns.map((column, i): FunctionRecordField => {
    const type = valueType(column.type, enumNames)
    if (!type) throw new LeftOut(`its result's column ${column.name ?? i + 1} is of type ${typeText(column.type)}, which Portico cannot serve`)
    return { name: functionName.recordField(column.name, i), column: column.name, type }
  })
  if (new Set(fields.map((f) => f.name)).size !== fields.length) throw new LeftOut('two columns of its result would have the same field name')
  return { kind: 'record', type: name, fields, source }
}

/** A scalar or an array of scalars, as a column of that type is served; undefined for anything else. */
function valueType(type: CatalogType, enumNames: Map<string, string>): FunctionValue | undefined {
  if (type.kind === 'array') {
    const element = type.element.kind === 'scalar' ? scalarType(type.element, enumNames) : undefined
    return element && { kind: 'array', element, cast: type.cast }
  }
  return type.kind === 'scalar' ? scalarType(type, enumNames) : undefined
}

function scalarType(type: Extract<CatalogType, { kind: 'scalar' }>, enumNames: Map<string, string>): FunctionScalar {
  const column = { isEnum: type.isEnum, baseType: type.baseType, baseTypeSchema: type.baseTypeSchema, type: type.formatted } as CatalogColumn
  const mapped = prismaColumnType(column, enumNames)
  const base = type.formatted
  if (mapped && type.isEnum && enumNames.has(`${type.baseTypeSchema}.${type.baseType}`)) {
    return { kind: 'scalar', prismaType: mapped.fieldType, enum: mapped.fieldType, base, opaque: false, cast: type.cast }
  }
  // No Prisma type: read as text, as such a column is (an interval is an Interval).
  if (!mapped) return { kind: 'scalar', prismaType: 'String', native: base, base, opaque: base !== 'interval', cast: type.cast }
  return { kind: 'scalar', prismaType: mapped.fieldType, native: mapped.native?.name, base, opaque: false, cast: type.cast }
}


function isPolymorphic(type: CatalogType): boolean {
  if (type.kind === 'pseudo') return POLYMORPHIC.test(type.name) || type.name === '"any"'
  return type.kind === 'array' && isPolymorphic(type.element)
}

function typeText(type: CatalogType): string {
  switch (type.kind) {
    case 'scalar':
      return type.domain ?? type.formatted
    case 'array':
      return `${typeText(type.element)}[]`
    case 'row':
      return `${type.relation.schema}.${type.relation.name}`
    case 'composite':
      return `${type.schema}.${type.name}`
    default:
      return type.kind === 'void' ? 'void' : type.name
  }
}

/** The computed fields of each model, by field name. */
export function computedFieldsByModel(functions: FunctionInfo[]): Map<string, Map<string, FunctionInfo>> {
  const result = new Map<string, Map<string, FunctionInfo>>()
  for (const fn of functions) {
    if (fn.role !== 'computed') continue
    let fields = result.get(fn.model!)
    if (!fields) result.set(fn.model!, (fields = new Map()))
    fields.set(fn.field, fn)
  }
  return result
}
