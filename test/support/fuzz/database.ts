/**
 * A checksum of every table the fuzzer could reach: md5 of each table's rows as text, in order.
 * Equal before and after means no fuzzed mutation wrote anything (sequences may move: a failed
 * insert still takes an identity value, and that is not the data).
 */
import pg from 'pg'

export async function tableChecksums(databaseUrl: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl })
  client.on('error', () => {})
  await client.connect()
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
          -- Portico's own bookkeeping (idempotency keys, created on first use), not the API's tables.
          AND n.nspname <> 'portico' ORDER BY 1`,
    )
    const sums: Record<string, string> = {}
    for (const { name } of tables) {
      // The table name comes from the catalog, already quoted by format('%I').
      const { rows } = await client.query<{ sum: string; n: number }>(`SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS sum, count(*)::int AS n FROM ${name} t`)
      sums[name] = `${rows[0]!.n} rows, ${rows[0]!.sum}`
    }
    return sums
  } finally {
    await client.end()
  }
}
