/**
 * The real executable (`node bin/portico.mjs ...`) as a user runs it: exit codes, the exact lines
 * on stdout and stderr, and that no message ever shows the database password.
 *
 * Exit codes (src/cli/main.ts): 0 success and help, 2 usage and configuration errors, 1 anything
 * that fails at run time (the database cannot be reached, a schema is missing, ...).
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildSchema, GraphQLObjectType, GraphQLSchema } from 'graphql'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, databaseUrl, repoRoot, testServer, type TestDatabase } from './support/test-database.js'

// Every run starts a Node process that loads all of Portico (dist/): a second or more each on a busy machine.
vi.setConfig({ testTimeout: 180_000 })

const BIN = path.join(repoRoot, 'bin', 'portico.mjs')
const PASSWORD = 's3cret'

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Every run of this file, so the last test can check that none of them showed the password. */
const runs: { args: string[]; run: Run }[] = []

/** The environment of a user who configured nothing: no DATABASE_URL, PORTICO_*, HOST or PORT. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key === 'HOST' || key === 'PORT' || key === 'NODE_OPTIONS' || key.startsWith('PORTICO_')) continue
    env[key] = value
  }
  return { ...env, ...extra }
}

function portico(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: repoRoot, env: cleanEnv(options.env), timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null
        const run: Run = {
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
        }
        runs.push({ args, run })
        resolve(run)
      },
    )
  })
}

const helps = new Map<string, Promise<Run>>()
/** `portico <command> --help`, run once per command (every run loads all of Portico: seconds). */
function helpOf(command: string): Promise<Run> {
  let run = helps.get(command)
  if (!run) helps.set(command, (run = portico([command, '--help'])))
  return run
}

/** A failure as main.ts reports it: exactly one line on stderr, nothing on stdout. */
function expectOneLineFailure(run: Run, code: number, line: string | RegExp): void {
  expect(run.signal, 'killed by the test timeout').toBeNull()
  expect(run.stdout).toBe('')
  if (typeof line === 'string') expect(run.stderr).toBe(`${line}\n`)
  else {
    expect(run.stderr.split('\n')).toHaveLength(2) // the line and the empty string after its \n
    expect(run.stderr.trimEnd()).toMatch(line)
  }
  expect(run.stderr).not.toMatch(/\n\s+at |Error:|node:internal/) // no stack trace
  expect(run.stdout + run.stderr).not.toContain(PASSWORD)
  expect(run.code).toBe(code)
}

const refused = (hostPort: string) =>
  `portico: cannot connect to PostgreSQL at ${hostPort}: connection refused; is PostgreSQL running at ${hostPort} and accepting TCP connections (check listen_addresses and port)?`

