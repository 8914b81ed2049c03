/**
 * @prisma/adapter-pg (every 6.x/7.x so far) refuses result columns of types it has no mapping
 * for: "Column type 'char' could not be deserialized". Two kinds matter to Portico:
 * - PostgreSQL's one-byte internal `"char"` (OID 18), which Prisma's own catalog queries return
 *   (pg_constraint.contype, pg_class.relkind) and user tables may have: the schema engine needs its
 *   column type to be `Character`, not `Text`;
 * - types Prisma's schema calls `Unsupported(...)` that Portico reads as text instead
 *   (src/model/text-read-types.ts): interval, tsvector, geometric types, macaddr; and timetz,
 *   which the adapter would read without its offset (a different time).
 * pg already hands over their values as strings; only the column type is missing. This patches the
 * adapter's shared query class once: `performIO` relabels those columns as text so the adapter's
 * own mapping accepts them, and `queryRaw` reports `"char"` columns as `Character`.
 * Internal API: the versions are pinned and the introspection and scalar tests fail loudly if it breaks.
 */
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils'

const PG_CHAR_OID = 18
const PG_TEXT_OID = 25

/**
 * Types read as text: interval, tsvector, tsquery, macaddr, macaddr8, point, lseg, path, box,
 * polygon, line, circle; and timetz (1266), whose offset the adapter's own reading cuts off.
 */
export const TEXT_READ_OIDS = new Set([1186, 3614, 3615, 829, 774, 600, 601, 602, 603, 604, 628, 718, 1266])

type QueryResult = { fields: { dataTypeID: number }[] }
type RawResult = { columnTypes: number[] }
type Queryable = {
  performIO(query: object): Promise<QueryResult>
  queryRaw(query: object): Promise<RawResult>
}

const charColumnsOf = new WeakMap<object, number[]>()
const patched = new WeakSet<object>()

/** Patch the prototype that defines `performIO` for this adapter (idempotent). */
export function fixColumnTypes<T extends object>(adapter: T): T {
  let proto = Object.getPrototypeOf(adapter) as Queryable | null
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'performIO')) {
    proto = Object.getPrototypeOf(proto) as Queryable | null
  }
  if (!proto) throw new Error('driver adapter has no performIO: the column type fixes need updating')
  if (patched.has(proto)) return adapter
  patched.add(proto)

  const performIO = proto.performIO
  const queryRaw = proto.queryRaw
  proto.performIO = async function (this: Queryable, query: object) {
    const result = await performIO.call(this, query)
    const charColumns: number[] = []
    result?.fields?.forEach((field, index) => {
      if (field.dataTypeID === PG_CHAR_OID) charColumns.push(index)
      if (field.dataTypeID === PG_CHAR_OID || TEXT_READ_OIDS.has(field.dataTypeID)) field.dataTypeID = PG_TEXT_OID
    })
    if (charColumns.length) charColumnsOf.set(query, charColumns)
    return result
  }
  proto.queryRaw = async function (this: Queryable, query: object) {
    const result = await queryRaw.call(this, query)
    for (const index of charColumnsOf.get(query) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character
    return result
  }
  return adapter
}
