/**
 * What Prisma's introspection does not tell us, read from PostgreSQL's catalogs: comments (which
 * become descriptions, and may carry smart tags), materialized views (which Prisma skips) and the
 * schemas that exist (so a typo in --schemas gets a clear error).
 */
/** Any driver's query function: pg's Client/Pool `query`, PGlite's `query`, ... */
export type Query = (sql: string, params?: unknown[]) => Promise<{ rows: any[] }>

export interface CatalogColumn {
  name: string
  /** format_type() of the column, e.g. `numeric(10,2)`, `text[]`. */
  type: string
  /** The element type's name (pg_type.typname), e.g. `int4` for both `integer` and `integer[]`. */
  baseType: string
  /** Schema of the base type, for enums. */
  baseTypeSchema: string
  isArray: boolean
  isEnum: boolean
  notNull: boolean
  /** GENERATED ALWAYS AS (...) STORED, or GENERATED ALWAYS AS IDENTITY: PostgreSQL writes it, no one else. */
  generatedAlways: boolean
  comment: string | null
}

export interface CatalogRelation {
  schema: string
  name: string
  kind: 'table' | 'partitioned table' | 'view' | 'materialized view' | 'foreign table'
  comment: string | null
  /** Row-level security is enabled: some callers may not see every row. */
  rowSecurity: boolean
  columns: CatalogColumn[]
}

export interface Catalog {
  relations: CatalogRelation[]
  /** `schema.name` -> relation */
  byName: Map<string, CatalogRelation>
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

/** Relations of the given schemas, partitions excluded (a partitioned table is one type). */
export async function readCatalog(query: Query, schemas: string[]): Promise<Catalog> {
  const { rows } = await query(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
            obj_description(c.oid, 'pg_class') AS comment, c.relrowsecurity AS row_security,
            a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
            coalesce(et.typname, t.typname) AS base_type, bn.nspname AS base_type_schema,
            t.typcategory = 'A' AS is_array, coalesce(et.typtype, t.typtype) = 'e' AS is_enum,
            a.attnotnull AS not_null, (a.attgenerated <> '' OR a.attidentity = 'a') AS generated_always,
            col_description(c.oid, a.attnum) AS column_comment
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
       JOIN pg_catalog.pg_namespace bn ON bn.oid = coalesce(et.typnamespace, t.typnamespace)
      WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
      ORDER BY n.nspname, c.relname, a.attnum`,
    [schemas],
  )
  const byName = new Map<string, CatalogRelation>()
  for (const row of rows) {
    const key = `${row.schema}.${row.name}`
    let relation = byName.get(key)
    if (!relation) {
      relation = { schema: row.schema, name: row.name, kind: KINDS[row.kind] ?? 'table', comment: row.comment, rowSecurity: row.row_security, columns: [] }
      byName.set(key, relation)
    }
    relation.columns.push({
      name: row.column,
      type: row.type,
      baseType: row.base_type,
      baseTypeSchema: row.base_type_schema,
      isArray: row.is_array,
      isEnum: row.is_enum,
      notNull: row.not_null,
      generatedAlways: row.generated_always,
      comment: row.column_comment,
    })
  }
  return { relations: [...byName.values()], byName }
}
