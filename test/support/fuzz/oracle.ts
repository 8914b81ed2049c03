/**
 * Answers checked against SQL: generated list operations (a random model, a random set of its
 * columns, a random page, sometimes an equality filter on a value the table holds) whose answer
 * the test also reads with plain SQL and compares exactly. Only columns whose JSON form is
 * PostgreSQL's own (integers, text, booleans, double precision) are chosen, so the comparison
 * needs no knowledge of how Portico serialises other types.
 */
import pg from 'pg'
import type { Datamodel, ModelInfo } from '../../../src/model/datamodel.js'
import { rootFieldName } from '../../../src/model/inflect.js'
import type { Random } from './random.js'

/** Prisma types whose values JSON carries as PostgreSQL's to_json does. */
const NATURAL = new Set(['Int', 'String', 'Boolean', 'Float'])
const TEXTUAL_NATIVE = new Set(['Uuid', 'Inet', 'Xml', 'Citext', undefined, 'VarChar', 'Char', 'SmallInt', 'Oid'])

export interface CheckedCase {
  document: string
  /** The same rows, read with SQL, in the API's shape. */
  expected(client: pg.Client): Promise<unknown>
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

function naturalFields(model: ModelInfo): string[] {
  return model.scalars
    .filter((f) => !f.isList && NATURAL.has(f.type) && TEXTUAL_NATIVE.has(model.nativeTypes.get(f.name)) && !model.readAsText.has(f.name))
    .map((f) => f.name)
}

/** A checked case, or undefined when the random model has nothing to check (no key, no natural column). */
export async function checkedCase(r: Random, datamodel: Datamodel, client: pg.Client): Promise<CheckedCase | undefined> {
  const models = [...datamodel.models.values()].filter((m) => m.key.length && !m.omitted.has('read') && naturalFields(m).length)
  if (!models.length) return undefined
  const model = r.pick(models)
  const fields = naturalFields(model)
  const chosen = fields.filter(() => r.chance(0.6))
  if (!chosen.length) chosen.push(r.pick(fields))
  const first = r.range(1, 30)
  const table = `${quote(model.table.schema)}.${quote(model.table.name)}`
  const col = (field: string) => quote(model.columns.get(field)!.name)
  const order = model.key.map((k) => `${col(k)} ASC`).join(', ')

  // Sometimes filtered on a value some row holds (read first, so the filter matches something).
  let where = ''
  let whereSql = ''
  const params: unknown[] = []
  if (r.chance(0.5)) {
    const field = r.pick(fields)
    const { rows } = await client.query(`SELECT ${col(field)} AS v FROM ${table} WHERE ${col(field)} IS NOT NULL ORDER BY ${order} LIMIT 1 OFFSET ${r.int(5)}`)
    if (rows[0] && (typeof rows[0].v !== 'number' || Number.isFinite(rows[0].v))) {
      where = `, where: { ${field}: { equals: ${JSON.stringify(rows[0].v)} } }`
      whereSql = `WHERE ${col(field)} = $1`
      params.push(rows[0].v)
    }
  }
  const orderBy = model.key.map((k) => `{ ${k}: ASC }`).join(', ')
  const list = rootFieldName.list(model.name)
  const document = `{ ${list}(first: ${first}, orderBy: [${orderBy}]${where}) { nodes { ${chosen.join(' ')} } } }`
  return {
    document,
    async expected(c) {
      const select = chosen.map((f) => `${col(f)} AS ${quote(f)}`).join(', ')
      const { rows } = await c.query(`SELECT ${select} FROM ${table} ${whereSql} ORDER BY ${order} LIMIT ${first}`, params)
      return { data: { [list]: { nodes: rows } } }
    },
  }
}
