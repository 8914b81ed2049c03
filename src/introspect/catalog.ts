/**
 * What Prisma's introspection does not tell us, read from PostgreSQL's catalogs: comments (which
 * become descriptions, and may carry smart tags), materialized views (which Prisma skips), domains
 * (served as their base type), every unique key and foreign key (including those of tables Prisma
 * cannot model, and unique indexes on materialized views), the functions (./functions.ts), and
 * the schemas that exist (so a typo in --schemas gets a clear error). Nothing above this module reads pg_catalog.
 */
import { parseSmartComment, type Tags } from './smart-tags.js'
import { readFunctions, type CatalogFunction } from './functions.js'

/** Any driver's query function: pg's Client/Pool `query`, PGlite's `query`, ... */
export type Query = (sql: string, params?: unknown[]) => Promise<{ rows: any[] }>

export interface CatalogColumn {
  name: string
  /** format_type() of the column's type with domains resolved to their base type, e.g. `numeric(10,2)`, `text[]`. */
  type: string
  /** The element type's name (pg_type.typname), domains resolved, e.g. `int4` for both `integer` and `integer[]`. */
  baseType: string
  /** Schema of the base type, for enums. */
  baseTypeSchema: string
  /** The domain the column is declared with (`public.year`), if any: served as its base type. */
  domain: string | null
  isArray: boolean
  isEnum: boolean
  /** NOT NULL on the column, or on its domain. */
  notNull: boolean
  /** GENERATED ALWAYS AS (...) STORED, or GENERATED ALWAYS AS IDENTITY: PostgreSQL writes it, no one else. */
  generatedAlways: boolean
  comment: string | null
  /** The comment's smart tags, with the config's (`smartTags`) merged in. */
  tags: Tags
  description: string | null
}

/** A primary key, unique constraint or unique index (not partial, not on expressions). */
export interface CatalogUniqueKey {
  /** The constraint's name, else the index's. */
  name: string
  primary: boolean
  columns: string[]
  tags: Tags
}

export interface CatalogForeignKey {
  name: string
  columns: string[]
  target: { schema: string; name: string }
  targetColumns: string[]
  tags: Tags
}

export interface CatalogRelation {
  schema: string
  name: string
  kind: 'table' | 'partitioned table' | 'view' | 'materialized view' | 'foreign table'
  comment: string | null
  tags: Tags
  description: string | null
  /** Row-level security is enabled: some callers may not see every row. */
  rowSecurity: boolean
  columns: CatalogColumn[]
  uniqueKeys: CatalogUniqueKey[]
  foreignKeys: CatalogForeignKey[]
}

export interface Catalog {
  relations: CatalogRelation[]
  /** `schema.name` -> relation */
  byName: Map<string, CatalogRelation>
  /** The functions of the exposed schemas (./functions.ts). */
  functions?: CatalogFunction[]
}

const KINDS: Record<string, CatalogRelation['kind']> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
}

/** Some of the schemas asked for do not exist: says which, and which do. */
export class MissingSchemaError extends Error {
  override name = 'MissingSchemaError'

  constructor(
    readonly missing: string[],
    /** Non-system schemas of the database. */
    readonly available: string[],
  ) {
    const names = missing.map((s) => `"${s}"`).join(', ')
    super(
      `${missing.length === 1 ? 'schema' : 'schemas'} ${names} not found; the database has schemas: ${available.join(', ') || '(none)'}. Pass --schemas with some of those.`,
    )
  }
}

export async function assertSchemasExist(query: Query, schemas: string[]): Promise<void> {
  const present = await existingSchemas(query)
  const missing = [...new Set(schemas)].filter((s) => !present.includes(s))
  if (missing.length) throw new MissingSchemaError(missing, present)
}

export async function existingSchemas(query: Query): Promise<string[]> {
  const { rows } = await query(
    `SELECT nspname FROM pg_catalog.pg_namespace
      WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY nspname`,
  )
  return rows.map((row) => row.nspname as string)
}

/**
 * Each domain's final base type, typmod and NOT NULL (a domain over a domain over int4 is int4,
 * NOT NULL if any level is).
 */
const DOMAINS = `
  domains(oid, base, typmod, not_null, depth) AS (
    SELECT t.oid, t.typbasetype, t.typtypmod, t.typnotnull, 1 FROM pg_catalog.pg_type t WHERE t.typtype = 'd'
    UNION ALL
    SELECT d.oid, t.typbasetype, t.typtypmod, d.not_null OR t.typnotnull, d.depth + 1
      FROM domains d JOIN pg_catalog.pg_type t ON t.oid = d.base AND t.typtype = 'd'
  ),
  resolved AS (SELECT DISTINCT ON (oid) oid, base, typmod, not_null FROM domains ORDER BY oid, depth DESC)`

/**
 * Columns with domains resolved: `d1` is the column's own domain, `t` the type it stands for;
 * for an array, `et` its element type and `d2` the element's domain (`year[]`), `bt` that domain's base.
 */
