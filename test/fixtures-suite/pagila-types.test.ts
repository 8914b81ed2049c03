/**
 * Real columns answered exactly, on this file's own copy of Pagila: a NULL array is null, not []
 * (film 1's special_features set to NULL here), on both execution paths, in filters and in
 * per-column counts; a model with both a date and a timestamptz buckets each as what it is.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { as, useFixture } from './fixture.js'

const fx = useFixture('pagila', { schemas: ['public'] })

beforeAll(async () => {
  await fx.sql.query('UPDATE film SET special_features = NULL WHERE film_id = 1')
})

/** Introspection in the operation makes it run field by field. */
const FIELD_BY_FIELD = '__schema { queryType { name } }'

async function bothPaths(query: string): Promise<any> {
  const compiled = await fx.api.data(`{ ${query} }`)
  expect(fx.api.statements).toHaveLength(1)
  const executed = await fx.api.data(`{ ${query} ${FIELD_BY_FIELD} }`)
  delete executed.__schema
  expect(executed).toEqual(compiled)
  return compiled
}

describe('a NULL array', () => {
  it('is a nullable list in the schema', () => {
    const film = (fx.api.gateway.schema.getType('Film') as any).getFields()
    expect(String(film.specialFeatures.type)).toBe('[String]')
  })

  it('film 1\'s special_features, set to NULL, reads as null; film 2\'s as stored; both paths', async () => {
    const data = await bothPaths('film(filmId: 1) { specialFeatures } other: film(filmId: 2) { specialFeatures } films(first: 3) { nodes { filmId specialFeatures } }')
    const expected = await fx.rows('SELECT film_id AS "filmId", special_features AS "specialFeatures" FROM film ORDER BY film_id LIMIT 3')
    expect(expected[0]).toEqual({ filmId: 1, specialFeatures: null })
    expect(data).toEqual({ film: { specialFeatures: null }, other: { specialFeatures: expected[1].specialFeatures }, films: { nodes: expected } })
  })

  it('is neither empty nor non-empty, only null, in filters', async () => {
    const data = await bothPaths(`empty: films(where: { specialFeatures: { isEmpty: true } }) { totalCount }
      nonEmpty: films(where: { specialFeatures: { isEmpty: false } }) { totalCount }
      none: films(where: { specialFeatures: { isNull: true } }) { nodes { filmId } }`)
    const [r] = await fx.rows(`SELECT count(*) FILTER (WHERE cardinality(special_features) = 0)::int AS empty,
      count(*) FILTER (WHERE cardinality(special_features) > 0)::int AS "nonEmpty" FROM film`)
    expect(data).toEqual({ empty: { totalCount: r.empty }, nonEmpty: { totalCount: r.nonEmpty }, none: { nodes: [{ filmId: 1 }] } })
  })

  it('is not counted by nonNullCount; distinct arrays are counted as PostgreSQL does', async () => {
    const data = await bothPaths('films { aggregates { count nonNullCount { specialFeatures originalLanguageId } distinctCount { specialFeatures rating } } }')
    const [r] = await fx.rows(`SELECT count(*)::int AS c, count(special_features)::int AS n, count(original_language_id)::int AS o,
      count(DISTINCT special_features)::int AS d, count(DISTINCT rating)::int AS r FROM film`)
    expect(data.films.aggregates).toEqual({ count: r.c, nonNullCount: { specialFeatures: r.n, originalLanguageId: r.o }, distinctCount: { specialFeatures: r.d, rating: r.r } })
    expect(r.c - r.n).toBe(1)
  })
})

describe('buckets of a model with a date and a timestamptz', () => {
  it('a date bucket is a wall-clock time (localBucket), a timestamptz bucket an instant (bucket)', async () => {
    const data = await fx.api.data(`{ byDate: customersGroupBy(bucket: { column: createDate, unit: MONTH }) { bucket localBucket aggregates { count } }
      byInstant: customersGroupBy(bucket: { column: lastUpdate, unit: DAY, timeZone: "Asia/Tokyo" }) { bucket localBucket aggregates { count } } }`)
    const dates = await fx.rows(`SELECT ${as.timestamp(`date_trunc('month', create_date::timestamp)`)} AS b, count(*)::int AS n FROM customer GROUP BY 1 ORDER BY 1`)
    expect(data.byDate).toEqual(dates.map((r) => ({ bucket: null, localBucket: r.b, aggregates: { count: r.n } })))
    const days = await fx.rows(`SELECT ${as.timestamptz(`date_trunc('day', last_update AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo'`)} AS b, count(*)::int AS n
      FROM customer GROUP BY date_trunc('day', last_update AT TIME ZONE 'Asia/Tokyo') ORDER BY 1`)
    expect(data.byInstant).toEqual(days.map((r) => ({ bucket: r.b, localBucket: null, aggregates: { count: r.n } })))
  })
})
