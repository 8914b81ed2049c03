/**
 * Writing SQL text safely: identifiers are quoted, values are always parameters ($n), cast to the
 * column's own type so PostgreSQL compares (and uses indexes) exactly as it would for a literal.
 */
import type { ModelInfo } from '../model/datamodel.js'

export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`

export const tableName = (model: ModelInfo): string => `${ident(model.table.schema)}.${ident(model.table.name)}`

export const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`

/** The parameters of one statement; `add` returns the placeholder to write. */
export class Params {
  readonly values: unknown[] = []
  private aliases = 0

  add(value: unknown, type?: string): string {
    this.values.push(value)
    return type ? `$${this.values.length}::${type}` : `$${this.values.length}`
  }

  /** A fresh table alias: nested subqueries each get their own. */
  alias(): string {
    this.aliases += 1
    return `t${this.aliases}`
  }
}

/** `alias."column"` of a model's field. */
export function column(model: ModelInfo, alias: string, field: string): string {
  const info = model.columns.get(field)
  if (!info) throw new Error(`${model.name}.${field} has no column`)
  return `${alias}.${ident(info.name)}`
}

export function columnType(model: ModelInfo, field: string): string {
  return model.columns.get(field)!.type
}

/** A value compared with a column goes in as text and is cast to the column's type. */
export function valueFor(params: Params, model: ModelInfo, field: string, value: unknown): string {
  return params.add(toText(value), columnType(model, field))
}

/** The array type that carries several values of a column in one parameter (text[] for an array column's values). */
export function arrayTypeOf(model: ModelInfo, field: string): string {
  const type = columnType(model, field)
  return type.endsWith('[]') ? 'text[]' : `${type}[]`
}

/** Several values for `= ANY(...)`: one array parameter of the column's type. */
export function valuesFor(params: Params, model: ModelInfo, field: string, values: unknown[]): string {
  return params.add(values.map(toText), arrayTypeOf(model, field))
}

export function toText(value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`
  if (Array.isArray(value)) return `{${value.map((v) => (v === null ? 'NULL' : `"${String(toText(v)).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)).join(',')}}`
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/**
 * A JSON object of (response key, SQL value) entries, keys in the order given (the order GraphQL
 * responds in). json_build_object takes at most 100 arguments; a wider object is written as text.
 */
export function jsonObject(entries: [key: string, value: string][]): string {
  if (entries.length <= 50) return `json_build_object(${entries.map(([key, value]) => `${literal(key)}, ${value}`).join(', ')})`
  return `('{' || ${entries.map(([key, value]) => jsonMember(key, value)).join(` || ',' || `)} || '}')::json`
}

/** `"key":value` as JSON text, for objects written as text (a SQL NULL is JSON null). */
export function jsonMember(key: string, value: string): string {
  return `${literal(`${JSON.stringify(key)}:`)} || coalesce(to_json(${value})::text, 'null')`
}