const scratch = mkdtempSync(path.join(tmpdir(), 'portico-cli-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** The same URL with user postgres and password s3cret (trust auth ignores it). */
function withPassword(url: string): string {
  const u = new URL(url)
  u.username = 'postgres'
  u.password = PASSWORD
  return u.toString()
}

// The runs of these blocks are independent processes that load Portico and exit: run side by side
// (vitest's maxConcurrency, 5), they take a third of the time. The password check below runs last.
describe.concurrent('help', () => {
  it('--help lists every command (exit 0, stdout only)', async () => {
    const run = await portico(['--help'])
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout).toMatch(/^Usage: portico \[options\] \[command\]\n/)
    for (const command of ['serve [options]', 'introspect [options]', 'inspect [options]', 'print [options]', 'check [options]', 'diff <old> <new>', 'help [command]']) {
      expect(run.stdout).toContain(`\n  ${command}`)
    }
    expect(run.stdout).toContain('\n  -h, --help')
  })

  const COMMON = ['--database-url <url>', '--schemas <list>', '--config <file>', '--log-level <level>']
  const OPTIONS: Record<string, string[]> = {
    serve: [...COMMON, '--extension <file>', '--host <host>', '--port <port>', '--pool-size <n>', '--read-only', '--watch', '-h, --help'],
    introspect: [...COMMON, '--extension <file>', '--dir <dir>', '-h, --help'],
    inspect: [...COMMON, '--json', '-h, --help'],
    print: [...COMMON, '--extension <file>', '--out <file>', '--federation', '-h, --help'],
    check: [...COMMON, '--extension <file>', '--dir <dir>', '-h, --help'],
  }

  for (const [command, options] of Object.entries(OPTIONS)) {
    it(`${command} --help lists its options (exit 0)`, async () => {
      const run = await helpOf(command)
      expect(run.code).toBe(0)
      expect(run.stderr).toBe('')
      expect(run.stdout).toMatch(new RegExp(`^Usage: portico ${command} \\[options\\]\\n\\n\\S`))
      const optionLines = run.stdout.split('\n').filter((line) => /^ {2}-/.test(line))
      expect(optionLines.map((line) => line.trim().split(/ {2,}/)[0])).toEqual(options)
    })
  }

  it('`help inspect` prints the same as `inspect --help`', async () => {
    const help = await portico(['help', 'inspect'])
    expect(help.code).toBe(0)
    expect(help.stdout).toBe((await helpOf('inspect')).stdout)
  })
})

describe.concurrent('usage errors (exit 2)', () => {
  // Commander prints the usage of the command after the one-line message (showHelpAfterError in
  // src/cli/main.ts); that is the only output allowed besides the line.
  const usageOf = async (command: string) => (await helpOf(command)).stdout

  it('an unknown option', async () => {
    const run = await portico(['inspect', '--bogus'])
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(`portico: unknown option '--bogus'\n\n${await usageOf('inspect')}`)
    expect(run.code).toBe(2)
  })

  it('an unknown option before any command', async () => {
    const run = await portico(['--bogus'])
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^portico: unknown option '--bogus'\n\nUsage: portico \[options\] \[command\]\n/)
    expect(run.code).toBe(2)
  })

  it('an unknown command', async () => {
    const run = await portico(['frobnicate'])
    expect(run.stdout).toBe('')
    const [first, ...rest] = run.stderr.split('\n')
    expect(first).toMatch(/^portico: /)
    expect(rest.join('\n')).not.toMatch(/\n\s+at /)
    // A typo such as `portico inspcet` must be named as an unknown command.
    expect(first, 'the message names the unknown command').toContain('frobnicate')
    expect(run.code).toBe(2)
  })

  it('a flag value that is not a number', async () => {
    const run = await portico(['serve', '--port', 'abc'])
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(`portico: option '--port <port>' argument 'abc' is invalid. --port must be a whole number\n\n${await usageOf('serve')}`)
    expect(run.code).toBe(2)
  })

  it('a log level that is not one of the choices', async () => {
    const run = await portico(['inspect', '--log-level', 'loud'])
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      `portico: option '--log-level <level>' argument 'loud' is invalid. Allowed choices are fatal, error, warn, info, debug, trace, silent.\n\n${await usageOf('inspect')}`,
    )
    expect(run.code).toBe(2)
  })
})

