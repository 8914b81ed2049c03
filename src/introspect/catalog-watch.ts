/**
 * Noticing that the database's structure changed, for `portico serve --watch`
 * (../serve/schema-watch.ts):
 *
 * - a fingerprint of everything introspection reads for the exposed schemas: relations, columns,
 *   constraints, indexes, types and enum labels, functions, and the comments on them (smart tags).
 *   One cheap catalog query: equal fingerprints mean there is nothing to rebuild;
 * - event triggers (ddl_command_end, which also fires for COMMENT, and sql_drop) that NOTIFY a
 *   channel, so a change is seen at once rather than at the next poll. Only a superuser may create
 *   event triggers; anyone may LISTEN once they exist. They live in the schema `portico_watch`
 *   (`DROP SCHEMA portico_watch CASCADE` removes them), never in an exposed schema.
 */
import type { Query } from './catalog.js'

export const DDL_CHANNEL = 'portico_ddl'

const FINGERPRINT_SQL = `
  WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[])),
  rel AS (SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns)),
  facts(fact) AS (
    SELECT concat_ws(':', 'c', c.oid, c.relname, c.relkind, c.relrowsecurity) FROM pg_catalog.pg_class c WHERE c.oid IN (SELECT oid FROM rel)
    UNION ALL
    SELECT concat_ws(':', 'a', a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.attisdropped, a.atthasdef, a.attidentity, a.attgenerated, a.attndims)
      FROM pg_catalog.pg_attribute a WHERE a.attrelid IN (SELECT oid FROM rel) AND a.attnum > 0
    UNION ALL
    SELECT concat_ws(':', 'k', k.oid, k.conname, k.contype, k.conrelid, k.conkey::text, k.confrelid, k.confkey::text)
      FROM pg_catalog.pg_constraint k WHERE k.connamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT concat_ws(':', 'i', i.indexrelid, i.indisunique, i.indisprimary, i.indkey::text, i.indpred IS NULL, i.indexprs IS NULL)
      FROM pg_catalog.pg_index i WHERE i.indrelid IN (SELECT oid FROM rel)
    UNION ALL
    SELECT concat_ws(':', 't', t.oid, t.typname, t.typtype, t.typbasetype, t.typtypmod, t.typnotnull) FROM pg_catalog.pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT concat_ws(':', 'e', e.enumtypid, e.enumsortorder, e.enumlabel)
      FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid WHERE t.typnamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT concat_ws(':', 'p', p.oid, p.proname, p.prokind, p.prorettype, p.proretset, p.provolatile, p.proargtypes::text, md5(coalesce(array_to_string(p.proargnames, ','), '')))
      FROM pg_catalog.pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
    UNION ALL
    SELECT concat_ws(':', 'd', d.classoid, d.objoid, d.objsubid, md5(d.description)) FROM pg_catalog.pg_description d
     WHERE d.objoid IN (SELECT oid FROM rel)
        OR d.objoid IN (SELECT oid FROM pg_catalog.pg_constraint WHERE connamespace IN (SELECT oid FROM ns))
        OR d.objoid IN (SELECT oid FROM pg_catalog.pg_type WHERE typnamespace IN (SELECT oid FROM ns))
        OR d.objoid IN (SELECT oid FROM pg_catalog.pg_proc WHERE pronamespace IN (SELECT oid FROM ns))
  )
  SELECT md5(coalesce(string_agg(fact, E'\\n' ORDER BY fact), '')) AS fingerprint FROM facts`

/** The fingerprint of the exposed schemas' structure: changes with any DDL or comment on them. */
export async function catalogFingerprint(query: Query, schemas: string[]): Promise<string> {
  const { rows } = await query(FINGERPRINT_SQL, [schemas])
  return rows[0].fingerprint as string
}

const TRIGGERS = ['portico_watch_ddl', 'portico_watch_drop']

const INSTALL_SQL = `
  CREATE SCHEMA IF NOT EXISTS portico_watch;
  COMMENT ON SCHEMA portico_watch IS 'Portico --watch: event triggers that NOTIFY ${DDL_CHANNEL} on DDL. DROP SCHEMA portico_watch CASCADE removes them.';
  CREATE OR REPLACE FUNCTION portico_watch.notify_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_notify('${DDL_CHANNEL}', tg_tag);
  END $$;
  DROP EVENT TRIGGER IF EXISTS portico_watch_ddl;
  CREATE EVENT TRIGGER portico_watch_ddl ON ddl_command_end EXECUTE FUNCTION portico_watch.notify_ddl();
  DROP EVENT TRIGGER IF EXISTS portico_watch_drop;
  CREATE EVENT TRIGGER portico_watch_drop ON sql_drop EXECUTE FUNCTION portico_watch.notify_ddl();`

/**
 * Makes sure the event triggers exist: true when they do (created now or before, by anyone),
 * false when this role may not create them (not a superuser): then the caller polls instead.
 */
export async function installDdlTriggers(query: Query): Promise<boolean> {
  const existing = await query('SELECT count(*)::int AS n FROM pg_catalog.pg_event_trigger WHERE evtname = ANY($1::text[]) AND evtenabled <> $2', [TRIGGERS, 'D'])
  if (existing.rows[0].n === TRIGGERS.length) return true
  const { rows } = await query('SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user')
  if (!rows[0]?.rolsuper) return false
  await query(`BEGIN; ${INSTALL_SQL} COMMIT;`).catch(async (error: unknown) => {
    await query('ROLLBACK').catch(() => {})
    throw error
  })
  return true
}
