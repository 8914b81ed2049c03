/**
 * How values are parsed on Portico's pooled connections, where pg and @prisma/adapter-pg get it
 * wrong for Portico:
 * - the adapter reads `timetz` by cutting the offset off ("13:45:30+02" becomes 13:45:30), a
 *   different instant: Portico serves it in UTC, so the offset is applied first;
 * - types read as text (./column-type-fixes.ts: interval, tsvector, ...) must stay text, not
 *   pg's parsed objects (an interval would become a PostgresInterval).
 * Internal behaviour of the adapter: test/api.test.ts checks the values.
 */
import type pg from 'pg'
import { TEXT_READ_OIDS } from './column-type-fixes.js'

const TIMETZ_OID = 1266

type TypeParser = (oid: number, format?: string) => (value: string) => unknown
type QueryConfig = { types?: { getTypeParser: TypeParser } }

/** "13:45:30.5+02" -> "11:45:30.5" (the same instant, in UTC). */
export function timetzToUtc(value: string): string {
  const match = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(value)
  if (!match) return value
  const [, h, m, s, fraction = '', sign, oh, om = '0', os = '0'] = match
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os))
  const day = 86_400
  const seconds = (((Number(h) * 3600 + Number(m) * 60 + Number(s) - offset) % day) + day) % day
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}${fraction}`
}

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
          const parse = getTypeParser(oid, format)
          return oid === TIMETZ_OID ? (value: string) => parse(timetzToUtc(value)) : parse
        }
        config = { ...(config as object), types: { ...types, getTypeParser: parsers } }
      }
      return query(config, ...rest)
    }
  })
}
