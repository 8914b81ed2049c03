/**
 * `portico`: the command line. Each command is a small module; this file only declares them,
 * turns flags into configuration, and turns known failures into one clear line.
 */
import { Command, InvalidArgumentError, Option } from 'commander'
import { ConfigError, loadConfig, splitList, type ConfigInput } from '../config/config.js'
import { ConnectionError } from '../db/connection-errors.js'
import { PoolerSettingsError } from '../db/pooler.js'
import { MissingSchemaError } from '../introspect/catalog.js'
import { ExtensionError, ModelError } from '../errors.js'

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
  const values: Record<string, unknown> = Object.fromEntries(CONFIG_FLAGS.filter((key) => flags[key] !== undefined).map((key) => [key, flags[key]]))
  // --extension (repeatable): more extension files, after the config's.
  if (Array.isArray(flags.extension) && flags.extension.length) values.extensions = flags.extension
  return loadConfig({ file: flags.config, flags: values })
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** Commands that build the schema take extension modules. */
function withExtensionOption(command: Command): Command {
  return command.option('--extension <file>', 'an extension module, default-exporting (builder, portico) => void (repeatable; config extensions)', collect)
}

export function createProgram(): Command {
  const program = new Command('portico')
    .description('A GraphQL API for an existing PostgreSQL database: introspect, build, serve.')
    .showHelpAfterError()
    // Before the commands are declared: commander copies this into each of them, so their usage
    // errors come back to main() (exit 2) instead of exiting on their own.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`portico: ${text.replace(/^error: /, '')}`) })

  withExtensionOption(withDatabaseOptions(program.command('serve')))
    .description('introspect the database and serve its GraphQL API (GraphiQL, GraphQL over HTTP)')
    .option('--host <host>', 'interface to listen on (env HOST, default localhost)')
    .option('--port <port>', 'port to listen on (env PORT, default 4000)', integer('--port'))
    .option('--pool-size <n>', 'database connections (env PORTICO_POOL_SIZE, default 10)', integer('--pool-size'))
    .option('--read-only', 'serve no mutations (env PORTICO_READ_ONLY)')
    .option('--watch', "rebuild the schema when the database's structure changes (DDL, comments), without a restart")
    .action(async (flags) => {
      // Commands are imported when run, so `--help` and usage errors answer without loading Portico.
      const { runServe } = await import('./serve-command.js')
      await runServe(configFrom(flags), { watch: flags.watch === true })
      keepRunning = true
    })

  withExtensionOption(withDatabaseOptions(program.command('introspect')))
    .description('write prisma/schema.prisma, generate the Prisma client and Pothos types, print schema.graphql')
    .option('--dir <dir>', 'project directory to write into', '.')
    .action(async (flags) => (await import('./introspect-command.js')).runIntrospect(configFrom(flags), flags.dir))

  withDatabaseOptions(program.command('inspect'))
    .description("print the database's columns, constraints and indexes")
    .option('--json', 'print JSON instead of aligned tables')
    .action(async (flags) => (await import('./inspect-command.js')).runInspect(configFrom(flags), Boolean(flags.json)))

  withExtensionOption(withDatabaseOptions(program.command('print')))
    .description('print the GraphQL schema (SDL) of the database')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--federation', 'print the Apollo Federation 2 subgraph SDL (@link, @key, _service, _entities)')
    .action(async (flags) => (await import('./print-command.js')).runPrint(configFrom(flags), flags.out, flags.federation === true))

  const triggers = program.command('triggers').description('change triggers for live queries and <type>Changed subscriptions (pg_notify, keys only)')
  for (const action of ['install', 'uninstall'] as const) {
    withDatabaseOptions(triggers.command(action))
      .description(action === 'install' ? 'install the change triggers of tables' : 'remove the change triggers of tables')
      .requiredOption('--tables <list>', 'tables, comma-separated: schema.table, or table in the exposed schemas', splitList)
      .action(async (flags) => (await import('./triggers-command.js')).runTriggers(configFrom(flags), action, flags.tables))
  }

  withExtensionOption(withDatabaseOptions(program.command('check')))
    .description('exit 1 when the database no longer matches the committed prisma/schema.prisma and schema.graphql; print each change (breaking, dangerous, safe)')
    .option('--dir <dir>', 'project directory holding prisma/schema.prisma and schema.graphql', '.')
    .action(async (flags) => {
      exitCode = await (await import('./check-command.js')).runCheck(configFrom(flags), flags.dir)
    })

  program
    .command('diff')
    .description('print the changes from one SDL file to another, each breaking, dangerous or safe; exit 1 on a breaking change')
    .argument('<old>', 'the SDL before (e.g. the committed schema.graphql)')
    .argument('<new>', 'the SDL after')
    .action(async (oldFile: string, newFile: string) => {
      exitCode = await (await import('./diff-command.js')).runDiff(oldFile, newFile)
    })

  return program
}

/** Set by `serve`: the server runs until a signal, every other command exits when done. */
let keepRunning = false
/** Set by commands whose answer is their exit code (`check`, `diff`). */
let exitCode = 0

const KNOWN_FAILURES = [ConfigError, ConnectionError, MissingSchemaError, ModelError, ExtensionError, PoolerSettingsError]

/** Runs the command line; ends the process unless a server was started. */
export async function run(argv: string[]): Promise<void> {
  const code = await main(argv)
  if (code !== 0 || !keepRunning) process.exit(code)
}

export async function main(argv: string[]): Promise<number> {
  try {
    exitCode = 0
    await createProgram().parseAsync(argv)
    return exitCode
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0
    if (code?.startsWith('commander.')) return 2
    if (KNOWN_FAILURES.some((kind) => error instanceof kind)) {
      process.stderr.write(`portico: ${(error as Error).message}\n`)
      return error instanceof ConfigError || error instanceof ExtensionError ? 2 : 1
    }
    process.stderr.write(`portico: ${(error as Error)?.message ?? String(error)}\n(set PORTICO_LOG_LEVEL=debug for details)\n`)
    if (process.env.PORTICO_LOG_LEVEL === 'debug') process.stderr.write(`${(error as Error)?.stack}\n`)
    return 1
  }
}
