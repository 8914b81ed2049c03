/**
 * Idempotency keys in PostgreSQL, so that every Portico process sees them and none forgets them
 * in a crash: a table (default `portico.idempotency_keys`, created on first use) and two
 * SECURITY DEFINER functions that are the only way to it, so the roles requests run as (auth)
 * need no privilege on the table, only EXECUTE.
 *
 * The claim is made in the write's own transaction, before the write:
 *
 *   INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE expired
 *
 * - no row: the key is ours; the write follows and `finish` stores its result; COMMIT makes both
 *   visible at once, ROLLBACK (a failed write, a crash) removes both: nothing half-remembered;
 * - a committed, live row: the stored result is returned and nothing is written;
 * - a row another transaction inserted and has not committed yet: PostgreSQL makes the INSERT
 *   wait on it (unique index), then go on as one of the two cases above. Two processes sending
 *   the same key at the same time thus write once, the second answering with the first's result.
 */
import { createHash } from 'node:crypto'

export type RunSql = (sql: string, ...values: unknown[]) => Promise<Record<string, unknown>[]>

export const DEFAULT_IDEMPOTENCY_TABLE = 'portico.idempotency_keys'

export type Claim = { claimed: true } | { claimed: false; arguments: string; result: string }

export class IdempotencyTable {
  readonly schema: string
  readonly table: string
  private ready?: Promise<void>

  /** `qualified`: "schema.table"; plain names (letters, digits, underscores), checked by the config. */
  constructor(qualified: string) {
    const [schema, table] = qualified.split('.') as [string, string]
    this.schema = schema
    this.table = table
  }

  /**
   * Creates the schema, table and functions once per process (IF NOT EXISTS: other processes may
   * have made them). Runs on a connection of its own, not in a request's transaction, under an
   * advisory lock: two processes starting together must not race on CREATE SCHEMA.
   */
  ensure(run: RunSql): Promise<void> {
    this.ready ??= run(this.ddl()).then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined
        const reason = (error as Error).message
        throw new Error(`cannot create the idempotency table ${this.schema}.${this.table} (${reason}): grant CREATE on the database to Portico's user, or create it with the statements in README.md`)
      },
    )
    return this.ready
  }

  /** Claims `key` for a write (see the top of this file); `windowMs` is how long it is kept. */
  async claim(run: RunSql, key: string, args: string, windowMs: number): Promise<Claim> {
    const [row] = await run(`SELECT claimed, arguments, result FROM ${this.schema}.idempotency_claim($1, $2, $3::bigint)`, key, args, String(windowMs))
    if (row?.claimed) return { claimed: true }
    return { claimed: false, arguments: String(row!.arguments), result: String(row!.result) }
  }

  /** Stores the write's result under the claimed key, in the same transaction. */
  async finish(run: RunSql, key: string, result: string): Promise<void> {
    await run(`SELECT ${this.schema}.idempotency_finish($1, $2)::text AS done`, key, result)
  }

  /** Removes expired keys (claims take an expired key over anyway: this only keeps the table small). */
  async sweep(run: RunSql): Promise<void> {
    await run(`DELETE FROM ${this.schema}.${this.table} WHERE expires_at < clock_timestamp()`)
  }

  private ddl(): string {
    const s = this.schema
    const t = `${s}.${this.table}`
    return `
      BEGIN;
      SELECT pg_advisory_xact_lock(${lockId(t)});
      CREATE SCHEMA IF NOT EXISTS ${s};
      CREATE TABLE IF NOT EXISTS ${t} (
        key text PRIMARY KEY,
        arguments text NOT NULL,
        result text,
        expires_at timestamptz NOT NULL
      );
      COMMENT ON TABLE ${t} IS 'Portico: idempotency keys of creates (sha256 of caller, field and key), with the written row''s key.';
      CREATE INDEX IF NOT EXISTS ${this.table}_expires_at ON ${t} (expires_at);
      CREATE OR REPLACE FUNCTION ${s}.idempotency_claim(p_key text, p_arguments text, p_window_ms bigint)
        RETURNS TABLE (claimed boolean, arguments text, result text)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
      BEGIN
        INSERT INTO ${t} AS k (key, arguments, expires_at)
          VALUES (p_key, p_arguments, clock_timestamp() + p_window_ms * interval '1 millisecond')
          ON CONFLICT (key) DO UPDATE SET arguments = excluded.arguments, result = NULL, expires_at = excluded.expires_at
          WHERE k.expires_at <= clock_timestamp();
        IF FOUND THEN
          RETURN QUERY SELECT true, NULL::text, NULL::text;
        ELSE
          RETURN QUERY SELECT false, k.arguments, k.result FROM ${t} k WHERE k.key = p_key;
        END IF;
      END $fn$;
      CREATE OR REPLACE FUNCTION ${s}.idempotency_finish(p_key text, p_result text) RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
        UPDATE ${t} SET result = p_result WHERE key = p_key
      $fn$;
      GRANT USAGE ON SCHEMA ${s} TO PUBLIC;
      COMMIT;`
  }
}

/** The stored form of a key: a hash, so callers' claims never sit in the table in clear. */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function lockId(name: string): string {
  return String(createHash('sha256').update(`portico:${name}`).digest().readBigInt64BE(0))
}
