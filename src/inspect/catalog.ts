/**
 * `portico inspect`: what PostgreSQL's own catalogs say about the exposed schemas.
 * Reads pg_catalog rather than information_schema, which hides materialized views and
 * only shows objects the current role owns or has privileges on.
 */

import type { Query } from '../introspect/catalog.js'

export type { Query }

export type RelationKind = 'table' | 'partitioned table' | 'partition' | 'view' | 'materialized view' | 'foreign table'

export interface RelationInfo {
  /** Schema-qualified, unquoted: `api.iotawatt` (the form the config's `primaryKeys` uses). */
  table: string
  kind: RelationKind
}

export interface ColumnInfo {
  table: string
  column: string
  /** attnum: 1-based, may have gaps where columns were dropped. */
  position: number
  /** As format_type prints it; types not on the search_path come out schema-qualified. */
  dataType: string
  nullable: boolean
  /** Default expression as pg_get_expr prints it; null for none (and for generated columns). */
  default: string | null
}

export type ConstraintType = 'PRIMARY KEY' | 'FOREIGN KEY' | 'UNIQUE' | 'CHECK' | 'EXCLUDE'

export interface ConstraintInfo {
  table: string
  name: string
  type: ConstraintType
  /** Key order for keys; for CHECK, the columns the expression mentions. */
  columns: string[]
  foreignTable: string | null
  /** Paired with `columns` by position. */
  foreignColumns: string[] | null
  definition: string
}

export interface IndexInfo {
  table: string
  index: string
  definition: string
  unique: boolean
  primary: boolean
}

export interface Inspection {
  relations: RelationInfo[]
  columns: ColumnInfo[]
  constraints: ConstraintInfo[]
  indexes: IndexInfo[]
}

/** Thrown before any inspection when a requested schema is absent; lists what is there instead. */
import { assertSchemasExist, MissingSchemaError } from '../introspect/catalog.js'

export { MissingSchemaError }

// Shared SQL fragments. Names are compared and sorted with COLLATE "C" so the order is
// byte order whatever the database's locale. relkind/contype are "char", which some
// drivers cannot decode, so they are only ever returned translated to text.
const QUALIFIED = `n.nspname || '.' || c.relname`
const ORDER = `n.nspname COLLATE "C", c.relname COLLATE "C"`
const IN_SCHEMAS = `n.nspname = ANY ($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`
const FROM_RELATIONS = `pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace`


const RELATIONS_SQL = `
SELECT ${QUALIFIED} AS "table",
       CASE WHEN c.relispartition THEN 'partition'
            ELSE CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                                WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END
       END AS kind
FROM ${FROM_RELATIONS}
WHERE ${IN_SCHEMAS}
ORDER BY ${ORDER}`

// The default of a generated column is its generation expression, not something an
// INSERT falls back to, so it is left out (as information_schema.columns does).
const COLUMNS_SQL = `
SELECT ${QUALIFIED} AS "table", a.attname::text AS "column", a.attnum::int AS position,
       format_type(a.atttypid, a.atttypmod) AS "dataType", NOT a.attnotnull AS nullable,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS "default"
FROM ${FROM_RELATIONS}
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE ${IN_SCHEMAS}
ORDER BY ${ORDER}, a.attnum`

/** Column names of `rel` for the attnums in `keys`, in array order. */
const attnames = (rel: string, keys: string) => `
ARRAY(SELECT a.attname::text FROM unnest(${keys}) WITH ORDINALITY AS u(attnum, i)
      JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = u.attnum ORDER BY u.i)`

const CONSTRAINTS_SQL = `
SELECT ${QUALIFIED} AS "table", k.conname::text AS name,
       CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'f' THEN 'FOREIGN KEY' WHEN 'u' THEN 'UNIQUE'
                      WHEN 'c' THEN 'CHECK' WHEN 'x' THEN 'EXCLUDE' END AS type,
       ${attnames('k.conrelid', 'k.conkey')} AS columns,
       CASE WHEN k.contype = 'f' THEN fn.nspname || '.' || fc.relname END AS "foreignTable",
       CASE WHEN k.contype = 'f' THEN ${attnames('k.confrelid', 'k.confkey')} END AS "foreignColumns",
       pg_get_constraintdef(k.oid) AS definition
FROM ${FROM_RELATIONS}
JOIN pg_constraint k ON k.conrelid = c.oid
LEFT JOIN pg_class fc ON fc.oid = k.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE ${IN_SCHEMAS} AND k.contype IN ('p', 'f', 'u', 'c', 'x')
ORDER BY ${ORDER}, k.conname COLLATE "C"`

const INDEXES_SQL = `
SELECT ${QUALIFIED} AS "table", i.relname::text AS "index", pg_get_indexdef(x.indexrelid) AS definition,
       x.indisunique AS "unique", x.indisprimary AS "primary"
FROM ${FROM_RELATIONS}
JOIN pg_index x ON x.indrelid = c.oid
JOIN pg_class i ON i.oid = x.indexrelid
WHERE ${IN_SCHEMAS}
ORDER BY ${ORDER}, i.relname COLLATE "C"`

/** Relations, columns, constraints and indexes of `schemas`; throws MissingSchemaError first if any is absent. */
export async function inspectDatabase(query: Query, schemas: string[]): Promise<Inspection> {
  await assertSchemasExist(query, schemas)

  // One after another: a single pg Client must not be given overlapping queries.
  const rows = async (sql: string) => (await query(sql, [schemas])).rows
  const relations = await rows(RELATIONS_SQL)
  const columns = await rows(COLUMNS_SQL)
  const constraints = await rows(CONSTRAINTS_SQL)
  const indexes = await rows(INDEXES_SQL)
  return { relations, columns, constraints, indexes }
}