describe.concurrent('configuration errors (exit 2)', () => {
  // A configuration error is a header line plus one indented line per invalid field (config.ts).
  it('--database-url notaurl', async () => {
    const run = await portico(['inspect', '--database-url', 'notaurl'])
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe('portico: invalid configuration:\n  databaseUrl: must start with postgres:// or postgresql://; write it as postgres://user:password@host:5432/database\n')
    expect(run.code).toBe(2)
  })

  it('DATABASE_URL from the environment is checked the same way, and never echoed', async () => {
    const run = await portico(['print'], { env: { DATABASE_URL: `mysql://root:${PASSWORD}@127.0.0.1/db` } })
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe('portico: invalid configuration:\n  databaseUrl: must start with postgres:// or postgresql://; write it as postgres://user:password@host:5432/database\n')
    expect(run.code).toBe(2)
  })

  it('a port out of range is reported before any connection is tried', async () => {
    const run = await portico(['serve', '--port', '99999', '--database-url', `postgres://postgres:${PASSWORD}@127.0.0.1:1/x`])
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe('portico: invalid configuration:\n  port: Too big: expected number to be <=65535\n')
    expect(run.code).toBe(2)
  })

  it('an explicit config file that does not exist', async () => {
    const run = await portico(['inspect', '--config', 'no-such-portico.json', '--database-url', 'postgres://postgres@127.0.0.1:1/x'])
    expectOneLineFailure(run, 2, `portico: config file ${path.join(repoRoot, 'no-such-portico.json')} does not exist`)
  })

  it('postgres://%zz@host/db: a malformed percent-escape is reported as a bad URL, not looked up', async () => {
    const run = await portico(['inspect', '--database-url', 'postgres://%zz@host/db'])
    expect(run.stdout).toBe('')
    expect(run.stderr).not.toContain('was not found (DNS lookup failed)')
    expect(run.stderr).toMatch(/^portico: (invalid configuration:\n {2}databaseUrl: .+|the database URL is not valid: .+)\n$/)
    expect(run.code).toBe(2)
  })

  it('a URL whose port is not a number is reported as a bad URL without echoing it', async () => {
    const run = await portico(['inspect', '--database-url', `postgres://postgres:${PASSWORD}@127.0.0.1:abc/x`])
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(
      'portico: invalid configuration:\n  databaseUrl: is not a valid URL (is the port a number, and are @ : / ? # in the password percent-encoded?); write it as postgres://user:password@host:5432/database\n',
    )
    expect(run.code, 'a malformed URL is a configuration error (exit 2), like notaurl').toBe(2)
  })
})

describe.concurrent('connection errors (exit 1, one line)', () => {
  it('an unreachable server', async () => {
    expectOneLineFailure(await portico(['inspect', '--database-url', 'postgres://postgres@127.0.0.1:1/postgres']), 1, refused('127.0.0.1:1'))
  })

  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:1/x`
  const commands: [string, string[]][] = [
    ['serve', ['serve', '--port', '0']],
    ['inspect', ['inspect']],
    ['inspect --json', ['inspect', '--json']],
    ['print', ['print']],
    ['introspect', ['introspect', '--dir', scratch]],
  ]
  for (const [name, args] of commands) {
    it(`${name}: an unreachable server, with a password in the URL that never shows`, async () => {
      expectOneLineFailure(await portico([...args, '--database-url', url]), 1, refused('127.0.0.1:1'))
    })
  }

  it('the same from DATABASE_URL, with debug logging on', async () => {
    const run = await portico(['print'], { env: { DATABASE_URL: url, PORTICO_LOG_LEVEL: 'debug' } })
    expectOneLineFailure(run, 1, refused('127.0.0.1:1'))
  })

  it('a password given as a query parameter never shows either', async () => {
    const run = await portico(['inspect', '--database-url', `postgres://postgres@127.0.0.1:1/x?password=${PASSWORD}`])
    expectOneLineFailure(run, 1, refused('127.0.0.1:1'))
  })

  it('a database that does not exist on the server', async () => {
    const { adminUrl, kind } = await testServer()
    // PGlite has a single database and accepts any name: nothing to test there.
    if (kind === 'pglite') return
    const name = `portico_missing_${randomBytes(4).toString('hex')}`
    const missing = withPassword(databaseUrl(adminUrl, name))
    const { hostname, port } = new URL(missing)
    const line = `portico: cannot connect to PostgreSQL at ${hostname}:${port || '5432'}: database "${name}" does not exist; create it (createdb ${name}) or fix the database name in the URL`
    for (const command of [['inspect'], ['print'], ['serve', '--port', '0']]) {
      expectOneLineFailure(await portico([...command, '--database-url', missing]), 1, line)
    }
  })
})

const DDL = `
CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE book (
  id serial PRIMARY KEY,
  author_id integer NOT NULL REFERENCES author (id),
  title text NOT NULL,
  published date,
  pages integer CHECK (pages > 0)
);
CREATE INDEX book_author_id_idx ON book (author_id);
`

