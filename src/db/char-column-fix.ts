/**
 * @prisma/adapter-pg (every 6.x/7.x so far) refuses result columns of PostgreSQL's one-byte
 * internal `"char"` type (OID 18): "Column type 'char' could not be deserialized". Prisma's own
 * catalog queries return such columns (pg_constraint.contype, pg_class.relkind), and user tables
 * may have them too. The value pg hands us is already a string; only the column type is missing,
 * and the schema engine needs it to be `Character`, not `Text`.
 *
 * This patches the adapter's shared query class once: `performIO` relabels OID 18 as text so the
 * adapter's own mapping accepts it, and `queryRaw` then reports those columns as `Character`.
 * Internal API: the versions are pinned and test/introspect.test.ts fails loudly if it breaks.
 */
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils'

const PG_CHAR_OID = 18
const PG_TEXT_OID = 25

type QueryResult = { fields: { dataTypeID: number }[] }
type RawResult = { columnTypes: number[] }
type Queryable = {
  performIO(query: object): Promise<QueryResult>
  queryRaw(query: object): Promise<RawResult>
}

const charColumnsOf = new WeakMap<object, number[]>()
const patched = new WeakSet<object>()

/** Patch the prototype that defines `performIO` for this adapter (idempotent). */
export function fixCharColumns<T extends object>(adapter: T): T {
  let proto = Object.getPrototypeOf(adapter) as Queryable | null
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'performIO')) {
    proto = Object.getPrototypeOf(proto) as Queryable | null
  }
  if (!proto) throw new Error('driver adapter has no performIO: the "char" column fix needs updating')
  if (patched.has(proto)) return adapter
  patched.add(proto)

  const performIO = proto.performIO
  const queryRaw = proto.queryRaw
  proto.performIO = async function (this: Queryable, query: object) {
    const result = await performIO.call(this, query)
    const charColumns: number[] = []
    result?.fields?.forEach((field, index) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID
        charColumns.push(index)
      }
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
