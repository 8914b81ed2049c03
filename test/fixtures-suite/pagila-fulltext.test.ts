/**
 * Full-text search on Pagila's `film.fulltext` (issue 11's first test): a tsvector kept by a
 * trigger in `pg_catalog.english`, which is the gateway's `textSearchConfig` here. Counts, rank
 * orders and keyset pages over a rank order are compared with SQL; each operation is one statement.
 */
import { describe, expect, it } from 'vitest'
import { dataStatements } from '../support/statement-catalogue.js'
import { stitch, useFixture } from './fixture.js'

const CONFIG = 'pg_catalog.english'
const fx = useFixture('pagila', { schemas: ['public'], textSearchConfig: CONFIG })

const query = `websearch_to_tsquery('${CONFIG}', $1)`
const rank = `coalesce(ts_rank(fulltext, ${query}), 0)`

describe('films(where: { fulltext: { matches } })', () => {
  it.each(['drama', 'epic drama', 'drama -documentary', 'saga or documentary', '"mad scientist"', 'the'])('%s: totalCount and rows as SQL', async (words) => {
    const data = await fx.api.data('query ($w: String) { films(first: 100, where: { fulltext: { matches: $w } }) { totalCount nodes { filmId } } }', { w: words })
    expect(dataStatements(fx.api.statements)).toHaveLength(1)
    const [{ count }] = await fx.rows(`SELECT count(*)::int AS count FROM film WHERE fulltext @@ ${query}`, [words])
    expect(data.films.totalCount).toBe(count)
    const ids = await fx.rows(`SELECT film_id AS "filmId" FROM film WHERE fulltext @@ ${query} ORDER BY film_id LIMIT 100`, [words])
    expect(data.films.nodes).toEqual(ids)
  })

  it('drama: the issue\'s example, against SELECT count(*) FROM film WHERE fulltext @@ websearch_to_tsquery(\'drama\')', async () => {
    const data = await fx.api.data('{ films(where: { fulltext: { matches: "drama" } }) { totalCount } }')
    const [{ count }] = await fx.rows(`SELECT count(*)::int AS count FROM film WHERE fulltext @@ websearch_to_tsquery('${CONFIG}', 'drama')`)
    expect(count).toBeGreaterThan(100)
    expect(data.films.totalCount).toBe(count)
  })
})

describe('films ordered by rank', () => {
  const words = 'drama or saga or boat'
  const orderBy = `orderBy: [{ fulltext: { matches: "${words}" } }]`

  it('first 100, as SQL orders by ts_rank then film_id', async () => {
    const data = await fx.api.data(`{ films(first: 100, where: { fulltext: { matches: "${words}" } }, ${orderBy}) { nodes { filmId } } }`)
    expect(dataStatements(fx.api.statements)).toHaveLength(1)
    const expected = await fx.rows(`SELECT film_id AS "filmId" FROM film WHERE fulltext @@ ${query} ORDER BY ${rank} DESC, film_id LIMIT 100`, [words])
    expect(data.films.nodes).toEqual(expected)
    // Not just key order: the ranks differ.
    expect(expected.map((r) => r.filmId)).not.toEqual([...expected.map((r) => r.filmId)].sort((a, b) => a - b))
  })

  it('every page by after-cursors (and by before-cursors backwards) is SQL\'s order, ties included', async () => {
    const expected = await fx.rows(`SELECT film_id AS "filmId" FROM film ORDER BY ${rank} DESC, film_id`, [words])
    const forward = await stitch(fx.api, 'films', 'filmId', 'forward', 100, orderBy)
    expect(forward.pages).toBe(10)
    expect(forward.nodes).toEqual(expected)
    const matching = await fx.rows(`SELECT film_id AS "filmId" FROM film WHERE fulltext @@ ${query} ORDER BY ${rank} ASC, film_id DESC`, [words])
    const backward = await stitch(fx.api, 'films', 'filmId', 'backward', 37, `where: { fulltext: { matches: "${words}" } }, orderBy: [{ fulltext: { matches: "${words}", direction: ASC } }, { filmId: DESC }]`)
    expect(backward.nodes).toEqual(matching)
  })

  it('a page after a cursor is one statement', async () => {
    const first = await fx.api.data(`{ films(first: 30, ${orderBy}) { pageInfo { endCursor } } }`)
    const next = await fx.api.data(`query ($c: String) { films(first: 30, after: $c, ${orderBy}) { nodes { filmId } } }`, { c: first.films.pageInfo.endCursor })
    expect(dataStatements(fx.api.statements)).toHaveLength(1)
    const expected = await fx.rows(`SELECT film_id AS "filmId" FROM film ORDER BY ${rank} DESC, film_id OFFSET 30 LIMIT 30`, [words])
    expect(next.films.nodes).toEqual(expected)
  })
})
