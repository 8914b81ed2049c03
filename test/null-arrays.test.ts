/**
 * NULL is not empty: a NULL array column is served as null (its GraphQL list is nullable when the
 * column is), an empty one as [], on both execution paths, in filters and in writes, all compared
 * with PostgreSQL on the project's test database (public.all_types row 3 is all NULL, row 2 has an
 * empty enum array).
 */
import { describe, expect, it } from 'vitest'
import { bothPaths, useProjectDatabase } from './support/project-database.js'

const project = useProjectDatabase('null_arrays')
const rows = (text: string, params: unknown[] = []) => project.rows(text, params)

const both = (query: string) => bothPaths(project.api, query)

/** The ids of all_types rows matching an SQL condition. */
const idsWhere = async (condition: string) => (await rows(`SELECT id FROM public.all_types WHERE ${condition} ORDER BY id`)).map((r) => ({ id: r.id }))

describe('the schema', () => {
  it('makes an array field nullable exactly when its column is', () => {
    const fields = (type: string) => (project.api.gateway.schema.getType(type) as any).getFields()
    expect(String(fields('AllType').cIntArray.type)).toBe('[Int]')
    expect(String(fields('AllType').cMoodArray.type)).toBe('[Mood]')
    expect(String(fields('Post').tags.type)).toBe('[String]')
    // app.person.moods is NOT NULL DEFAULT '{}'.
    expect(String(fields('Person').moods.type)).toBe('[Mood]!')
  })
})

describe('reads', () => {
  it('a NULL array is null and an empty one [], as PostgreSQL has them: lists and lookups, both paths', async () => {
    const expected = await rows(`SELECT id, to_json(c_int_array) AS "cIntArray", to_json(c_text_array) AS "cTextArray", to_json(c_mood_array) AS "cMoodArray"
      FROM public.all_types ORDER BY id`)
    expect(expected.map((r) => r.cMoodArray)).toEqual([['happy', 'sad'], [], null])
    const data = await both('allTypes { nodes { id cIntArray cTextArray cMoodArray } } one: allType(id: 3) { cIntArray cMoodArray } two: allType(id: 2) { cMoodArray }')
    expect(data.allTypes.nodes).toEqual(expected)
    expect(data.one).toEqual({ cIntArray: null, cMoodArray: null })
    expect(data.two).toEqual({ cMoodArray: [] })
  })

  it('nested under a relation too (post.tags is NULL for every fifth post)', async () => {
    const expected = await rows(`SELECT p.id, to_json(p.tags) AS tags FROM app.post p WHERE p.author = 6 ORDER BY p.id`)
    expect(expected.some((r) => r.tags === null)).toBe(true)
    const data = await both('person(id: 6) { posts { nodes { id tags } } }')
    expect(data.person.posts.nodes).toEqual(expected.map((r) => ({ id: String(r.id), tags: r.tags })))
  })
})

describe('filters: NULL is neither empty nor non-empty', () => {
  it.each([
    ['isEmpty: true', 'cMoodArray: { isEmpty: true }', 'cardinality(c_mood_array) = 0'],
    ['isEmpty: false', 'cMoodArray: { isEmpty: false }', 'cardinality(c_mood_array) > 0'],
    ['isNull: true', 'cMoodArray: { isNull: true }', 'c_mood_array IS NULL'],
    ['isNull: false', 'cMoodArray: { isNull: false }', 'c_mood_array IS NOT NULL'],
    ['has', 'cIntArray: { has: 0 }', '0 = ANY(c_int_array)'],
    ['equals []', 'cMoodArray: { equals: [] }', `c_mood_array = '{}'`],
    ['hasSome', 'cMoodArray: { hasSome: [happy] }', `c_mood_array && '{happy}'`],
    ['NOT isEmpty', 'NOT: { cMoodArray: { isEmpty: true } }', 'NOT (cardinality(c_mood_array) = 0)'],
  ])('%s', async (_name, where, condition) => {
    const data = await both(`allTypes(where: { ${where} }) { nodes { id } }`)
    expect(data.allTypes.nodes).toEqual(await idsWhere(condition))
  })

  it('the NULL row (3) is in neither isEmpty: true nor isEmpty: false', async () => {
    const data = await project.api.data('{ empty: allTypes(where: { cMoodArray: { isEmpty: true } }) { nodes { id } } nonEmpty: allTypes(where: { cMoodArray: { isEmpty: false } }) { nodes { id } } }')
    expect(data).toEqual({ empty: { nodes: [{ id: 2 }] }, nonEmpty: { nodes: [{ id: 1 }] } })
  })
})

describe('writes', () => {
  it('a created row whose arrays are left out reads them as null; set to [] they read as []', async () => {
    const created = await project.api.data('mutation { createAllType(data: { id: 20, cMoodArray: [ok] }) { cIntArray cMoodArray } }')
    expect(created.createAllType).toEqual({ cIntArray: null, cMoodArray: ['ok'] })
    const data = await project.api.data('mutation { updateAllType(where: { id: 20 }, data: { cMoodArray: [] }) { cIntArray cMoodArray } }')
    expect(data.updateAllType).toEqual({ cIntArray: null, cMoodArray: [] })
    expect(await rows('SELECT c_int_array IS NULL AS "null", c_mood_array::text AS mood FROM public.all_types WHERE id = 20')).toEqual([{ null: true, mood: '{}' }])
    await project.sql.query('DELETE FROM public.all_types WHERE id = 20')
  })

  it('setting an array to null is refused with a clear error (Prisma writes no NULL into a list), nothing written', async () => {
    const result = await project.api.query('mutation { updateAllType(where: { id: 1 }, data: { cIntArray: null }) { id } }')
    expect(result.errors?.[0]).toMatchObject({ message: 'cIntArray may not be null', extensions: { code: 'NOT_NULL_VIOLATION', field: 'cIntArray' } })
    expect(await rows('SELECT c_int_array::text AS a FROM public.all_types WHERE id = 1')).toEqual([{ a: '{1,2,3}' }])
  })

  it('updateMany with an array filter changes the rows the same filter lists', async () => {
    for (const where of ['{ cMoodArray: { isEmpty: true } }', '{ cMoodArray: { isEmpty: false } }', '{ cMoodArray: { isNull: true } }']) {
      const listed = await project.api.data(`{ allTypes(where: ${where}) { nodes { id } } }`)
      const data = await project.api.data(`mutation { updateManyAllType(where: ${where}, data: { cText: "touched" }) { count } }`)
      expect(data.updateManyAllType.count).toBe(listed.allTypes.nodes.length)
    }
  })
})