const COLUMNS_SQL = `
WITH RECURSIVE ${DOMAINS}
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       obj_description(c.oid, 'pg_class') AS comment, c.relrowsecurity AS row_security,
       a.attname AS column,
       CASE WHEN d2.oid IS NOT NULL THEN format_type(bt.typarray, d2.typmod)
            ELSE format_type(t.oid, CASE WHEN d1.oid IS NULL THEN a.atttypmod ELSE d1.typmod END) END AS type,
       coalesce(bt.typname, et.typname, t.typname) AS base_type,
       bn.nspname AS base_type_schema,
       CASE WHEN d1.oid IS NOT NULL OR d2.oid IS NOT NULL THEN format_type(a.atttypid, NULL) END AS domain,
       et.oid IS NOT NULL AS is_array, coalesce(bt.typtype, et.typtype, t.typtype) = 'e' AS is_enum,
       a.attnotnull OR coalesce(d1.not_null, FALSE) AS not_null,
       (a.attgenerated <> '' OR a.attidentity = 'a') AS generated_always,
       col_description(c.oid, a.attnum) AS column_comment
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN resolved d1 ON d1.oid = a.atttypid
  JOIN pg_catalog.pg_type t ON t.oid = coalesce(d1.base, a.atttypid)
  LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
  LEFT JOIN resolved d2 ON d2.oid = et.oid
  LEFT JOIN pg_catalog.pg_type bt ON bt.oid = d2.base
  JOIN pg_catalog.pg_namespace bn ON bn.oid = coalesce(bt.typnamespace, et.typnamespace, t.typnamespace)
 WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
 ORDER BY n.nspname, c.relname, a.attnum`

/** Column names of relation `rel` for the attnums in the int2 array `keys`, in array order. */
const attnames = (rel: string, keys: string) => `
  ARRAY(SELECT a.attname::text FROM unnest(${keys}) WITH ORDINALITY AS u(attnum, i)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = ${rel} AND a.attnum = u.attnum ORDER BY u.i)`

/** Unique indexes a lookup can use: whole-table (no WHERE), on columns (no expressions); INCLUDE columns are not key. */
const UNIQUE_KEYS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, coalesce(k.conname, i.relname) AS key_name, x.indisprimary AS primary,
       ${attnames('c.oid', '(x.indkey::int2[])[0:x.indnkeyatts - 1]')} AS columns,
       coalesce(obj_description(k.oid, 'pg_constraint'), obj_description(i.oid, 'pg_class')) AS comment
  FROM pg_catalog.pg_index x
  JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
  LEFT JOIN pg_catalog.pg_constraint k ON k.conindid = x.indexrelid AND k.conrelid = c.oid AND k.contype IN ('p', 'u')
 WHERE n.nspname = ANY($1) AND NOT c.relispartition AND x.indisunique AND x.indpred IS NULL AND x.indexprs IS NULL
 ORDER BY n.nspname, c.relname, x.indisprimary DESC, coalesce(k.conname, i.relname)`

/** Foreign keys as declared (a partitioned table's, not each partition's copy). */
const FOREIGN_KEYS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, k.conname AS key_name,
       ${attnames('k.conrelid', 'k.conkey')} AS columns,
       fn.nspname AS target_schema, fc.relname AS target_name,
       ${attnames('k.confrelid', 'k.confkey')} AS target_columns,
       obj_description(k.oid, 'pg_constraint') AS comment
  FROM pg_catalog.pg_constraint k
  JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_class fc ON fc.oid = k.confrelid
  JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
 WHERE k.contype = 'f' AND n.nspname = ANY($1) AND NOT c.relispartition AND k.conparentid = 0
 ORDER BY n.nspname, c.relname, k.conname`

/** Relations of the given schemas, partitions excluded (a partitioned table is one type). */
export async function readCatalog(query: Query, schemas: string[]): Promise<Catalog> {
  // One after another: the query function may be a single connection's.
  const columns = (await query(COLUMNS_SQL, [schemas])).rows
  const uniqueKeys = (await query(UNIQUE_KEYS_SQL, [schemas])).rows
  const foreignKeys = (await query(FOREIGN_KEYS_SQL, [schemas])).rows
  const functions = await readFunctions(query, schemas)
  const byName = new Map<string, CatalogRelation>()
  for (const row of columns) {
    const key = `${row.schema}.${row.name}`
    let relation = byName.get(key)
    if (!relation) {
      const { description, tags } = parseSmartComment(row.comment)
      relation = {
        schema: row.schema,
        name: row.name,
        kind: KINDS[row.kind] ?? 'table',
        comment: row.comment,
        tags,
        description,
        rowSecurity: row.row_security,
        columns: [],
        uniqueKeys: [],
        foreignKeys: [],
      }
      byName.set(key, relation)
    }
    const { description, tags } = parseSmartComment(row.column_comment)
    relation.columns.push({
      name: row.column,
      type: row.type,
      baseType: row.base_type,
      baseTypeSchema: row.base_type_schema,
      domain: row.domain,
      isArray: row.is_array,
      isEnum: row.is_enum,
      notNull: row.not_null,
      generatedAlways: row.generated_always,
      comment: row.column_comment,
      tags,
      description,
    })
  }
  for (const row of uniqueKeys) {
    byName.get(`${row.schema}.${row.name}`)?.uniqueKeys.push({
      name: row.key_name,
      primary: row.primary,
      columns: row.columns,
      tags: parseSmartComment(row.comment).tags,
    })
  }
  for (const row of foreignKeys) {
    byName.get(`${row.schema}.${row.name}`)?.foreignKeys.push({
      name: row.key_name,
      columns: row.columns,
      target: { schema: row.target_schema, name: row.target_name },
      targetColumns: row.target_columns,
      tags: parseSmartComment(row.comment).tags,
    })
  }
  return { relations: [...byName.values()], byName, functions }
}
