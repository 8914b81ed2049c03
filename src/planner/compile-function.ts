/**
 * Calls of PostgreSQL functions (../model/functions.ts), as SQL: the call itself, with every
 * argument a parameter cast to the argument's declared type (`"app"."add_days"($1::date,
 * $2::integer)`; a computed field's row first, `"app"."person_initials"(t1::"app"."person", ...)`),
 * and its scalar values in their served form. What the result becomes (an object, a connection, a
 * list) is ./compile-read.ts's, as for any other field.
 */
import type { Datamodel, ModelInfo } from '../model/datamodel.js'
import type { FunctionInfo, FunctionScalar, FunctionValue } from '../model/functions.js'
import { badInput } from './client-errors.js'
import { servedValue } from './served-value.js'
import { ident, join, sql, tableName, toText, type Params, type Sql } from './sql.js'
import { trusted } from './sql-text.js'

/**
 * The call. An argument left out of the field's arguments keeps its default (it is not passed);
 * the ones after it are then passed by name (`"since" => $2::timestamptz`), as only a named
 * argument can follow a skipped one. An argument given as null is passed as NULL.
 */
export function callSql(datamodel: Datamodel, params: Params, fn: FunctionInfo, args: Record<string, unknown>, row?: { model: ModelInfo; alias: Sql }): Sql {
  const parts: Sql[] = []
  // A row from a subquery (a cursor row) is a record: the cast makes it the table's row type.
  if (row) parts.push(sql`${row.alias}::${tableName(row.model)}`)
  let skipped: string | undefined
  for (const arg of fn.args) {
    const value = args[arg.name]
    if (value === undefined && arg.optional) {
      skipped ??= arg.name
      continue
    }
    // The argument's type as the catalog's format_type() wrote it (../model/functions.ts), names quoted.
    const placeholder = params.add(argumentText(datamodel, arg.type, value), trusted(arg.type.cast))
    if (skipped === undefined) parts.push(placeholder)
    else if (arg.sqlName) parts.push(sql`${ident(arg.sqlName)} => ${placeholder}`)
    else throw badInput(`${fn.field}: give ${skipped} too (${arg.name} has no name in the database, so it can only follow the arguments before it)`)
  }
  return sql`${ident(fn.schema)}.${ident(fn.name)}(${join(parts, sql`, `)})`
}

/** A GraphQL argument's value as PostgreSQL's text of the argument's type (enums by their labels). */
function argumentText(datamodel: Datamodel, type: FunctionValue, value: unknown): unknown {
  if (value === undefined || value === null) return null
  const scalar = type.kind === 'array' ? type.element : type
  const labels = scalar.enum ? datamodel.enums.get(scalar.enum) : undefined
  const one = (v: unknown) => (labels && typeof v === 'string' ? (labels.get(v) ?? v) : v)
  return toText(Array.isArray(value) ? value.map(one) : one(value))
}

/** A scalar or array value `v` in its served form (arrays element by element; a NULL array is null). */
export function functionValueSql(datamodel: Datamodel, type: FunctionValue, v: Sql): Sql {
  const element = servedValue(datamodel, servedScalar(type.kind === 'array' ? type.element : type))
  if (type.kind === 'scalar') return element(v)
  if (element(sql`v`) === 'v') return sql`to_json(${v})`
  return sql`CASE WHEN ${v} IS NULL THEN NULL ELSE coalesce((SELECT json_agg(${element(sql`u.v`)} ORDER BY u.i) FROM unnest(${v}) WITH ORDINALITY AS u(v, i)), '[]'::json) END`
}

const servedScalar = (scalar: FunctionScalar) => ({ enum: scalar.enum, prismaType: scalar.prismaType, base: scalar.base, opaque: scalar.opaque })

/** Whether serving the value is the value itself (then a call needs no subquery to be read once). */
export function servedAsIs(datamodel: Datamodel, type: FunctionValue): boolean {
  return type.kind === 'scalar' && servedValue(datamodel, servedScalar(type))(sql`v`) === 'v'
}
