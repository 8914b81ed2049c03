/**
 * How values are parsed on Portico's pooled connections, where pg and @prisma/adapter-pg get it
 * wrong for Portico: types read as text (./column-type-fixes.ts: interval, tsvector, timetz, ...)
 * must stay PostgreSQL's text, not pg's parsed objects (an interval would become a
 * PostgresInterval) nor the adapter's normalised forms (a timetz would lose its offset:
 * "13:45:30+02" would become 13:45:30, a different time).
 * Internal behaviour of the adapter: test/api.test.ts checks the values.
 */
import type pg from 'pg'
import { TEXT_READ_OIDS } from './column-type-fixes.js'

type TypeParser = (oid: number, format?: string) => (value: string) => unknown
type QueryConfig = { types?: { getTypeParser: TypeParser } }

const asText = (value: string) => value

export function fixTypeParsers(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    ;(client as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
      const types = (config as QueryConfig | null)?.types
      if (types?.getTypeParser) {
        const getTypeParser = types.getTypeParser
        const parsers: TypeParser = (oid, format) => {
          if (TEXT_READ_OIDS.has(oid)) return asText
          return getTypeParser(oid, format)
        }
        config = { ...(config as object), types: { ...types, getTypeParser: parsers } }
      }
      return query(config, ...rest)
    }
  })
}
