/**
 * Extensions (issue 12): a typed extension file (test/fixtures/extensions/good.ts) adds fields to
 * a generated type and a root query; each is served with exact data (compared with SQL) through
 * both execution paths: the compiled statement, then GraphQL over its data, and field by field.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useProjectDatabase, FIELD_BY_FIELD } from './support/project-database.js'
import { EXTENSION_SCHEMA_SQL } from './support/extension-schema.js'
import { repoRoot } from './support/test-database.js'

const GOOD = path.join(repoRoot, 'test', 'fixtures', 'extensions', 'good.ts')

const project = useProjectDatabase('ext', { scripts: [EXTENSION_SCHEMA_SQL], config: { schemas: ['public'], extensions: [GOOD] } })

/** The films of the first page as SQL computes every extension field. */
async function expectedFilms(first: number) {
  return project.rows(
    `SELECT f.film_id AS "filmId", length(f.title) AS "titleLength",
            to_char(f.rental_rate, 'FM990.00') || ' / ' || (f.replacement_cost + 1)::text AS "priceLabel",
            f.title || ' (' || l.name || ', ' || (SELECT count(*) FROM review r WHERE r.film_id = f.film_id) || ' reviews)' AS summary,
            (SELECT max(stars) FROM review r WHERE r.film_id = f.film_id) AS "bestStars"
       FROM film f JOIN language l USING (language_id) ORDER BY f.film_id LIMIT $1`,
    [first],
  )
}

describe('fields added to a generated type', () => {
  it('serve exact data on the compiled path: one statement for the page, one for the loader of 100 parents', async () => {
    const { api } = project
    const query = '{ films(first: 100) { nodes { filmId titleLength priceLabel summary bestStars } } }'
    const data = await api.data(query)
    expect(data.films.nodes).toEqual(await expectedFilms(100))
    expect(api.statements).toHaveLength(2)
    // The whole operation's statement (its text is the response), then the loader's batch.
    expect(api.statements[0]).toMatch(/^SELECT '\{' \|\|/)
    expect(api.statements[1]).toMatch(/max\(stars\)/)
  })

  it('serve the same data field by field', async () => {
    const { api } = project
    const data = await api.data(`{ films(first: 100) { nodes { filmId titleLength priceLabel summary bestStars } } ${FIELD_BY_FIELD} }`)
    expect(data.films.nodes).toEqual(await expectedFilms(100))
    expect(api.statements).toHaveLength(2)
    expect(api.statements[0]).not.toMatch(/^SELECT '\{' \|\|/)
  })
})
