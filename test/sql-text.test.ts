/**
 * The planner's SQL is `Sql`, a branded string (../src/planner/sql-text.ts): the lines marked
 * @ts-expect-error are checked by `tsc` (tsconfig includes test/), and would fail it if a plain
 * string were accepted where SQL is expected. The rest checks what the constructors write, and
 * that a request's choice not in a fixed table writes nothing.
 */
import { describe, expect, it } from 'vitest'
import type { DMMFField, ModelInfo } from '../src/model/datamodel.js'
import { aggregateSql, type AggregateFunction } from '../src/planner/aggregates.js'
import { bucketUnitSql } from '../src/planner/compile-group-by.js'
import { COMPARISON_SQL } from '../src/planner/compile-where.js'
import { lookupBatchSql, lookupKeys, lookupShape } from '../src/planner/lookup-batch.js'
import { column, jsonObject, Params } from '../src/planner/sql.js'
import { choice, ident, int, join, literal, sql, trusted, type Sql } from '../src/planner/sql-text.js'

const model = {
  name: 'Person',
  table: { schema: 'app', name: 'person' },
  columns: new Map([
    ['id', { name: 'id', type: 'integer' }],
    ['orgId', { name: 'org_id', type: 'uuid' }],
  ]),
} as unknown as ModelInfo

describe('Sql, the planner\'s SQL text', () => {
  it('is a plain string at run time, made only from SQL', () => {
    const where = sql`${ident('name')} = ${literal('x')}`
    expect(sql`SELECT 1 FROM t WHERE ${where}`).toBe(`SELECT 1 FROM t WHERE "name" = 'x'`)
    expect(typeof where).toBe('string')
  })

  it('refuses plain strings where SQL is expected (checked by tsc)', () => {
    const request = 'x; DROP TABLE person'
    // @ts-expect-error a plain string is not SQL
    expect(sql`SELECT ${request}`).toBe('SELECT x; DROP TABLE person')
    // @ts-expect-error an alias must be SQL (Params.alias)
    expect(() => column(model, 't1', 'id')).not.toThrow()
    // @ts-expect-error an object's values must be SQL
    jsonObject([['a', request]])
    // @ts-expect-error a cast's type must be SQL
    new Params().add(1, 'text')
    // @ts-expect-error join's separator must be SQL too
    join([sql`a`], ', ')
    const fragment: Sql = sql`a`
    // @ts-expect-error concatenation makes a plain string again
    const concatenated: Sql = fragment + request
    expect(concatenated).toBe('ax; DROP TABLE person')
  })

  it('quotes identifiers and literals', () => {
    expect(ident('we"ird')).toBe('"we""ird"')
    expect(literal("it's")).toBe("'it''s'")
    expect(join([ident('a'), ident('b')], sql`, `)).toBe('"a", "b"')
    expect(join([], sql`, `)).toBe('')
    expect(trusted('integer[]')).toBe('integer[]')
  })

  it('writes whole numbers only', () => {
    expect(int(42)).toBe('42')
    expect(() => int(1.5)).toThrow(/whole number/)
    expect(() => int(Number.NaN)).toThrow(/whole number/)
  })

  it('writes parameters as placeholders, values apart', () => {
    const params = new Params()
    expect(params.add('a')).toBe('$1')
    expect(params.add(2, sql`integer`)).toBe('$2::integer')
    expect(params.values).toEqual(['a', 2])
    expect(column(model, params.alias(), 'orgId')).toBe('t1."org_id"')
  })
})

describe('choices from fixed tables', () => {
  it('gives only what the table holds', () => {
    expect(choice(COMPARISON_SQL, 'lte')).toBe('<=')
    expect(() => choice(COMPARISON_SQL, '= 1 OR 1 =')).toThrow(/is not one of/)
    // Inherited properties are not entries.
    expect(() => choice(COMPARISON_SQL, 'constructor')).toThrow(/is not one of/)
  })

  it('refuses an aggregate function not in the table', () => {
    const field = { name: 'id', type: 'Int' } as DMMFField
    expect(aggregateSql({} as never, model, 'sum', field, sql`t1.id`)).toBe('sum(t1.id)::text')
    expect(() => aggregateSql({} as never, model, 'pg_sleep' as AggregateFunction, field, sql`t1.id`)).toThrow(/is not one of/)
  })

  it('refuses a bucket unit not in the table', () => {
    expect(bucketUnitSql('QUARTER')).toBe("'quarter'")
    expect(() => bucketUnitSql("day', now()) --")).toThrow(/is not one of/)
  })
})

describe('lookup batches', () => {
  const batch = (params: Params) => {
    const keys = lookupKeys(params, model, ['id', 'orgId'])
    const alias = params.alias()
    return { model, fields: ['id', 'orgId'], keys, alias, object: sql`json_build_object('id', ${alias}."id")` }
  }

  it('joins the unnested keys for rows (DataLoaders, changed rows)', () => {
    expect(lookupBatchSql(batch(new Params()), { rows: true, where: sql`TRUE` })).toBe(
      `SELECT k.i::int AS i, (json_build_object('id', t1."id"))::text AS j FROM unnest($1::integer[], $2::uuid[]) WITH ORDINALITY AS k(k0, k1, i)` +
        ` JOIN "app"."person" t1 ON t1."id" = k.k0 AND t1."org_id" = k.k1 WHERE TRUE`,
    )
  })

  it('reads one row per key as text (compiled runs)', () => {
    const params = new Params()
    const b = batch(params)
    expect(lookupBatchSql(b, { rows: false, responseKeys: params.add([], sql`text[]`) })).toBe(
      `SELECT string_agg(k.a || ':' || coalesce((SELECT json_build_object('id', t1."id") FROM "app"."person" t1 WHERE t1."id" = k.k0 AND t1."org_id" = k.k1 LIMIT 1)::text, 'null'), ',' ORDER BY k.i) AS s` +
        ` FROM unnest($1::integer[], $2::uuid[], $3::text[]) WITH ORDINALITY AS k(k0, k1, a, i)`,
    )
  })

  it('keys both paths\' batches by one shape', () => {
    const object = sql`json_build_object('id', t1."id")`
    expect(lookupShape(model, ['id'], 'Person', object, [1n])).toBe(lookupShape(model, ['id'], 'Person', object, ['1']))
    expect(lookupShape(model, ['id'], 'Person', object, [])).not.toBe(lookupShape(model, ['orgId'], 'Person', object, []))
  })
})
