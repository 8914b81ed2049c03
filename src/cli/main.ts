/**
 * `portico`: the command line. Each command is a small module; this file only declares them,
 * turns flags into configuration, and turns known failures into one clear line.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { ConfigError, loadConfig, splitList, type ConfigInput } from '../config/config.js'
import { ConnectionError } from '../db/connection-errors.js'
import { PoolerSettingsError } from '../db/pooler.js'
import { MissingSchemaError } from '../introspect/catalog.js'
import { ModelError } from '../errors.js'

export interface CommonFlags {
  databaseUrl?: string
  schemas?: string[]
  config?: string
  logLevel?: ConfigInput['logLevel']
}

const integer = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`)
  return Number(value)
}

function withDatabaseOptions(command: Command): Command {
  return command
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); none: the embedded demo database')
    .option('--schemas <list>', 'database schemas to expose, comma-separated (env PORTICO_SCHEMAS)', splitList)
    .option('--config <file>', 'config file (env PORTICO_CONFIG)', undefined)
    .addOption(new Option('--log-level <level>', 'log level (env PORTICO_LOG_LEVEL)').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
}

/** Flags that are configuration (the rest, like --json or --out, belong to one command). */
const CONFIG_FLAGS = ['databaseUrl', 'schemas', 'host', 'port', 'poolSize', 'logLevel', 'readOnly'] as const

export function configFrom(flags: CommonFlags & Partial<ConfigInput> & Record<string, unknown>) {
  const values = Object.fromEntries(CONFIG_FLAGS.filter((key) => flags[key] !== undefined).map((key) => [key, flags[key]]))
  return loadConfig({ file: flags.config, flags: values })
}

export function createProgram(): Command {
  const program = new Command('portico')
    .description('A GraphQL API for an existing PostgreSQL database: introspect, build, serve.')
    .showHelpAfterError()
    // Before the commands are declared: commander copies this into each of them, so their usage
    // errors come back to main() (exit 2) instead of exiting on their own.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`portico: ${text.replace(/^error: /, '')}`) })

  withDatabaseOptions(program.command('serve'))
    .description('introspect the database and serve its GraphQL API (GraphiQL, GraphQL over HTTP)')
    .option('--host <host>', 'interface to listen on (env HOST, default localhost)')
    .option('--port <port>', 'port to listen on (env PORT, default 4000)', integer('--port'))
    .option('--pool-size <n>', 'database connections (env PORTICO_POOL_SIZE, default 10)', integer('--pool-size'))
    .option('--read-only', 'serve no mutations (env PORTICO_READ_ONLY)')
    .action(async (flags) => {
      // Commands are imported when run, so `--help` and usage errors answer without loading Portico.
      const { runServe } = await import('./serve-command.js')
      await runServe(configFrom(flags))
      keepRunning = true
    })

  withDatabaseOptions(program.command('introspect'))
    .description('write prisma/schema.prisma, generate the Prisma client and Pothos types, print schema.graphql')
    .option('--dir <dir>', 'project directory to write into', '.')
    .action(async (flags) => (await import('./introspect-command.js')).runIntrospect(configFrom(flags), flags.dir))

  withDatabaseOptions(program.command('inspect'))
    .description("print the database's columns, constraints and indexes")
    .option('--json', 'print JSON instead of aligned tables')
    .action(async (flags) => (await import('./inspect-command.js')).runInspect(configFrom(flags), Boolean(flags.json)))

  withDatabaseOptions(program.command('print'))
    .description('print the GraphQL schema (SDL) of the database')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--federation', 'print the Apollo Federation 2 subgraph SDL (@link, @key, _service, _entities)')
    .action(async (flags) => (await import('./print-command.js')).runPrint(configFrom(flags), flags.out, flags.federation === true))

  return program
}

/** Set by `serve`: the server runs until a signal, every other command exits when done. */
let keepRunning = false

const KNOWN_FAILURES = [ConfigError, ConnectionError, MissingSchemaError, ModelError, PoolerSettingsError]

/** Runs the command line; ends the process unless a server was started. */
export async function run(argv: string[]): Promise<void> {
  const code = await main(argv)
  if (code !== 0 || !keepRunning) process.exit(code)
}

export async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv)
    return 0
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0
    if (code?.startsWith('commander.')) return 2
    if (KNOWN_FAILURES.some((kind) => error instanceof kind)) {
      process.stderr.write(`portico: ${(error as Error).message}\n`)
      return error instanceof ConfigError ? 2 : 1
    }
    process.stderr.write(`portico: ${(error as Error)?.message ?? String(error)}\n(set PORTICO_LOG_LEVEL=debug for details)\n`)
    if (process.env.PORTICO_LOG_LEVEL === 'debug') process.stderr.write(`${(error as Error)?.stack}\n`)
    return 1
  }
}
