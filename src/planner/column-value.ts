/** A column's value as its GraphQL scalar serves it, in SQL: for rows, groups and min/max aggregates. */
import { isOpaqueText, type Datamodel, type DMMFField, type ModelInfo } from '../model/datamodel.js'
import { enumLabels } from './compile-where.js'
import { column, literal } from './sql.js'
/**
 * A column in the form its GraphQL scalar serves: exact numbers as text (bigint and numeric keep
 * every digit), timestamptz as ISO-8601 in UTC with a `Z`, timestamp without time zone as
 * ISO-8601 with no zone, time with time zone with its offset, bytea as base64, intervals as the
 * session's ISO-8601 text, types with no JSON form as text, enums by their GraphQL names; array
 * elements converted one by one (a NULL array is null, not []).
 */
export function columnValue(datamodel: Datamodel, model: ModelInfo, alias: string, field: DMMFField): string {
  const col = column(model, alias, field.name)
  const base = model.columns.get(field.name)!.type.replace(/\[\]$/, '')
  const element = elementValue(datamodel, model, field, base)
  if (!field.isList) return element(col)
  // A NULL array is null, an empty one []: to_json keeps the difference, json_agg of no rows does not.
  if (element('v') === 'v') return `to_json(${col})`
  return `CASE WHEN ${col} IS NULL THEN NULL ELSE coalesce((SELECT json_agg(${element('u.v')} ORDER BY u.i) FROM unnest(${col}) WITH ORDINALITY AS u(v, i)), '[]'::json) END`
}

export function elementValue(datamodel: Datamodel, model: ModelInfo, field: DMMFField, base: string): (value: string) => string {
  if (field.kind === 'enum') {
    const renamed = [...enumLabels(datamodel, field.type)].filter(([name, label]) => name !== label)
    if (!renamed.length) return (v) => v
    return (v) => `CASE ${v}::text ${renamed.map(([name, label]) => `WHEN ${literal(label)} THEN ${literal(name)}`).join(' ')} ELSE ${v}::text END`
  }
  if (base.startsWith('money')) return (v) => `${v}::numeric::text`
  if (field.type === 'BigInt' || field.type === 'Decimal' || base === 'interval' || isOpaqueText(model, field)) return (v) => `${v}::text`
  if (/^timestamp(\(\d+\))? with time zone$/.test(base)) {
    // The session's TimeZone is UTC (../db/pool.ts): to_json writes +00:00, served as Z.
    return (v) => `replace(to_json(${v}) #>> '{}', '+00:00', 'Z')`
  }
  // A wall-clock value: served with no zone, as stored (to_json writes ISO-8601, and 'infinity').
  if (/^timestamp(\(\d+\))? without time zone$/.test(base)) return (v) => `(to_json(${v}) #>> '{}')`
  // With the offset it was written with; ISO-8601 writes a whole-hour offset `+02:00`, PostgreSQL `+02`.
  if (/^time(\(\d+\))? with time zone$/.test(base)) return (v) => `regexp_replace(${v}::text, '([+-][0-9]{2})$', '\\1:00')`
  if (base === 'bytea') return (v) => `translate(encode(${v}, 'base64'), E'\\n', '')`
  return (v) => v
}
