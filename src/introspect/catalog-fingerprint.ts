/**
 * A digest of everything in the database's catalogs that Prisma's schema engine reads: schemas,
 * tables, views and their definitions, columns, types, defaults, constraints, indexes, enums,
 * domains, sequences, comments and privileges (the engine sees only what the role may see), for
 * every schema but PostgreSQL's own. Statistics (reltuples, relpages, ...) are left out, so
 * ANALYZE and autovacuum do not change it. One statement, a few milliseconds on Pagila.
 */
export type CatalogQuery = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>

const USER_NAMESPACES = `SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'`

const FINGERPRINT_SQL = `
WITH ns AS (${USER_NAMESPACES}),
rels AS (SELECT c.oid FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)),
items AS (
  SELECT concat_ws(' ', 'server', current_setting('server_version_num'), current_user) AS item
  UNION ALL SELECT concat_ws(' ', 'n', n.nspname, n.nspacl) FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM ns)
  UNION ALL SELECT concat_ws(' ', 'c', c.oid::regclass, c.relkind, c.relpersistence, c.relispartition, c.relacl, c.reloftype::regtype,
    CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END)
    FROM pg_class c WHERE c.oid IN (SELECT oid FROM rels)
  UNION ALL SELECT concat_ws(' ', 'a', a.attrelid::regclass, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
    a.attgenerated, a.attndims, pg_get_expr(d.adbin, d.adrelid), a.attacl, a.attcollation::regcollation)
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid IN (SELECT oid FROM rels) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT concat_ws(' ', 'k', k.conrelid::regclass, k.contypid::regtype, k.conname, pg_get_constraintdef(k.oid), k.condeferrable, k.condeferred)
    FROM pg_constraint k WHERE k.connamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT concat_ws(' ', 'i', pg_get_indexdef(i.indexrelid), i.indisprimary, i.indisunique, i.indisvalid)
    FROM pg_index i WHERE i.indrelid IN (SELECT oid FROM rels)
  UNION ALL SELECT concat_ws(' ', 't', t.oid::regtype, t.typtype, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault, t.typacl)
    FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT concat_ws(' ', 'e', e.enumtypid::regtype, e.enumsortorder, e.enumlabel) FROM pg_enum e
  UNION ALL SELECT concat_ws(' ', 's', s.seqrelid::regclass, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)
    FROM pg_sequence s WHERE s.seqrelid IN (SELECT oid FROM rels)
  UNION ALL SELECT concat_ws(' ', 'd', d.classoid::regclass, d.objoid, d.objsubid, d.description) FROM pg_description d
    WHERE d.objoid IN (SELECT oid FROM rels UNION ALL SELECT oid FROM ns UNION ALL SELECT oid FROM pg_type WHERE typnamespace IN (SELECT oid FROM ns)
                       UNION ALL SELECT oid FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns))
  UNION ALL SELECT concat_ws(' ', 'x', x.extname, x.extversion, x.extnamespace::regnamespace) FROM pg_extension x
)
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) AS fingerprint FROM items`

export async function catalogFingerprint(query: CatalogQuery): Promise<string> {
  const { rows } = await query(FINGERPRINT_SQL)
  return String(rows[0]?.fingerprint)
}
