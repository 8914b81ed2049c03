/**
 * Conditions on a json or jsonb column, Prisma's JSON filters in GraphQL case
 * (../schema/json-filter.ts):
 *
 *   where: { metadata: { path: ["meta", "rev"], gt: 3 } }
 *   where: { metadata: { contains: { draft: false } } }
 *
 * Without `path` every operator applies to the whole value; with it, to the value at that path
 * (`#>`; an array element by its index as text, `["sizes", "0"]`), and an absent path is no value.
 * A jsonb column is compared bare, so its indexes apply (`contains` and the `hasKey` family use a
 * GIN index, `equals` a btree one); a json column is cast to jsonb. Values are jsonb, text or
 * text[] parameters.
 */
import { join, sql, type Params, type Sql } from './sql.js'

type Input = Record<string, unknown>

const likePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

/** The ordering operators, each written from this fixed list. */
const ORDERED: readonly (readonly ['lt' | 'lte' | 'gt' | 'gte', Sql])[] = [['lt', sql`<`], ['lte', sql`<=`], ['gt', sql`>`], ['gte', sql`>=`]]

export function jsonCondition(col: Sql, type: string, filter: Input, params: Params): Sql {
  const has = (op: string) => filter[op] !== undefined && filter[op] !== null
  // A path alone is no condition, and a parameter the statement does not use fails it (its type is unknown).
  if (!Object.keys(filter).some((op) => op !== 'path' && op !== 'mode' && has(op))) return sql`TRUE`
  const doc = type === 'jsonb' ? col : sql`${col}::jsonb`
  const path = filter.path != null ? params.add(filter.path, sql`text[]`) : undefined
  const value = path ? sql`(${doc} #> ${path})` : doc
  const jsonb = (v: unknown) => params.add(JSON.stringify(v), sql`jsonb`)
  const conditions: Sql[] = []

  // Equality is jsonb's: 1 equals 1.0, key order does not matter. `not` is SQL's <>, as on columns.
  if (has('equals')) conditions.push(sql`${value} = ${jsonb(filter.equals)}`)
  if (has('not')) conditions.push(sql`${value} <> ${jsonb(filter.not)}`)
  // Ordered only within one JSON type (numbers as numbers, strings as strings): PostgreSQL alone
  // orders jsonb by type first, so `gt: 5` would match every boolean, array and object.
  for (const [op, operator] of ORDERED) {
    if (!has(op)) continue
    const operand = jsonb(filter[op])
    conditions.push(sql`jsonb_typeof(${value}) = jsonb_typeof(${operand}) AND ${value} ${operator} ${operand}`)
  }
  // Text operators read a string value's text (`#>>`); other values are not strings.
  const like = filter.mode === 'insensitive' ? sql`ILIKE` : sql`LIKE`
  const text = sql`(${doc} #>> ${path ?? sql`'{}'`})`
  const textOps = [['stringContains', '%', '%'], ['stringStartsWith', '', '%'], ['stringEndsWith', '%', '']] as const
  for (const [op, before, after] of textOps) {
    if (!has(op)) continue
    conditions.push(sql`jsonb_typeof(${value}) = 'string' AND ${text} ${like} ${params.add(`${before}${likePattern(String(filter[op]))}${after}`, sql`text`)}`)
  }
  if (has('contains')) conditions.push(sql`${value} @> ${jsonb(filter.contains)}`)
  // ?, ?| and ?& are safe here: the statements' parameters are $n, never ?.
  if (has('hasKey')) conditions.push(sql`${value} ? ${params.add(String(filter.hasKey), sql`text`)}`)
  if (has('hasAnyKeys')) conditions.push(sql`${value} ?| ${params.add(filter.hasAnyKeys, sql`text[]`)}`)
  if (has('hasAllKeys')) conditions.push(sql`${value} ?& ${params.add(filter.hasAllKeys, sql`text[]`)}`)
  // No value: SQL NULL, an absent path, or JSON null (which a client cannot tell from the others).
  if (filter.isNull === true) conditions.push(sql`(${value} IS NULL OR ${value} = 'null'::jsonb)`)
  if (filter.isNull === false) conditions.push(sql`${value} <> 'null'::jsonb`)
  return conditions.length === 0 ? sql`TRUE` : join(conditions.map((c) => sql`(${c})`), sql` AND `)
}
