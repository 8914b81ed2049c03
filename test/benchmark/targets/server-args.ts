/**
 * The command line every benchmark server launcher takes, so the three are started the same way:
 * --database-url URL --port N --pool-size N [--schemas a,b] [--host H].
 */
import { parseArgs } from 'node:util'

export interface ServerArgs {
  databaseUrl: string
  host: string
  port: number
  poolSize: number
  schemas: string[]
}

export function parseServerArgs(argv: string[] = process.argv.slice(2)): ServerArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      'database-url': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      'pool-size': { type: 'string', default: '10' },
      schemas: { type: 'string', default: 'public' },
    },
    strict: true,
  })
  const databaseUrl = values['database-url']
  const port = Number(values.port)
  const poolSize = Number(values['pool-size'])
  if (!databaseUrl) throw new Error('--database-url is required')
  if (!Number.isInteger(port) || port <= 0) throw new Error('--port must be a port number')
  if (!Number.isInteger(poolSize) || poolSize <= 0) throw new Error('--pool-size must be a positive integer')
  return { databaseUrl, host: values.host ?? '127.0.0.1', port, poolSize, schemas: (values.schemas ?? 'public').split(',') }
}
