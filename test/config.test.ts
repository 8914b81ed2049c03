/** loadConfig: defaults < config file < environment < flags, and one clear line per invalid field. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig, redactUrl, splitList } from '../src/config/config.js'
import { repoRoot } from './support/test-database.js'

const root = mkdtempSync(path.join(tmpdir(), 'portico-config-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let dirs = 0
/** A fresh working directory, with these files in it. */
function workdir(files: Record<string, string | object> = {}): string {
  const dir = path.join(root, `w${++dirs}`)
  mkdirSync(dir)
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content))
  }
  return dir
}

/** The message loadConfig throws, checking that it is a ConfigError. */
function failure(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected a ConfigError, but the configuration loaded')
}

const invalid = (...lines: string[]) => ['invalid configuration:', ...lines.map((line) => `  ${line}`)].join('\n')

const DEFAULTS = {
  host: 'localhost',
  port: 4000,
  poolSize: 10,
  connectionTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  defaultPageSize: 20,
  maxPageSize: 100,
  primaryKeys: {},
  smartTags: { tables: {}, columns: {}, constraints: {} },
  logLevel: 'info',
  statementTimeoutMs: 30_000,
  limits: { maxDepth: 15, maxAliases: 200, maxTokens: 20_000, maxDirectives: 50, maxCost: 250_000, maxBodyBytes: 1_000_000 },
  csrfPrevention: { enabled: true, requestHeaders: ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name'], checkGet: false },
  production: false,
  readOnly: false,
  idempotencyWindowMs: 86_400_000,
  federation: { enabled: true, shareable: [], inaccessible: [] },
  demo: { tickMs: 3_000 },
  live: { intervalMs: 1_000, maxSubscriptions: 20_000, maxSubscriptionsPerConnection: 100, queueSize: 32, triggers: [], topics: [] },
}

describe('defaults', () => {
  it('with no file, no environment and no flags', () => {
    const config = loadConfig({ env: {}, cwd: workdir() })
    expect(config).toStrictEqual(DEFAULTS)
    // No database URL means the embedded demo; no schemas means the command's default.
    expect(config.databaseUrl).toBeUndefined()
    expect(config.schemas).toBeUndefined()
  })

  it('ignores environment variables that are set but empty', () => {
    expect(loadConfig({ env: { DATABASE_URL: '', PORT: '', PORTICO_LOG_LEVEL: '' }, cwd: workdir() })).toStrictEqual(DEFAULTS)
  })

  it('ignores flags that are undefined (options the user did not give)', () => {
    expect(loadConfig({ env: { PORT: '5000' }, cwd: workdir(), flags: { port: undefined, host: undefined } })).toStrictEqual({ ...DEFAULTS, port: 5000 })
  })

  it("reads the repository's own portico.config.json", () => {
    expect(loadConfig({ env: {}, cwd: repoRoot })).toStrictEqual({ ...DEFAULTS, primaryKeys: { 'api.iotawatt': ['device', 'sensor', 'timestamp'] } })
  })
})

describe('precedence: file < environment < flags', () => {
  const file = {
    $schema: './portico.schema.json', // ignored: editors use it
    databaseUrl: 'postgres://file@127.0.0.1/file',
    schemas: ['file_a'],
    host: 'file-host',
    port: 1111,
    poolSize: 3,
    maxPageSize: 50,
    logLevel: 'warn',
    primaryKeys: { 'api.iotawatt': ['device', 'sensor', 'timestamp'] },
  }

  it('the file alone', () => {
    const { $schema: _, ...values } = file
    expect(loadConfig({ env: {}, cwd: workdir({ [DEFAULT_CONFIG_FILE]: file }) })).toStrictEqual({ ...DEFAULTS, ...values })
  })

  it('the environment over the file, flags over both', () => {
    const config = loadConfig({
      cwd: workdir({ [DEFAULT_CONFIG_FILE]: file }),
      env: {
        DATABASE_URL: 'postgresql://env@127.0.0.1/env',
        PORTICO_SCHEMAS: ' env_a, env_b,,',
        HOST: 'env-host',
        PORT: '2222',
        PORTICO_DEFAULT_PAGE_SIZE: '7',
        PORTICO_LOG_LEVEL: 'debug',
      },
      flags: { port: 3333, logLevel: 'error', schemas: ['flag_a'] },
    })
    expect(config).toStrictEqual({
      ...DEFAULTS,
      databaseUrl: 'postgresql://env@127.0.0.1/env', // env over file
      schemas: ['flag_a'], // flag over env over file
      host: 'env-host', // env over file
      port: 3333, // flag over env over file
      poolSize: 3, // file only
      defaultPageSize: 7, // env only
      maxPageSize: 50, // file only
      logLevel: 'error', // flag over env over file
      primaryKeys: file.primaryKeys,
    })
  })

  it('every environment variable sets its key', () => {
    const config = loadConfig({
      cwd: workdir(),
      env: {
        DATABASE_URL: 'postgres://u@h/d',
        PORTICO_SCHEMAS: 'a,b',
        HOST: '0.0.0.0',
        PORT: '0',
        PORTICO_POOL_SIZE: '4',
        PORTICO_DEFAULT_PAGE_SIZE: '5',
        PORTICO_MAX_PAGE_SIZE: '6',
        PORTICO_LOG_LEVEL: 'silent',
        PORTICO_READ_ONLY: 'true',
        PORTICO_DEMO_TICK_MS: '0',
        PORTICO_REDIS_URL: 'redis://127.0.0.1:6379',
        PORTICO_LISTEN_URL: 'postgres://u@direct/d',
        NODE_ENV: 'production',
      },
    })
    expect(config).toStrictEqual({
      ...DEFAULTS,
      databaseUrl: 'postgres://u@h/d',
      schemas: ['a', 'b'],
      host: '0.0.0.0',
      port: 0,
      poolSize: 4,
      defaultPageSize: 5,
      maxPageSize: 6,
      logLevel: 'silent',
      readOnly: true,
      production: true,
      demo: { tickMs: 0 },
      redisUrl: 'redis://127.0.0.1:6379',
      live: { ...DEFAULTS.live, listenUrl: 'postgres://u@direct/d' },
    })
  })

  it('an explicit file (relative to cwd) replaces portico.config.json; PORTICO_CONFIG names one too; the option wins', () => {
    const cwd = workdir({ [DEFAULT_CONFIG_FILE]: { port: 1 }, 'other.json': { port: 2 }, 'third.json': { port: 3 } })
    expect(loadConfig({ env: {}, cwd }).port).toBe(1)
    expect(loadConfig({ env: {}, cwd, file: 'other.json' }).port).toBe(2)
    expect(loadConfig({ env: {}, cwd, file: path.join(cwd, 'other.json') }).port).toBe(2)
    expect(loadConfig({ env: { PORTICO_CONFIG: 'third.json' }, cwd }).port).toBe(3)
    expect(loadConfig({ env: { PORTICO_CONFIG: 'third.json' }, cwd, file: 'other.json' }).port).toBe(2)
  })

  it('splitList trims and drops empty items', () => {
    expect(splitList(' a, b ,,c,')).toEqual(['a', 'b', 'c'])
    expect(splitList('')).toEqual([])
  })
})

describe('invalid values name the field', () => {
  const load = (flags: object, env: Record<string, string> = {}) => () => loadConfig({ env, cwd: workdir(), flags: flags as never })

  it('port out of range (flag, environment, negative, not a number)', () => {
    expect(failure(load({ port: 70_000 }))).toBe(invalid('port: Too big: expected number to be <=65535'))
    expect(failure(load({}, { PORT: '65536' }))).toBe(invalid('port: Too big: expected number to be <=65535'))
    expect(failure(load({ port: -1 }))).toBe(invalid('port: Too small: expected number to be >=0'))
    expect(failure(load({}, { PORT: '80.5' }))).toBe(invalid('port: Invalid input: expected int, received number'))
    expect(failure(load({}, { PORT: 'http' }))).toBe(invalid('port: Invalid input: expected number, received NaN'))
  })

  it('pool size 0', () => {
    expect(failure(load({ poolSize: 0 }))).toBe(invalid('poolSize: Too small: expected number to be >=1'))
    expect(failure(load({}, { PORTICO_POOL_SIZE: '0' }))).toBe(invalid('poolSize: Too small: expected number to be >=1'))
  })

  it('a demo tick too short to be a tick', () => {
    expect(failure(load({}, { PORTICO_DEMO_TICK_MS: '50' }))).toBe(invalid('demo.tickMs: must be 0 (off) or at least 100'))
    expect(failure(load({ demo: { tickMs: -1 } }))).toBe(invalid('demo.tickMs: must be 0 (off) or at least 100'))
  })

  it('a log level that does not exist', () => {
    expect(failure(load({}, { PORTICO_LOG_LEVEL: 'loud' }))).toBe(
      invalid('logLevel: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"'),
    )
  })

  it('a database URL with another scheme, without echoing it', () => {
    const message = failure(load({ databaseUrl: 'mysql://root:s3cret@db.example.com/app' }))
    expect(message).toBe(invalid('databaseUrl: must start with postgres:// or postgresql://; write it as postgres://user:password@host:5432/database'))
    expect(failure(load({}, { DATABASE_URL: 'notaurl' }))).toBe(invalid('databaseUrl: must start with postgres:// or postgresql://; write it as postgres://user:password@host:5432/database'))
  })

  it('an empty schema list', () => {
    expect(failure(load({}, { PORTICO_SCHEMAS: ' , ' }))).toBe(invalid('schemas: Too small: expected array to have >=1 items'))
  })

  it('a default page size above the maximum', () => {
    expect(failure(load({ defaultPageSize: 200 }))).toBe(invalid('defaultPageSize: defaultPageSize must not exceed maxPageSize'))
    expect(failure(load({}, { PORTICO_MAX_PAGE_SIZE: '10' }))).toBe(invalid('defaultPageSize: defaultPageSize must not exceed maxPageSize'))
  })

  it('every invalid field on its own line', () => {
    expect(failure(load({ port: 70_000, poolSize: 0 }))).toBe(invalid('port: Too big: expected number to be <=65535', 'poolSize: Too small: expected number to be >=1'))
  })

  it('a primary key declared for a table not written as schema.table', () => {
    const message = failure(load({ primaryKeys: { iotawatt: ['device'] } }))
    expect(message).toMatch(/^invalid configuration:\n {2}primaryKeys\.iotawatt: /)
    // config.ts gives this key its own message; it should reach the user.
    expect(message).toContain('write tables as "schema.table"')
  })

  it('a primary key with no columns', () => {
    expect(failure(load({ primaryKeys: { 'api.iotawatt': [] } }))).toBe(invalid('primaryKeys.api.iotawatt: Too small: expected array to have >=1 items'))
  })
})

describe('config file problems', () => {
  it('an unknown key in the file is named', () => {
    const cwd = workdir({ [DEFAULT_CONFIG_FILE]: { prot: 4000, port: 4001 } })
    expect(failure(() => loadConfig({ env: {}, cwd }))).toBe(invalid('(config): Unrecognized key: "prot"'))
  })

  it('a value of the wrong type in the file', () => {
    const cwd = workdir({ [DEFAULT_CONFIG_FILE]: { port: '4000' } })
    expect(failure(() => loadConfig({ env: {}, cwd }))).toBe(invalid('port: Invalid input: expected number, received string'))
  })

  it('invalid JSON: names the file and gives the parser message', () => {
    const text = '{ "port": 4000, }'
    const cwd = workdir({ [DEFAULT_CONFIG_FILE]: text })
    let parserMessage = ''
    try {
      JSON.parse(text)
    } catch (error) {
      parserMessage = (error as Error).message
    }
    expect(parserMessage).not.toBe('')
    expect(failure(() => loadConfig({ env: {}, cwd }))).toBe(`config file ${path.join(cwd, DEFAULT_CONFIG_FILE)} is not valid JSON: ${parserMessage}`)
  })

  it('a file whose top level is not an object', () => {
    const cwd = workdir({ 'list.json': '[1, 2]' })
    expect(failure(() => loadConfig({ env: {}, cwd, file: 'list.json' }))).toMatch(
      new RegExp(`^config file ${path.join(cwd, 'list.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} .*the top level must be an object$`),
    )
  })

  it('an explicit file that does not exist (option or PORTICO_CONFIG), with its absolute path', () => {
    const cwd = workdir()
    expect(failure(() => loadConfig({ env: {}, cwd, file: 'missing.json' }))).toBe(`config file ${path.join(cwd, 'missing.json')} does not exist`)
    expect(failure(() => loadConfig({ env: { PORTICO_CONFIG: 'gone.json' }, cwd }))).toBe(`config file ${path.join(cwd, 'gone.json')} does not exist`)
  })

  it('a missing default portico.config.json is not an error', () => {
    expect(loadConfig({ env: {}, cwd: workdir() })).toStrictEqual(DEFAULTS)
  })
})

describe('redactUrl', () => {
  it('hides the password and keeps everything else', () => {
    expect(redactUrl('postgres://alice:s3cret@db.example.com:5433/app?sslmode=require')).toBe('postgres://alice:***@db.example.com:5433/app?sslmode=require')
  })

  it('hides a percent-encoded password', () => {
    const redacted = redactUrl('postgresql://alice:p%40ss%3Aw0rd@db.example.com/app')
    expect(redacted).toBe('postgresql://alice:***@db.example.com/app')
  })

  it('leaves a URL without a password unchanged', () => {
    expect(redactUrl('postgres://alice@db.example.com/app')).toBe('postgres://alice@db.example.com/app')
    expect(redactUrl('postgres://db.example.com/app')).toBe('postgres://db.example.com/app')
  })

  it('never echoes a URL it cannot parse', () => {
    expect(redactUrl('postgres://alice:s3cret@db.example.com:port/app')).toBe('(unparsable URL)')
    expect(redactUrl('not a url s3cret')).toBe('(unparsable URL)')
  })

  it('hides a password given as a query parameter (libpq and pg accept ?password=)', () => {
    expect(redactUrl('postgres://alice@db.example.com/app?password=s3cret')).not.toContain('s3cret')
  })
})