describe('on a test database', () => {
  let db: TestDatabase
  let url: string

  beforeAll(async () => {
    db = await createTestDatabase('cli', DDL)
    url = withPassword(db.url)
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('a schema that does not exist: inspect names it and lists the existing schemas', async () => {
    const run = await portico(['inspect', '--database-url', url, '--schemas', 'nope'])
    expectOneLineFailure(run, 1, 'portico: schema "nope" not found; the database has schemas: public. Pass --schemas with some of those.')
  })

  it('a schema that does not exist: print and serve name it and list the existing schemas', async () => {
    const line = 'portico: schema "nope" not found; the database has schemas: public. Pass --schemas with some of those.'
    expectOneLineFailure(await portico(['print', '--database-url', url, '--schemas', 'nope']), 1, line)
    expectOneLineFailure(await portico(['serve', '--port', '0', '--database-url', url, '--schemas', 'nope']), 1, line)
  })

  it('inspect prints aligned tables', async () => {
    const run = await portico(['inspect', '--database-url', url])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(
      [
        'Columns',
        'table          kind   position  column     type     nullable  default',
        '-------------  -----  --------  ---------  -------  --------  ----------------------------------',
        "public.author  table         1  id         integer  no        nextval('author_id_seq'::regclass)",
        'public.author  table         2  name       text     no',
        "public.book    table         1  id         integer  no        nextval('book_id_seq'::regclass)",
        'public.book    table         2  author_id  integer  no',
        'public.book    table         3  title      text     no',
        'public.book    table         4  published  date     yes',
        'public.book    table         5  pages      integer  yes',
        '',
        'Constraints',
        'table          constraint           type         columns    references         definition',
        '-------------  -------------------  -----------  ---------  -----------------  ---------------------------------------------',
        'public.author  author_name_key      UNIQUE       name                          UNIQUE (name)',
        'public.author  author_pkey          PRIMARY KEY  id                            PRIMARY KEY (id)',
        'public.book    book_author_id_fkey  FOREIGN KEY  author_id  public.author(id)  FOREIGN KEY (author_id) REFERENCES author(id)',
        'public.book    book_pages_check     CHECK        pages                         CHECK ((pages > 0))',
        'public.book    book_pkey            PRIMARY KEY  id                            PRIMARY KEY (id)',
        '',
        'Indexes',
        'table          index               unique  primary  definition',
        '-------------  ------------------  ------  -------  -----------------------------------------------------------------------',
        'public.author  author_name_key     yes     no       CREATE UNIQUE INDEX author_name_key ON public.author USING btree (name)',
        'public.author  author_pkey         yes     yes      CREATE UNIQUE INDEX author_pkey ON public.author USING btree (id)',
        'public.book    book_author_id_idx  no      no       CREATE INDEX book_author_id_idx ON public.book USING btree (author_id)',
        'public.book    book_pkey           yes     yes      CREATE UNIQUE INDEX book_pkey ON public.book USING btree (id)',
        '',
      ].join('\n'),
    )
  })

  it('inspect --json prints the same as pretty JSON (URL from DATABASE_URL)', async () => {
    const run = await portico(['inspect', '--json'], { env: { DATABASE_URL: url } })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const column = (table: string, column: string, position: number, dataType: string, nullable: boolean, dflt: string | null = null) => ({
      table,
      column,
      position,
      dataType,
      nullable,
      default: dflt,
    })
    const constraint = (table: string, name: string, type: string, columns: string[], definition: string, foreign: [string, string[]] | null = null) => ({
      table,
      name,
      type,
      columns,
      foreignTable: foreign?.[0] ?? null,
      foreignColumns: foreign?.[1] ?? null,
      definition,
    })
    const index = (table: string, index: string, definition: string, unique: boolean, primary: boolean) => ({ table, index, definition, unique, primary })
    const expected = {
      relations: [
        { table: 'public.author', kind: 'table' },
        { table: 'public.book', kind: 'table' },
      ],
      columns: [
        column('public.author', 'id', 1, 'integer', false, "nextval('author_id_seq'::regclass)"),
        column('public.author', 'name', 2, 'text', false),
        column('public.book', 'id', 1, 'integer', false, "nextval('book_id_seq'::regclass)"),
        column('public.book', 'author_id', 2, 'integer', false),
        column('public.book', 'title', 3, 'text', false),
        column('public.book', 'published', 4, 'date', true),
        column('public.book', 'pages', 5, 'integer', true),
      ],
      constraints: [
        constraint('public.author', 'author_name_key', 'UNIQUE', ['name'], 'UNIQUE (name)'),
        constraint('public.author', 'author_pkey', 'PRIMARY KEY', ['id'], 'PRIMARY KEY (id)'),
        constraint('public.book', 'book_author_id_fkey', 'FOREIGN KEY', ['author_id'], 'FOREIGN KEY (author_id) REFERENCES author(id)', ['public.author', ['id']]),
        constraint('public.book', 'book_pages_check', 'CHECK', ['pages'], 'CHECK ((pages > 0))'),
        constraint('public.book', 'book_pkey', 'PRIMARY KEY', ['id'], 'PRIMARY KEY (id)'),
      ],
      indexes: [
        index('public.author', 'author_name_key', 'CREATE UNIQUE INDEX author_name_key ON public.author USING btree (name)', true, false),
        index('public.author', 'author_pkey', 'CREATE UNIQUE INDEX author_pkey ON public.author USING btree (id)', true, true),
        index('public.book', 'book_author_id_idx', 'CREATE INDEX book_author_id_idx ON public.book USING btree (author_id)', false, false),
        index('public.book', 'book_pkey', 'CREATE UNIQUE INDEX book_pkey ON public.book USING btree (id)', true, true),
      ],
    }
    expect(run.stdout).toBe(`${JSON.stringify(expected, null, 2)}\n`)
  })

  it('print writes the SDL of the tables to stdout, and the same with --out', async () => {
    const run = await portico(['print', '--database-url', url], { timeoutMs: 120_000 })
    expect(run.signal).toBeNull()
    expect(run.code).toBe(0)
    expect(run.stdout + run.stderr).not.toContain(PASSWORD)
    const schema: GraphQLSchema = buildSchema(run.stdout)

    const fields = (name: string) => {
      const type = schema.getType(name)
      expect(type, `type ${name}`).toBeInstanceOf(GraphQLObjectType)
      return Object.fromEntries(Object.values((type as GraphQLObjectType).getFields()).map((f) => [f.name, String(f.type)]))
    }
    expect(fields('Author')).toEqual({ id: 'Int!', name: 'String!', nodeId: 'ID!', books: 'AuthorBooksConnection!' })
    expect(fields('Book')).toEqual({ id: 'Int!', nodeId: 'ID!', authorId: 'Int!', author: 'Author!', title: 'String!', published: 'Date', pages: 'Int' })
    expect(fields('Query')).toMatchObject({ author: 'Author', authors: 'AuthorConnection!', book: 'Book', books: 'BookConnection!', node: 'Node' })
    expect(String(schema.getType('Book') && (schema.getType('Book') as GraphQLObjectType).getInterfaces())).toBe('Node')

    const out = path.join(scratch, 'schema.graphql')
    const toFile = await portico(['print', '--database-url', url, '--out', out], { timeoutMs: 120_000 })
    expect(toFile.code).toBe(0)
    expect(toFile.stdout).toBe('')
    expect(readFileSync(out, 'utf8')).toBe(run.stdout)
  })

  it('print --federation writes the subgraph SDL: @link, and @key on each keyed type', async () => {
    const run = await portico(['print', '--federation', '--database-url', url], { timeoutMs: 120_000 })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^extend schema\s+@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.6"/)
    expect(run.stdout).toMatch(/type Author implements Node\s+@key\(fields: "id"\)\s+@key\(fields: "name"\)\s*\{/)
    expect(run.stdout).toMatch(/type Book implements Node\s+@key\(fields: "id"\)\s*\{/)
  })
})

describe('passwords', () => {
  it('no run of this file showed the password on stdout or stderr', () => {
    const leaks = runs.filter(({ run }) => run.stdout.includes(PASSWORD) || run.stderr.includes(PASSWORD)).map(({ args }) => args.join(' '))
    expect(leaks).toEqual([])
    expect(runs.filter(({ args }) => args.some((a) => a.includes(PASSWORD))).length).toBeGreaterThan(5)
  })
})
