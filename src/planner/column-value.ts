/** A column's value as its GraphQL scalar serves it, in SQL: for rows, groups and min/max aggregates. */

import { isOpaqueText, type Datamodel, type DMMFField, type ModelInfo } from '../model/datamodel.js'
import { servedValue } from './served-value.js'
import { column, sql, type Sql } from './sql.js'
/**
 * A column in the form its GraphQL scalar serves: exact numbers as text (bigint and numeric keep
 * every digit), timestamptz as ISO-8601 in UTC with a `Z`, timestamp without time zone as
 * ISO-8601 with no zone, time with time zone with its offset, bytea as base64, intervals as the
 * session's ISO-8601 text, types with no JSON form as text, enums by their GraphQL names; array
 * elements converted one by one (a NULL array is null, not []).
 */
export function columnValue(datamodel: Datamodel, model: ModelInfo, alias: Sql, field: DMMFField): Sql {
  const col = column(model, alias, field.name)
  const base = model.columns.get(field.name)!.type.replace(/\[\]$/, '')
  const element = elementValue(datamodel, model, field, base)
  if (!field.isList) return element(col)
  // A NULL array is null, an empty one []: to_json keeps the difference, json_agg of no rows does not.
  if (element(sql`v`) === 'v') return sql`to_json(${col})`
  return sql`CASE WHEN ${col} IS NULL THEN NULL ELSE coalesce((SELECT json_agg(${element(sql`u.v`)} ORDER BY u.i) FROM unnest(${col}) WITH ORDINALITY AS u(v, i)), '[]'::json) END`
}

export function elementValue(datamodel: Datamodel, model: ModelInfo, field: DMMFField, base: string): (value: Sql) => Sql {
  return servedValue(datamodel, { enum: field.kind === 'enum' ? field.type : undefined, prismaType: field.type, base, opaque: isOpaqueText(model, field) })
}
