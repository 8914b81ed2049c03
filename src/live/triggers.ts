/**
 * Change triggers: per table, statement-level AFTER triggers that send the changed rows' keys on
 * the channel `portico_changes`, so every Portico process (and replica) hears of every write,
 * whoever made it. Per statement, not per row: every notifying commit takes a cluster-wide lock,
 * so a statement that writes 1,000 rows sends a few notifications, not 1,000.
 *
 * A payload is JSON, keys only, never row data: `{"t":"api.device","op":"UPDATE","k":[["1"],["2"]]}`
 * (each key as its columns' text). Keys are split over several notifications so that each stays
 * under PostgreSQL's 8,000-byte limit. `"k":null` says "rows changed, keys unknown": a table with
 * no key (none declared), a TRUNCATE, a statement of more than 1,000 rows, or a key too long to send.
 * For UPDATE the keys are the rows' new keys.
 */
import type pg from 'pg'
import type { ModelInfo } from '../model/datamodel.js'

export const CHANGES_CHANNEL = 'portico_changes'
const TRIGGER = 'portico_changes'
/** Keys per statement beyond which one notification without keys is sent. */
const MAX_KEYED_ROWS = 1_000
/** Bytes of keys per notification (PostgreSQL refuses payloads of 8,000 bytes and more). */
const CHUNK_BYTES = 7_000

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`

export const qualifiedName = (model: ModelInfo): string => `${model.table.schema}.${model.table.name}`

/** The function and triggers of one table, as one script (run in one transaction). */
export function installSql(model: ModelInfo): string {
  const table = `${ident(model.table.schema)}.${ident(model.table.name)}`
  const fn = functionName(model)
  const name = literal(JSON.stringify(qualifiedName(model)).slice(1, -1))
  const head = `'{"t":"' || ${name} || '","op":"' || TG_OP || '","k":'`
  const keyless = `PERFORM pg_notify('${CHANGES_CHANNEL}', ${head} || 'null}');`
  const keyOf = (rows: string) =>
    `SELECT json_build_array(${model.key.map((k) => `r.${ident(model.columns.get(k)!.name)}::text`).join(', ')})::text AS key FROM ${rows} r`
  const keyed = (rows: string) => `
    SELECT count(*), max(octet_length(k.key)) INTO n, longest FROM (${keyOf(rows)}) k;
    IF n > ${MAX_KEYED_ROWS} OR longest > ${CHUNK_BYTES} THEN ${keyless} RETURN NULL; END IF;
    FOR payload IN
      SELECT ${head} || '[' || string_agg(c.key, ',') || ']}' FROM (
        SELECT k.key, (sum(octet_length(k.key) + 1) OVER (ORDER BY k.key ROWS UNBOUNDED PRECEDING)) / ${CHUNK_BYTES} AS chunk FROM (${keyOf(rows)}) k
      ) c GROUP BY c.chunk
    LOOP PERFORM pg_notify('${CHANGES_CHANNEL}', payload); END LOOP;`
  const body = model.key.length
    ? `DECLARE n bigint; longest int; payload text;
  BEGIN
    IF TG_OP = 'TRUNCATE' THEN ${keyless} RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN ${keyed('old_rows')}
    ELSE ${keyed('new_rows')}
    END IF;
    RETURN NULL;
  END`
    : `BEGIN ${keyless} RETURN NULL; END`
  const transition = (event: string, rows: string) => (model.key.length ? ` REFERENCING ${rows} TABLE AS ${rows === 'OLD' ? 'old_rows' : 'new_rows'}` : '') + ` FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`
  return [
    'CREATE SCHEMA IF NOT EXISTS portico',
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $portico$ ${body} $portico$`,
    ...uninstallStatements(model),
    `CREATE TRIGGER ${TRIGGER}_insert AFTER INSERT ON ${table}${transition('INSERT', 'NEW')}`,
    `CREATE TRIGGER ${TRIGGER}_update AFTER UPDATE ON ${table}${transition('UPDATE', 'NEW')}`,
    `CREATE TRIGGER ${TRIGGER}_delete AFTER DELETE ON ${table}${transition('DELETE', 'OLD')}`,
    `CREATE TRIGGER ${TRIGGER}_truncate AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  ].join(';\n')
}

function uninstallStatements(model: ModelInfo): string[] {
  const table = `${ident(model.table.schema)}.${ident(model.table.name)}`
  return ['insert', 'update', 'delete', 'truncate'].map((event) => `DROP TRIGGER IF EXISTS ${TRIGGER}_${event} ON ${table}`)
}

export function uninstallSql(model: ModelInfo): string {
  return [...uninstallStatements(model), `DROP FUNCTION IF EXISTS ${functionName(model)}()`].join(';\n')
}

/** One function per table (its key columns are written into it), named after the table. */
function functionName(model: ModelInfo): string {
  return `portico.${ident(`notify_${model.table.schema}.${model.table.name}`.slice(0, 63))}`
}

export async function installTriggers(pool: pg.Pool, models: ModelInfo[]): Promise<void> {
  for (const model of models) await inTransaction(pool, installSql(model))
}

export async function uninstallTriggers(pool: pg.Pool, models: ModelInfo[]): Promise<void> {
  for (const model of models) await inTransaction(pool, uninstallSql(model))
}

async function inTransaction(pool: pg.Pool, script: string): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query(`BEGIN;\n${script};\nCOMMIT`)
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

/** The tables ("schema.table") whose change triggers are installed. */
export async function watchedTables(client: Pick<pg.ClientBase, 'query'>): Promise<Set<string>> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT DISTINCT n.nspname || '.' || c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname = $1`,
    [`${TRIGGER}_insert`],
  )
  return new Set(rows.map((row) => row.name))
}

/** Tables named "schema.table" or "table" (looked up in the exposed schemas), or an error naming the unknown ones. */
export function resolveTables(models: Iterable<ModelInfo>, names: string[]): ModelInfo[] {
  const all = [...models].filter((m) => m.relationKind === 'table' || m.relationKind === 'partitioned table')
  const unknown: string[] = []
  const found = names.map((name) => {
    const model = all.find((m) => qualifiedName(m) === name) ?? (name.includes('.') ? undefined : all.find((m) => m.table.name === name))
    if (!model) unknown.push(name)
    return model
  })
  if (unknown.length) throw new Error(`no such table in the exposed schemas: ${unknown.join(', ')} (tables: ${all.map(qualifiedName).join(', ')})`)
  return found as ModelInfo[]
}
