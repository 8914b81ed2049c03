/**
 * Extensions (issue 12): a typed extension file (test/fixtures/extensions/good.ts) adds fields to
 * a generated type and a root query; each is served with exact data (compared with SQL) through
 * both execution paths: the compiled statement, then GraphQL over its data, and field by field.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/config.js'
import { createGateway } from '../src/gateway.js'
import { createLogger } from '../src/log.js'
import { compileFragment, fragment, identifier } from '../src/planner/sql-template.js'
import { useProjectDatabase, FIELD_BY_FIELD, bothPaths } from './support/project-database.js'
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

describe('more places for extension fields', () => {
  it('a keyless type: its parent is the whole row', async () => {
    const data = await bothPaths(project.api, 'filmLogs { nodes { filmId note shout } }')
    const rows = await project.rows(`SELECT film_id AS "filmId", note, upper(note) || '!' AS shout FROM film_log`)
    expect(data.filmLogs.nodes).toEqual(rows)
  })

  it('nested under relations, and in aliased lookups batched into one statement', async () => {
    const data = await bothPaths(
      project.api,
      'languages { nodes { name films(first: 3) { nodes { filmId titleLength summary } } } } a: film(filmId: 7) { titleLength } b: film(filmId: 8) { titleLength }',
    )
    const films = await expectedFilms(120)
    const byId = new Map(films.map((f) => [f.filmId, f]))
    const firstThree = (languageId: number) => films.filter((f) => (f.filmId % 2) + 1 === languageId).slice(0, 3).map(({ filmId, titleLength, summary }) => ({ filmId, titleLength, summary }))
    expect(data).toEqual({
      languages: { nodes: [{ name: 'English', films: { nodes: firstThree(1) } }, { name: 'French', films: { nodes: firstThree(2) } }] },
      a: { titleLength: byId.get(7)!.titleLength },
      b: { titleLength: byId.get(8)!.titleLength },
    })
  })

  it('root fields of an extension mix with generated ones in one operation', async () => {
    const { api } = project
    const data = await api.data('{ filmCount(longerThan: 170) film(filmId: 3) { title titleLength } filmByTitle(title: "Film 12") { filmId summary bestStars } }')
    const [count] = await project.rows('SELECT count(*)::int AS n FROM film WHERE length > 170')
    const films = await expectedFilms(120)
    expect(data).toEqual({
      filmCount: count.n,
      film: { title: 'Film 3', titleLength: 6 },
      filmByTitle: { filmId: 12, summary: films[11].summary, bestStars: films[11].bestStars },
    })
    // The compiled statement (film 3), filmCount's SQL, filmByTitle's SQL, its row by key, its loader.
    expect(api.statements).toHaveLength(5)
    expect(api.statements[0]).toMatch(/^SELECT '\{' \|\|/)
  })

  it('a generated mutation returns extension fields of its row', async () => {
    const data = await project.api.data('mutation { createFilm(data: { title: "Brand New", language: { connect: { languageId: 2 } } }) { title titleLength summary bestStars } }')
    expect(data.createFilm).toEqual({ title: 'Brand New', titleLength: 9, summary: 'Brand New (French, 0 reviews)', bestStars: null })
  })
})

describe('extensions that cannot be served stop start-up with a clear error', () => {
  const start = (extension: (builder: any, portico: any) => void) =>
    createGateway({
      databaseUrl: project.db.url,
      config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { schemas: ['public'], logLevel: 'silent' } }),
      logger: createLogger('silent'),
      onProgress: () => {},
      extensions: [extension],
    })

  it('a select naming a column the type does not have', async () => {
    await expect(start(function misspelt(builder) {
      builder.prismaObjectField('Film', 'x', (t: any) => t.int({ select: { titel: true }, resolve: () => 1 }))
    })).rejects.toThrow('the schema with extensions function misspelt is not valid: Film.x: Film has no field titel to select')
  })

  it('a field on a type Portico builds in SQL', async () => {
    await expect(start(function onConnection(builder) {
      builder.objectField('FilmConnection', 'x', (t: any) => t.int({ resolve: () => 1 }))
    })).rejects.toThrow('FilmConnection.x: extensions may add fields to the types of tables and views, Query and Mutation, not to FilmConnection, which Portico builds in SQL')
  })

  it('an extension that is async, or throws', async () => {
    await expect(start(async function later() {})).rejects.toThrow('extension function later returned a promise')
    await expect(start(function broken() { throw new Error('no such thing') })).rejects.toThrow('extension function broken failed: no such thing')
  })

  it("a config file's extensions are relative to it; --extension adds to them, relative to the working directory", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'portico-ext-'))
    try {
      writeFileSync(path.join(dir, 'ext.mjs'), 'export default () => {}\n')
      writeFileSync(path.join(dir, 'portico.config.json'), JSON.stringify({ extensions: ['./ext.mjs'] }))
      const config = loadConfig({ env: {}, cwd: repoRoot, file: path.join(dir, 'portico.config.json'), flags: { extensions: ['test/fixtures/extensions/good.ts'] } })
      expect(config.extensions).toEqual([path.join(dir, 'ext.mjs'), GOOD])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a file that is missing, or whose default export is not a function', async () => {
    expect(() => loadConfig({ env: {}, cwd: '/nonexistent', flags: { extensions: ['/nowhere/ext.ts'] } })).toThrow('extensions.0: extension file /nowhere/ext.ts does not exist')
    const notAFunction = path.join(repoRoot, 'test', 'fixtures', 'extensions', 'not-a-function.mjs')
    await expect(
      createGateway({ databaseUrl: project.db.url, config: loadConfig({ env: {}, cwd: '/nonexistent', flags: { schemas: ['public'], logLevel: 'silent', extensions: [notAFunction] } }), logger: createLogger('silent'), onProgress: () => {} }),
    ).rejects.toThrow(`extension ${notAFunction} must default-export a function (builder, portico) => void; its default export is object`)
  })
})

describe('the command line', () => {
  const portico = (args: string[]) =>
    promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin', 'portico.mjs'), ...args], { cwd: repoRoot, env: { ...process.env, PORTICO_LOG_LEVEL: 'silent' } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    )

  it('portico print --extension prints the extended schema', async () => {
    const { code, stdout } = await portico(['print', '--database-url', project.db.url, '--schemas', 'public', '--extension', 'test/fixtures/extensions/good.ts'])
    expect(code).toBe(0)
    expect(stdout).toContain('  titleLength: Int!\n')
    expect(stdout).toContain('  filmCount(longerThan: Int!): Int!\n')
    expect(stdout).toContain('  shout: String!\n')
  }, 120_000)

  it('a missing extension file is a configuration error (exit 2)', async () => {
    const { code, stderr } = await portico(['print', '--database-url', project.db.url, '--extension', 'nowhere.ts'])
    expect(code).toBe(2)
    expect(stderr).toBe(`portico: invalid configuration:\n  extensions.0: extension file ${path.join(repoRoot, 'nowhere.ts')} does not exist\n`)
  }, 120_000)
})

describe('portico.sql', () => {
  it('makes every value a parameter, fragments included, and quotes identifiers', () => {
    const name = "x' OR '1'='1"
    const where = fragment`title = ${name}`
    expect(compileFragment(fragment`SELECT * FROM ${identifier('public', 'film')} WHERE film_id = ${1} AND ${where} LIMIT ${2}`)).toEqual({
      text: 'SELECT * FROM "public"."film" WHERE film_id = $1 AND title = $2 LIMIT $3',
      values: [1, name, 2],
    })
  })

  it('a value that looks like SQL is only a value', async () => {
    expect(await project.api.data(`{ filmByTitle(title: "Film 1' OR '1'='1") { filmId } }`)).toEqual({ filmByTitle: null })
    expect(await project.api.data('{ filmByTitle(title: "Film 1") { filmId } }')).toEqual({ filmByTitle: { filmId: 1 } })
  })
})
