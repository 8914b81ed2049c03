/**
 * A scalar in the form its GraphQL scalar serves, written in SQL: exact numbers as text (bigint
 * and numeric keep every digit), timestamptz as ISO-8601 in UTC with a `Z`, timestamp without
 * time zone as ISO-8601 with no zone, time with time zone with its offset, bytea as base64,
 * intervals as the session's ISO-8601 text, types with no JSON form as text, enums by their
 * GraphQL names. Columns (./compile-read.ts) and functions' values (./compile-function.ts) alike.
 */
import type { Datamodel } from '../model/datamodel.js'
import { join, literal, sql, type Sql } from './sql-text.js'

/** What decides how a scalar is served: a column's, or a function's argument or result (../model/functions.ts). */
export interface ServedScalar {
  /** The GraphQL enum, for an enum. */
  enum?: string
  prismaType: string
  /** The type as format_type() prints it, array brackets removed. */
  base: string
  /** Read as text with no JSON form of its own (tsvector, geometric types...). */
  opaque: boolean
}

export function servedValue(datamodel: Datamodel, scalar: ServedScalar): (value: Sql) => Sql {
  const base = scalar.base
  if (scalar.enum) {
    const renamed = [...(datamodel.enums.get(scalar.enum) ?? new Map<string, string>())].filter(([name, label]) => name !== label)
    if (!renamed.length) return (v) => v
    const cases = join(renamed.map(([name, label]) => sql`WHEN ${literal(label)} THEN ${literal(name)}`), sql` `)
    return (v) => sql`CASE ${v}::text ${cases} ELSE ${v}::text END`
  }
  if (base.startsWith('money')) return (v) => sql`${v}::numeric::text`
  if (scalar.prismaType === 'BigInt' || scalar.prismaType === 'Decimal' || base === 'interval' || scalar.opaque) return (v) => sql`${v}::text`
  if (/^timestamp(\(\d+\))? with time zone$/.test(base)) {
    // The session's TimeZone is UTC (../db/pool.ts): to_json writes +00:00, served as Z.
    return (v) => sql`replace(to_json(${v}) #>> '{}', '+00:00', 'Z')`
  }
  // A wall-clock value: served with no zone, as stored (to_json writes ISO-8601, and 'infinity').
  if (/^timestamp(\(\d+\))? without time zone$/.test(base)) return (v) => sql`(to_json(${v}) #>> '{}')`
  // With the offset it was written with; ISO-8601 writes a whole-hour offset `+02:00`, PostgreSQL `+02`.
  if (/^time(\(\d+\))? with time zone$/.test(base)) return (v) => sql`regexp_replace(${v}::text, '([+-][0-9]{2})$', '\\1:00')`
  if (base === 'bytea') return (v) => sql`translate(encode(${v}, 'base64'), E'\\n', '')`
  return (v) => v
}

