/**
 * Input values as the fuzzer builds them, and their two written forms: a GraphQL literal (inline
 * in the document) and JSON (in `variables`). Numbers are kept as text so out-of-range ones
 * (2147483648, 1e400, -0) reach the server exactly as written.
 */
export type Val =
  | { kind: 'null' }
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'enum'; name: string }
  | { kind: 'list'; items: Val[] }
  | { kind: 'object'; fields: [string, Val][] }
  /** Any JSON value (a federation representation, a JSON column's value): written with JSON.stringify. */
  | { kind: 'json'; value: unknown }

export const NULL: Val = { kind: 'null' }
export const str = (value: string): Val => ({ kind: 'string', value })
export const num = (value: number | string): Val => ({ kind: 'number', text: String(value) })
export const bool = (value: boolean): Val => ({ kind: 'boolean', value })
export const list = (items: Val[]): Val => ({ kind: 'list', items })
export const obj = (fields: [string, Val][]): Val => ({ kind: 'object', fields })

/** GraphQL literal syntax. Strings as JSON writes them: GraphQL reads the same escapes. */
export function literal(v: Val): string {
  switch (v.kind) {
    case 'null':
      return 'null'
    case 'string':
      return JSON.stringify(v.value)
    case 'number':
      return v.text
    case 'boolean':
      return String(v.value)
    case 'enum':
      return v.name
    case 'list':
      return `[${v.items.map(literal).join(', ')}]`
    case 'object':
      return `{${v.fields.map(([k, f]) => `${k}: ${literal(f)}`).join(', ')}}`
    case 'json':
      return jsonAsLiteral(v.value)
  }
}

function jsonAsLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map(jsonAsLiteral).join(', ')}]`
  if (typeof value === 'object') {
    // A key that is not a GraphQL name cannot be written as a literal: such objects go in variables.
    return `{${Object.entries(value).map(([k, f]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : '_bad'}: ${jsonAsLiteral(f)}`).join(', ')}}`
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** JSON text of a value, numbers as written. */
export function json(v: Val): string {
  switch (v.kind) {
    case 'null':
      return 'null'
    case 'string':
      return JSON.stringify(v.value)
    case 'number':
      return v.text
    case 'boolean':
      return String(v.value)
    case 'enum':
      return JSON.stringify(v.name)
    case 'list':
      return `[${v.items.map(json).join(',')}]`
    case 'object':
      return `{${v.fields.map(([k, f]) => `${JSON.stringify(k)}:${json(f)}`).join(',')}}`
    case 'json':
      return JSON.stringify(v.value) ?? 'null'
  }
}

/** Every string inside a value: the server may quote any of them back in an error message. */
export function stringsOf(v: Val, into: Set<string>): void {
  if (v.kind === 'string') into.add(v.value)
  else if (v.kind === 'enum') into.add(v.name)
  else if (v.kind === 'list') for (const item of v.items) stringsOf(item, into)
  else if (v.kind === 'object') for (const [k, f] of v.fields) (into.add(k), stringsOf(f, into))
  else if (v.kind === 'json') JSON.stringify(v.value ?? null, (_k, x) => (typeof x === 'string' && into.add(x), x))
}
